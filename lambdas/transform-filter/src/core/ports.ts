import type { SigningSecret, TrustConfig } from "@trust-callbacks/schemas";
import type { Failed, Found, Result } from "@trust-callbacks/runtime";

/**
 * The narrow interfaces the core calls. AWS adapters implement them in Lambda; the local pipeline, tests
 * and benchmarks pass their own. Answers come as a `Result`; a method may also throw TransientError or
 * PermanentError (anything else thrown counts as transient), which the core reads as a `Failed`.
 */

/** Unwraps a data key that KMS (or the local key provider) wrapped under an encryption context. */
export interface DataKeyUnwrapper {
  unwrap(wrappedKey: string, encryptionContext: Record<string, string>): Promise<Buffer>;
  /** What `unwrap` would answer now, when it is at hand without waiting (a fresh cache entry); see `lookupEach`. */
  cached?(wrappedKey: string, encryptionContext: Record<string, string>): Buffer | undefined;
}

/** A trust's subscription document (its trust config file, as deployed) and the version it was read at. */
export interface Subscription {
  config: TrustConfig;
  version: string;
  /** The callbacks bus this trust's rules are on (from the deployment's subscription index); unset: the default bus. */
  eventBus?: string;
  /**
   * SHA-256 (hex) of the document's bytes as read. With `version` (the S3 version id) it is what a conversation
   * binding records; a source that leaves it unset cannot bind conversations (they use the current document).
   */
  digest?: string;
}

/**
 * Found: the trust's document. Not found: no document, an unknown trust. Failed with `never`: the
 * document exists but is invalid (the reason says why).
 */
export type SubscriptionLookup = Result<Subscription>;

/** Reads a trust's subscription document (the deployed trust config file). */
export interface SubscriptionSource {
  get(trustId: string): Promise<SubscriptionLookup>;
  /** What `get` would answer now, when it is at hand without waiting (a fresh cache entry); see `lookupEach`. */
  cached?(trustId: string): SubscriptionLookup | undefined;
}

/**
 * An endpoint's signing secret: its keys, parsed (`parseSigningSecret`), or its SecretString as stored, in either
 * format (a `whsec_...` key, or a key set with the previous keys of a rotation and their end times).
 */
export type SigningSecretValue = string | SigningSecret;

/** Returns the signing secret named by an endpoint's `signingSecret`. */
export interface SigningSecretSource {
  get(secretName: string): Promise<SigningSecretValue>;
  /** What `get` would answer now, when it is at hand without waiting (a fresh cache entry); see `lookupEach`. */
  cached?(secretName: string): SigningSecretValue | undefined;
}

/** One PutEvents entry, as EventBridge counts and routes it. */
export interface BusEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  EventBusName: string;
}

/**
 * One entry's answer from the bus: found (accepted, with the bus's event id) or failed, classified by the
 * publisher: `now` (throttled: resend in this invocation), `later` (the Pipe retries the record) or
 * `never` (the entry itself is refused: quarantine it).
 */
export type PublishResult = Found<{ eventId: string }> | Failed;
/**
 * Sends one PutEvents call (at most 10 entries); results match entries in length and order. A call that
 * fails as a whole answers each entry with a `Failed` (or throws; the core then resends the call).
 */
export interface EventPublisher {
  putEvents(entries: BusEntry[]): Promise<PublishResult[]>;
}

/**
 * One delivery the bus accepted: the call history's record of it. Identifiers only, never content: the
 * trust and endpoint, the CloudEvent id (what the receiver dedupes on), the platform event's id and
 * correlation id, the event type, the bus's own event id (PutEvents `EventId`, which the bus's logs of
 * target invocations name) and when it was accepted.
 */
export interface PublishedDelivery {
  trustId: string;
  endpointId: string;
  cloudEventId: string;
  sourceEventId: string;
  eventCorrelationId: string;
  eventType: string;
  busEventId: string;
  publishedAt: string;
}

/** Where published deliveries are recorded (the Lambda: one log line each at info; the local pipeline: a file). */
export interface DeliveryHistory {
  published(delivery: PublishedDelivery): void;
}

/**
 * A quarantined record as stored for people to inspect and replay. The field names are the stored
 * document's: `eventID` is the Kinesis record id, `eventId` the platform event id.
 */
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

/**
 * A conversation's binding: the version of its trust's subscription document that was current when its
 * `conversation.created` was processed. Later events of the conversation are filtered with that version (see
 * `boundConfig` in core/filter.ts for what still follows the current document). Times are ms since the epoch.
 */
export interface ConversationBinding {
  trustId: string;
  conversationId: string;
  /** The document's S3 version id (`Subscription.version`): names bytes that never change. */
  documentVersion: string;
  /** SHA-256 of those bytes (`Subscription.digest`): equal to the current digest means "same document, no read". */
  documentDigest: string;
  createdAt: number;
  /** From this instant on the binding counts as absent, whatever the store still holds. */
  expiresAt: number;
}

/** Names one conversation of one trust. */
export interface ConversationKey {
  trustId: string;
  conversationId: string;
}

/** The one string a conversation is known by in maps and in the bindings table. */
export const conversationKey = ({ trustId, conversationId }: ConversationKey): string => `${trustId}#${conversationId}`;

/**
 * Where conversation bindings are kept (DynamoDB in Lambda). Bindings never change once written; expired ones
 * may still be answered (the store deletes late) and the core treats them as absent.
 */
export interface ConversationBindingStore {
  /**
   * One answer per key (by `conversationKey`): found, not found, or failed (`now`/`later`: the record is handed
   * back; nothing is filtered on a guess). One call for the whole batch, so the store can batch its reads.
   */
  getMany(keys: readonly ConversationKey[]): Promise<Map<string, Result<ConversationBinding>>>;
  /**
   * Writes `binding` unless the conversation already has one that has not expired (the first binding wins, so
   * Pipe retries and duplicate `conversation.created` events change nothing), and answers the binding in force.
   */
  bind(binding: ConversationBinding): Promise<Result<ConversationBinding>>;
}

/**
 * Reads one past version of a trust's subscription document. Versions are immutable, so answers may be cached
 * for good. Not found: the version no longer exists (the conversation then uses the current document).
 */
export interface SubscriptionVersionSource {
  getVersion(trustId: string, version: string, digest: string): Promise<SubscriptionLookup>;
}
