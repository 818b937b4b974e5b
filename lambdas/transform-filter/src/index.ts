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
export { DEFAULT_BINDING_TTL_MS, type RouteBindings } from "./core/stages/route.ts";
/** Shared with connection-sync through `@trust-callbacks/runtime`; re-exported for the scripts that import the core. */
export { failed, failureOf, found, notFound, type Failed, type Found, type NotFound, type Result, type Retry } from "@trust-callbacks/runtime";
export { PermanentError, TransientError, describeError } from "@trust-callbacks/runtime";
export type { PipeKinesisRecord } from "./core/records.ts";
export { endpointRulePattern, signedBusEntry, type CallbackDetail } from "./core/routing.ts";
export { buildCloudEvent, cloudEventTime, type CallbackCloudEvent } from "./core/cloudevent.ts";
export { minimalEventData } from "./core/decrypt.ts";
export { NoActiveSigningKey, canonicalJson, setSigningKeyCacheSize, signCanonical, signingKeysAt } from "./core/signature.ts";
export { createLogger } from "@trust-callbacks/runtime";
export { handleSupportRequest, type SupportSignerDeps, type SupportSignerSettings } from "./support-signer.ts";
/** The hold drain (docs/guarantees.md 10.10-10.16): the Lambda's and the local pipeline's one code path. */
export { runHoldDrain, signerDrainSender, type HoldDrainDeps } from "./hold-drain.ts";
export { DRAIN_RESERVE_MS, drainHolds, type DrainOptions, type DrainPlan, type DrainReport, type DrainSender, type EndpointDrainReport } from "./core/drain.ts";
export type { EndpointRef, HeldDelivery, HoldStateStore, HoldStore, NoticeLog, ReceivedDelivery } from "./core/hold-ports.ts";
