import type { BuiltCallbackCloudEvent } from "@trust-callbacks/schemas";
import type { BusEntry, SigningSecretValue } from "./ports.ts";
import { canonicalJson, signCanonical, signingKeysAt } from "./signature.ts";

/** What signing reads of an event: its id and type; the rest is signed as it is (a redrive passes a CloudEvent read from a DLQ). */
export interface SignableEvent {
  id: string;
  type: string;
  [attribute: string]: unknown;
}

/**
 * The signed PutEvents entry of one delivery: the CloudEvent is canonicalized once (RFC 8785), that text
 * is signed with every key of the endpoint's secret active at `at` (one `v1,` signature each) and also serves
 * as the event's JSON inside `Detail` (a `BuiltCallbackDetail`, declared with the other bus types in
 * `schemas/src/bus-envelope.ts`). The core and the support signer both use it. Throws NoActiveSigningKey
 * when the secret has no key active at `at`.
 */
export function signedBusEntry(
  event: BuiltCallbackCloudEvent | SignableEvent,
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
