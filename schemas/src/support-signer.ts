import { z } from "zod";
import { CallbackCloudEvent } from "./bus-envelope.ts";
import { OdsCode } from "./common.ts";

/**
 * The support signer's requests and answers (docs/guarantees.md 5.20, 5.21). The support CLI writes a request, the
 * signer function (lambdas/transform-filter/src/support-handler.ts) parses it, and the CLI parses the answer: one
 * parser for each, here. Nothing in them is a secret; CloudEvents and Kinesis records are content the caller already
 * holds (a dead letter's body, ciphertext from the stream).
 */

/** CloudEvents in one redrive request: one PutEvents call's worth. */
export const SUPPORT_REDRIVE_MAX_EVENTS = 10;
/** Records in one replay request: one Pipe batch's worth at the Lambda's own batch size. */
export const SUPPORT_REPLAY_MAX_RECORDS = 100;
/**
 * The largest request the signer reads, in bytes of its JSON. Lambda refuses a synchronous payload over 6 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html); 10 CloudEvents of the largest entry a DLQ can
 * keep (240 KiB) fit well below this, and anything larger is refused with a reason instead of an SDK error.
 */
export const MAX_SUPPORT_REQUEST_BYTES = 5 * 1024 * 1024;

const common = {
  trustId: OdsCode,
  /** Who asked (the CLI's operator identity), for the signer's logs. */
  operator: z.string().min(1).max(256),
  /** Joins the CLI's audit lines to the signer's log lines. */
  correlationId: z.string().min(1).max(128),
};

/** One Kinesis record in the shape the EventBridge Pipe hands the Lambda (data still base64, fields still sealed). */
export const SupportKinesisRecord = z.looseObject({ eventID: z.string(), data: z.string() });

export const SupportRedriveRequest = z.strictObject({
  kind: z.literal("redrive"),
  ...common,
  endpointId: z.string().min(1).max(64),
  cloudEvents: z.array(CallbackCloudEvent).min(1).max(SUPPORT_REDRIVE_MAX_EVENTS),
});
export type SupportRedriveRequest = z.infer<typeof SupportRedriveRequest>;

export const SupportReplayRequest = z.strictObject({
  kind: z.literal("replay"),
  ...common,
  /** Only this endpoint of the trust; every endpoint when unset. */
  endpointId: z.string().min(1).max(64).optional(),
  /** Sign but publish nothing. */
  dryRun: z.boolean().default(false),
  records: z.array(SupportKinesisRecord).min(1).max(SUPPORT_REPLAY_MAX_RECORDS),
});
export type SupportReplayRequest = z.infer<typeof SupportReplayRequest>;

export const SupportSignerRequest = z.discriminatedUnion("kind", [SupportRedriveRequest, SupportReplayRequest]);
export type SupportSignerRequest = z.infer<typeof SupportSignerRequest>;
export type SupportSignerRequestInput = z.input<typeof SupportSignerRequest>;

/**
 * One delivery's answer: accepted by the bus (its new bus event id), or failed with the core's retry class. `held`:
 * the endpoint is held, so the delivery was accepted by its hold store instead (docs/guarantees.md 10.8) and
 * `busEventId` is the store's id of it; the drain sends it when the hold ends.
 */
export const SupportDeliveryAnswer = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("accepted"),
    endpointId: z.string(),
    cloudEventId: z.string(),
    busEventId: z.string(),
    held: z.literal(true).optional(),
  }),
  z.object({
    status: z.literal("failed"),
    endpointId: z.string(),
    cloudEventId: z.string().optional(),
    retry: z.enum(["now", "later", "never"]),
    reason: z.string(),
  }),
]);
export type SupportDeliveryAnswer = z.infer<typeof SupportDeliveryAnswer>;

export const SupportRedriveAnswer = z.object({
  kind: z.literal("redrive"),
  correlationId: z.string(),
  /** One per CloudEvent of the request, in its order. */
  deliveries: z.array(SupportDeliveryAnswer),
});
export type SupportRedriveAnswer = z.infer<typeof SupportRedriveAnswer>;

/** One replayed record: the core's verdict (`processBatch`) and its deliveries. */
export const SupportReplayedRecord = z.object({
  recordId: z.string(),
  sourceEventId: z.string().optional(),
  state: z.enum(["published", "filtered", "quarantined", "retry"]),
  reason: z.string().optional(),
  duplicateOf: z.string().optional(),
  deliveries: z.array(SupportDeliveryAnswer),
});
export type SupportReplayedRecord = z.infer<typeof SupportReplayedRecord>;

export const SupportReplayAnswer = z.object({
  kind: z.literal("replay"),
  correlationId: z.string(),
  records: z.array(SupportReplayedRecord),
  counts: z.object({ published: z.number(), filtered: z.number(), quarantined: z.number(), retried: z.number() }),
});
export type SupportReplayAnswer = z.infer<typeof SupportReplayAnswer>;

/** The whole request was refused (it does not parse, is too large, or names a trust or endpoint it may not). */
export const SupportRefusal = z.object({
  kind: z.literal("refused"),
  correlationId: z.string().optional(),
  retry: z.enum(["now", "later", "never"]),
  reason: z.string(),
});
export type SupportRefusal = z.infer<typeof SupportRefusal>;

export const SupportSignerAnswer = z.discriminatedUnion("kind", [SupportRedriveAnswer, SupportReplayAnswer, SupportRefusal]);
export type SupportSignerAnswer = z.infer<typeof SupportSignerAnswer>;
