/** The transform-and-filter core and its ports, for the local pipeline, tests and benchmarks. */
export * from "./core/cloudevent.ts";
export * from "./core/decrypt.ts";
export * from "./core/errors.ts";
export * from "./core/filter.ts";
export * from "./core/pack.ts";
export * from "./core/ports.ts";
export * from "./core/process-batch.ts";
export * from "./core/records.ts";
export * from "./core/routing.ts";
export * from "./core/signature.ts";
export { parseSubscriptionDocument } from "./adapters/s3-subscriptions.ts";
export { CachingDataKeyUnwrapper } from "./adapters/kms-data-keys.ts";
export { SIGNING_SECRET_PATTERN } from "./adapters/secrets-manager-signing-secrets.ts";
export { createLogger } from "./logger.ts";
export { LocalKeyProvider } from "./adapters/local-key-provider.ts";
