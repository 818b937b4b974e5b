import { z } from "zod";
import { OdsCode } from "./common.ts";
import type { PayloadProfile } from "./webhook-body.ts";

/**
 * The webhook body as it travels on the callbacks bus (`detail.event`): a CloudEvent the transform-and-filter
 * Lambda built. Loose: a reader keeps every attribute it does not name, since a redrive re-signs the event as it is.
 */
export const CallbackCloudEvent = z.looseObject({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  type: z.string().min(1),
  trustid: OdsCode,
  endpointid: z.string().min(1),
  source: z.string().optional(),
  subject: z.string().optional(),
  time: z.string().optional(),
  correlationid: z.string().optional(),
  payloadprofile: z.enum(["full", "minimal"]).optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type CallbackCloudEvent = z.infer<typeof CallbackCloudEvent>;

/**
 * A CloudEvent as the transform-and-filter core builds it (`buildCloudEvent`), every attribute set: what a trust
 * receives as the webhook body (CloudEvents 1.0, structured JSON mode; `webhookBodySchema` describes each event type
 * and payload profile exactly). A reader of the bus or a DLQ parses the looser `CallbackCloudEvent`.
 */
export interface BuiltCallbackCloudEvent {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: "application/json";
  /** The JSON Schema of `data` for this event type and payload profile (`webhookDataSchemaId`), published in docs/webhooks/schemas/. */
  dataschema: string;
  trustid: string;
  endpointid: string;
  correlationid: string;
  payloadprofile: PayloadProfile;
  data: Record<string, unknown>;
}

/**
 * The Standard Webhooks headers of one delivery (`detail.webhook`); the API destination target sends them as headers.
 * `timestamp` is Unix seconds, as a string because header values are strings; `signature` is `v1,<base64
 * HMAC-SHA256>`, one per signing key, space-separated (`v1,<sig1> v1,<sig2>` during a key rotation).
 */
export const WebhookHeaders = z.object({ id: z.string(), timestamp: z.string(), signature: z.string() });
export type WebhookHeaders = z.infer<typeof WebhookHeaders>;

/**
 * The `detail` of every event on the callbacks bus, as a reader parses it. The API destination target sends
 * `$.detail.event` as the body and maps `$.detail.webhook.*` to the webhook-id/-timestamp/-signature headers.
 */
export const CallbackDetail = z.object({ webhook: WebhookHeaders, event: CallbackCloudEvent });
export type CallbackDetail = z.infer<typeof CallbackDetail>;

/** The `detail` as the core writes it (`signedBusEntry`'s `Detail`): the headers and the CloudEvent as built. */
export interface BuiltCallbackDetail {
  webhook: WebhookHeaders;
  event: BuiltCallbackCloudEvent;
}

/**
 * The EventBridge event a rule hands to its target, and the "original event" a target's DLQ message may hold.
 * EventBridge's own attributes are optional: AWS does not document the DLQ body, so a reader asks for no more
 * than it uses.
 */
export const BusEvent = z.looseObject({
  version: z.string().optional(),
  id: z.string().optional(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: CallbackDetail,
});
export type BusEvent = z.infer<typeof BusEvent>;

/**
 * The body of a message in a trust's DLQ. AWS does not document which of two it is: the original event
 * (a `BusEvent`), or the target's transformed input, the bare CloudEvent (the target's `input_path` is
 * `$.detail.event`). Both carry the CloudEvent, which is all a redrive needs (it re-signs).
 */
export const DeadLetterBody = z.union([BusEvent, CallbackCloudEvent]);
export type DeadLetterBody = z.infer<typeof DeadLetterBody>;

/** The CloudEvent of a DLQ message body, whichever shape it has. */
export const cloudEventOfDeadLetter = (body: DeadLetterBody): CallbackCloudEvent =>
  body.specversion === "1.0" ? (body as CallbackCloudEvent) : (body as BusEvent).detail.event;
