import { KMSClient } from "@aws-sdk/client-kms";
import type { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Logger } from "pino";
import type { AwsClientConfig } from "@trust-callbacks/runtime/aws";
import { CachingDataKeyUnwrapper, KmsDataKeyUnwrapper } from "./adapters/kms-data-keys.ts";
import { S3IndexedSubscriptionSource } from "./adapters/s3-subscription-index.ts";
import { S3SubscriptionSource } from "./adapters/s3-subscriptions.ts";
import { SecretsManagerSigningSecrets } from "./adapters/secrets-manager-signing-secrets.ts";
import type { LambdaEnvironment } from "./config.ts";

type LookupEnvironment = Pick<
  LambdaEnvironment,
  | "DATA_KEY_KMS_KEY_ARN"
  | "DATA_KEY_CACHE_SIZE"
  | "DATA_KEY_TTL_SECONDS"
  | "SUBSCRIPTIONS_BUCKET"
  | "SUBSCRIPTIONS_PREFIX"
  | "SUBSCRIPTION_INDEX_KEYS"
  | "SUBSCRIPTION_TTL_SECONDS"
  | "SUBSCRIPTION_INDEX_MAX_STALE_SECONDS"
  | "SIGNING_SECRET_TTL_SECONDS"
  | "SIGNING_SECRET_CACHE_SIZE"
>;

/**
 * The lookups the transform function and the support signer share: field data keys, subscription documents and
 * signing secrets, wired once from the environment both functions read, so the signer can never drift from the
 * Lambda (the same caches, bounds and staleness limit: docs/guarantees.md 1.6, 6.4).
 */
export function lookupAdapters(
  env: LookupEnvironment,
  s3: S3Client,
  clientConfig: AwsClientConfig,
  logger: Logger,
  clients?: { kms?: KMSClient; secretsManager?: SecretsManagerClient },
) {
  const subscriptionSettings = { bucket: env.SUBSCRIPTIONS_BUCKET, ttlMs: env.SUBSCRIPTION_TTL_SECONDS * 1000, maxStaleMs: env.SUBSCRIPTION_INDEX_MAX_STALE_SECONDS * 1000, logger };
  return {
    keys: new CachingDataKeyUnwrapper(new KmsDataKeyUnwrapper(clients?.kms ?? new KMSClient(clientConfig), env.DATA_KEY_KMS_KEY_ARN), {
      maxKeys: env.DATA_KEY_CACHE_SIZE,
      ttlMs: env.DATA_KEY_TTL_SECONDS * 1000,
    }),
    // Deployed: the index shards (one revalidation per bus for every trust, and each trust's bus). Without one: per document.
    subscriptions: env.SUBSCRIPTION_INDEX_KEYS
      ? new S3IndexedSubscriptionSource(s3, { ...subscriptionSettings, indexKeys: env.SUBSCRIPTION_INDEX_KEYS })
      : new S3SubscriptionSource(s3, { ...subscriptionSettings, prefix: env.SUBSCRIPTIONS_PREFIX }),
    secrets: new SecretsManagerSigningSecrets(clients?.secretsManager ?? new SecretsManagerClient(clientConfig), {
      ttlMs: env.SIGNING_SECRET_TTL_SECONDS * 1000,
      maxSecrets: env.SIGNING_SECRET_CACHE_SIZE,
    }),
  };
}
