import { hash } from "node:crypto";
import { webhookDataSchemaId, type BuiltCallbackCloudEvent, type Endpoint, type EventType, type PlatformEvent } from "@trust-callbacks/schemas";

/** CloudEvent `type` for a platform event type: `uk.nhs.trustcallbacks.message.created.v1`. */
export const cloudEventType = (type: EventType): string => `uk.nhs.trustcallbacks.${type}.v1`;

/**
 * Deterministic CloudEvent id (and so `webhook-id`) for one event to one endpoint: the same across
 * Pipe retries, EventBridge retries and redrives, so receivers can deduplicate on it.
 * A UUIDv8 (RFC 9562) made from SHA-256 of the source event id, trust id and endpoint id.
 */
export function cloudEventId(sourceEventId: string, trustId: string, endpointId: string): string {
  // One-shot hash to hex: a third of createHash().update().digest() per delivery.
  const hex = hash("sha256", `${sourceEventId}\n${trustId}\n${endpointId}`, "hex");
  const version = "8";
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16); // RFC 9562 variant bits 10xx
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${version}${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ`, as toISOString() writes it (and most producers send it). */
const ISO_UTC_MILLIS = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * CloudEvent `time`: the event's occurredAt in UTC, as toISOString() writes it. Once per record, not per delivery.
 * A time already written that way, naming a real date and time, is its own answer: parsing and formatting a Date
 * per record cost as much as the rest of building its CloudEvents. Anything else (an offset, another precision, a
 * date that does not exist, such as 30 February, which Date rolls over) goes through Date; cloudevent.test.ts
 * checks the two agree.
 */
export function cloudEventTime(event: PlatformEvent): string {
  const at = event.occurredAt;
  const parts = ISO_UTC_MILLIS.exec(at);
  if (parts) {
    const year = Number(parts[1]);
    const month = Number(parts[2]);
    const day = Number(parts[3]);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
    if (days !== undefined && day >= 1 && day <= days && Number(parts[4]) <= 23 && Number(parts[5]) <= 59 && Number(parts[6]) <= 59) return at;
  }
  return new Date(at).toISOString();
}

export interface BuildCloudEventInput {
  event: PlatformEvent;
  /** `cloudEventTime(event)` */
  time: string;
  endpoint: Endpoint;
  /** The event's data for this endpoint's profile (decrypted, or minimal). */
  data: Record<string, unknown>;
  /** Paths of fields delivered as null because they could not be decrypted. */
  undecryptableFields: string[];
  /** CloudEvent `source`, e.g. `/trust-callbacks/prod`. */
  source: string;
}

/**
 * Builds one CloudEvent, as the plain JSON object to deliver. Written as a literal, not with the `cloudevents`
 * SDK's constructor: once per delivery, the constructor (a copy, a delete per attribute, an extension loop and
 * a freeze) cost more than the rest of building. Every attribute comes from zod-validated input or constants;
 * cloudevent.test.ts validates the output with the SDK (strict) and checks it serializes as the SDK's would.
 */
export function buildCloudEvent({ event, time, endpoint, data, undecryptableFields, source }: BuildCloudEventInput): BuiltCallbackCloudEvent {
  const payload: Record<string, unknown> = {
    sourceEventId: event.eventId,
    conversationId: event.conversationId,
    attributes: event.attributes,
    ...data,
  };
  if (undecryptableFields.length > 0) payload.undecryptableFields = undecryptableFields;
  return {
    specversion: "1.0",
    id: cloudEventId(event.eventId, event.trustId, endpoint.id),
    source,
    type: cloudEventType(event.type),
    subject: `conversations/${event.conversationId}`,
    time,
    datacontenttype: "application/json",
    dataschema: webhookDataSchemaId(event.type, endpoint.payloadProfile),
    trustid: event.trustId,
    endpointid: endpoint.id,
    correlationid: event.correlationId ?? event.eventId,
    payloadprofile: endpoint.payloadProfile,
    data: payload,
  };
}
