import { z } from "zod";
import { Identifier, OdsCode } from "./common.ts";
import { SensitiveString } from "./envelope.ts";

export const EVENT_TYPES = [
  "conversation.created",
  "message.created",
  "message.read",
  "response.sent",
  "conversation.closed",
] as const;
export const EventType = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventType>;

/** Attributes an endpoint may filter on (see TrustConfig `conditions`). */
export const EventAttributes = z.object({
  site: z.string().min(1).max(64).optional(),
  priority: z.enum(["routine", "urgent", "emergency"]).optional(),
  specialty: z.string().min(1).max(64).optional(),
});
export type EventAttributes = z.infer<typeof EventAttributes>;
export const ATTRIBUTE_NAMES = ["site", "priority", "specialty"] as const;

const Person = z.object({ userId: Identifier, displayName: SensitiveString });

const envelope = {
  eventId: z.uuid(),
  occurredAt: z.iso.datetime({ offset: true }),
  trustId: OdsCode,
  conversationId: Identifier,
  /** Carried into logs and the CloudEvent `correlationid`; the event id is used when absent. */
  correlationId: Identifier.optional(),
  attributes: EventAttributes.default({}),
};

export const ConversationCreated = z.object({
  ...envelope,
  type: z.literal("conversation.created"),
  data: z.object({
    createdBy: Person,
    participants: z.array(Person).max(200),
    topic: SensitiveString.optional(),
  }),
});
export const MessageCreated = z.object({
  ...envelope,
  type: z.literal("message.created"),
  data: z.object({ messageId: Identifier, sender: Person, text: SensitiveString }),
});
export const MessageRead = z.object({
  ...envelope,
  type: z.literal("message.read"),
  data: z.object({ messageId: Identifier, reader: Person }),
});
export const ResponseSent = z.object({
  ...envelope,
  type: z.literal("response.sent"),
  data: z.object({
    messageId: Identifier,
    inReplyToMessageId: Identifier,
    responder: Person,
    text: SensitiveString,
  }),
});
export const ConversationClosed = z.object({
  ...envelope,
  type: z.literal("conversation.closed"),
  data: z.object({
    closedBy: Person,
    reason: z.enum(["resolved", "expired", "cancelled", "transferred"]),
  }),
});

/** One event the platform writes to the Kinesis stream (record data, UTF-8 JSON). */
export const PlatformEvent = z.discriminatedUnion("type", [
  ConversationCreated,
  MessageCreated,
  MessageRead,
  ResponseSent,
  ConversationClosed,
]);
export type PlatformEvent = z.infer<typeof PlatformEvent>;

/**
 * Where each event type carries sensitive text, as paths into `data` (`[]` walks an array).
 * One list drives both decryption and the `minimal` payload profile, which removes these fields.
 */
export const SENSITIVE_FIELDS: Readonly<Record<EventType, readonly string[]>> = {
  "conversation.created": ["createdBy.displayName", "participants[].displayName", "topic"],
  "message.created": ["sender.displayName", "text"],
  "message.read": ["reader.displayName"],
  "response.sent": ["responder.displayName", "text"],
  "conversation.closed": ["closedBy.displayName"],
};
