import type { TrustConfig } from "@trust-callbacks/schemas";

/**
 * The narrow interfaces the core calls. AWS adapters implement them in Lambda; the local
 * pipeline, tests and benchmarks pass their own. Each method throws TransientError or
 * PermanentError (anything else counts as transient).
 */

/** Unwraps a data key that KMS (or the local key provider) wrapped under an encryption context. */
export interface DataKeyUnwrapper {
  unwrap(wrappedKey: string, encryptionContext: Record<string, string>): Promise<Buffer>;
}

export type SubscriptionLookup =
  | { kind: "found"; config: TrustConfig; version: string }
  | { kind: "unknown" }
  | { kind: "invalid"; reason: string };

/** Reads a trust's subscription document (the deployed trust config file). */
export interface SubscriptionSource {
  get(trustId: string): Promise<SubscriptionLookup>;
}

/** Returns the `whsec_...` signing key named by an endpoint's `signingSecret`. */
export interface SigningSecretSource {
  get(secretName: string): Promise<string>;
}

/** One PutEvents entry, as EventBridge counts and routes it. */
export interface BusEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

export type PublishResult = { ok: true } | { ok: false; errorCode: string; errorMessage: string };

/** Sends one PutEvents call (at most 10 entries); results match entries in length and order. */
export interface EventPublisher {
  putEvents(entries: BusEntry[]): Promise<PublishResult[]>;
}

export interface QuarantinedRecord {
  reason: string;
  eventID: string;
  trustId?: string;
  eventId?: string;
  /** Deliveries that did go out before the record was quarantined, so a replay can skip them. */
  publishedEndpoints: string[];
  /** Per-endpoint reasons where only some deliveries failed. */
  endpointFailures: { endpointId: string; reason: string }[];
  quarantinedAt: string;
  /** The Kinesis record as received (data still base64, sensitive fields still encrypted). */
  record: unknown;
}

/** Stores a record that can never be published, with its reason, for people to inspect and replay. */
export interface QuarantineSink {
  put(entry: QuarantinedRecord): Promise<void>;
}
