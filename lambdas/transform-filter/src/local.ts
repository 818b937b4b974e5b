/** Stand-ins for AWS services where there is no AWS account: the local pipeline, tests and the benchmark. */
export { LocalKeyProvider } from "./adapters/local-key-provider.ts";
/** Local stand-ins for the bindings table and the versioned subscription bucket (local pipeline, tests). */
export { LocalConversationBindings, VersionedSubscriptions, type FaultHook } from "./testing/bindings.ts";
export { plainConversationEvent } from "./testing/conversations.ts";
export { InMemoryHoldStates, InMemoryHoldStore, InMemoryNoticeLog, type HoldStoreSnapshot } from "./testing/holds.ts";
