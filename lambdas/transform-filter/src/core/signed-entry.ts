import type { CallbackCloudEvent } from "./cloudevent.ts";
import type { BusEntry, SigningSecretValue } from "./ports.ts";
import { canonicalJson, signCanonical, signingKeysAt, type WebhookHeaders } from "./signature.ts";

/**
 * The PutEvents `Detail` of one delivery. The API destination target sends `$.detail.event` as the
 * body and maps `$.detail.webhook.*` to the webhook-id/-timestamp/-signature headers.
 */
export interface CallbackDetail {
  webhook: WebhookHeaders;
  event: CallbackCloudEvent;
}

/** What signing reads of an event: its id and type; the rest is signed as it is (a redrive passes a CloudEvent read from a DLQ). */
export interface SignableEvent {
  id: string;
  type: string;
  [attribute: string]: unknown;
}

/**
 * The signed PutEvents entry of one delivery: the CloudEvent is canonicalized once (RFC 8785), that text
 * is signed with every key of the endpoint's secret active at `at` (one `v1,` signature each) and also serves
 * as the event's JSON inside `Detail`. The core and the redrive tool both use it. Throws NoActiveSigningKey
 * when the secret has no key active at `at`.
 */
export function signedBusEntry(
  event: CallbackCloudEvent | SignableEvent,
  secret: SigningSecretValue,
  at: Date,
  busSource: string,
  eventBusName: string,
): BusEntry {
  const eventJson = canonicalJson(event);
  const webhook = signCanonical(event.id, eventJson, signingKeysAt(secret, at), at);
  return {
    Source: busSource,
    DetailType: event.type,
    Detail: `{"webhook":${JSON.stringify(webhook)},"event":${eventJson}}`,
    EventBusName: eventBusName,
  };
}
