import { randomUUID } from "node:crypto";
import type { EventType, PlatformEvent } from "@trust-callbacks/schemas";

/**
 * A platform event of `type` in conversation `conversationId` of `trustId`, with its fields in clear (seal it before
 * putting it on a stream): the smallest valid data of each type, for tests that follow conversations.
 */
export function plainConversationEvent(
  trustId: string,
  conversationId: string,
  type: EventType,
  attributes: PlatformEvent["attributes"] = { site: "MAIN", priority: "urgent" },
): PlatformEvent {
  const envelope = { eventId: randomUUID(), occurredAt: "2026-11-22T09:30:00.000Z", trustId, conversationId, attributes };
  const person = { userId: "user-17", displayName: "Dr Ada Example" };
  switch (type) {
    case "conversation.created":
      return { ...envelope, type, data: { createdBy: person, participants: [person] } };
    case "message.created":
      return { ...envelope, type, data: { messageId: `msg-${randomUUID().slice(0, 8)}`, sender: person, text: "Bay 4 needs review" } };
    case "message.read":
      return { ...envelope, type, data: { messageId: "msg-1", reader: person } };
    case "response.sent":
      return { ...envelope, type, data: { messageId: "msg-2", inReplyToMessageId: "msg-1", responder: person, text: "On my way" } };
    case "conversation.closed":
      return { ...envelope, type, data: { closedBy: person, reason: "resolved" } };
  }
}
