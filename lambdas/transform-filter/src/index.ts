/**
 * The transform-and-filter core and its ports, for the local pipeline, the tools, tests and benchmarks.
 * Adapters come from their own subpaths: `/aws` (KMS, S3, Secrets Manager, EventBridge), `/local` (the
 * local key provider), `/handler` (the Lambda), `/testing` (SDK-level answers).
 */
export { processBatch, DEFAULT_SETTINGS, type ProcessorDeps, type ProcessorSettings } from "./core/process-batch.ts";
export {
  WholeBatchRetry,
  type BatchCounts,
  type BatchResult,
  type DeliveryOutcome,
  type RecordOutcome,
} from "./core/stages/report.ts";
export type { DeliveryState, RecordState } from "./core/stages/batch.ts";
export type {
  BusEntry,
  ConversationBinding,
  ConversationBindingStore,
  ConversationKey,
  SubscriptionVersionSource,
  DataKeyUnwrapper,
  DeliveryHistory,
  EventPublisher,
  PublishedDelivery,
  PublishResult,
  QuarantineSink,
  QuarantinedRecord,
  SigningSecretSource,
  SigningSecretValue,
  Subscription,
  SubscriptionLookup,
  SubscriptionSource,
} from "./core/ports.ts";
export { conversationKey } from "./core/ports.ts";
export { boundConfig } from "./core/filter.ts";
export { DEFAULT_BINDING_TTL_MS, type RouteBindings } from "./core/stages/conversation-bindings.ts";
export type { PipeKinesisRecord } from "./core/records.ts";
export { endpointRulePattern } from "./core/rule-pattern.ts";
export { signedBusEntry } from "./core/signed-entry.ts";
export { buildCloudEvent, cloudEventTime } from "./core/cloudevent.ts";
export { minimalEventData } from "./core/event-data.ts";
export { NoActiveSigningKey, canonicalJson, setSigningKeyCacheSize, signCanonical, signingKeysAt } from "./core/signature.ts";
export { handleSupportRequest, type SupportSignerDeps, type SupportSignerSettings } from "./support-signer.ts";
/** The hold drain (docs/guarantees.md 10.10-10.16): the Lambda's and the local pipeline's one code path. */
export { runHoldDrain, signerDrainSender, type HoldDrainDeps } from "./hold-drain.ts";
export { DRAIN_EMPTY_SETTLE_MS, DRAIN_RESERVE_MS, drainHolds, type DrainOptions, type DrainPlan, type DrainReport, type DrainSender, type EndpointDrainReport } from "./core/drain.ts";
export type { EndpointRef, HeldDelivery, HoldStateStore, HoldStore, NoticeLog, ReceivedDelivery } from "./core/hold-ports.ts";
export type { HoldDeps } from "./core/stages/hold.ts";
