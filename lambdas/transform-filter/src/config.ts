import { z } from "zod";
import { formatIssues } from "@trust-callbacks/schemas";
import { DEFAULT_SETTINGS } from "./core/process-batch.ts";

const seconds = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

/** The Lambda's environment variables (set by the pipeline Terraform module). */
export const LambdaEnvironment = z.object({
  ENVIRONMENT: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  BUS_SOURCE: z.string().min(1).default(DEFAULT_SETTINGS.busSource),
  CLOUDEVENT_SOURCE: z.string().min(1).optional(),
  SUBSCRIPTIONS_BUCKET: z.string().min(1),
  SUBSCRIPTIONS_PREFIX: z.string().default("subscriptions/"),
  /** The deployment's subscription index shards, comma-separated, one per callbacks bus (each bus's trusts stack writes its own). */
  SUBSCRIPTION_INDEX_KEYS: z
    .string()
    .min(1)
    .transform((keys) => keys.split(",").map((key) => key.trim()))
    .refine((keys) => keys.every((key) => key.length > 0), "SUBSCRIPTION_INDEX_KEYS must be a comma-separated list of S3 keys")
    .optional(),
  QUARANTINE_BUCKET: z.string().min(1),
  QUARANTINE_PREFIX: z.string().default("quarantine/"),
  DATA_KEY_KMS_KEY_ARN: z.string().min(1).optional(),
  /** The conversation bindings table (modules/pipeline/dynamodb.tf); unset: every event uses the current document. */
  BINDINGS_TABLE: z.string().min(3).optional(),
  /**
   * Holds (docs/adr/0002-holds.md): the holds table, the hold stores' URL base (`https://sqs.<region>.amazonaws.com/<account>/`;
   * a store's URL adds `holdQueueName(NAME_PREFIX, trust, endpoint)`) and the deployment's name prefix. All three or
   * none (`holdAdapters` refuses a part); none: nothing is held (every delivery goes to the bus, windows and hold
   * states unread).
   */
  HOLDS_TABLE_NAME: z.string().min(3).optional(),
  HOLD_QUEUE_URL_BASE: z.url({ protocol: /^https?$/ }).refine((url) => url.endsWith("/"), "HOLD_QUEUE_URL_BASE must end with /").optional(),
  NAME_PREFIX: z.string().min(1).optional(),
  /** Days a binding counts after it is made (Terraform: lambda.binding_ttl_days). */
  BINDING_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  // At most 256 KiB: a larger entry could not be kept in a trust's DLQ (Terraform caps the variable the same way).
  MAX_PUT_EVENTS_BYTES: z.coerce.number().int().min(1024).max(256 * 1024).default(DEFAULT_SETTINGS.maxPutEventsBytes),
  PUBLISH_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(DEFAULT_SETTINGS.publishAttempts),
  SUBSCRIPTION_TTL_SECONDS: seconds(60),
  /** How long past its TTL the index (or a document) that cannot be revalidated is still served; then its records are retried (docs/guarantees.md 1.6). */
  SUBSCRIPTION_INDEX_MAX_STALE_SECONDS: seconds(300),
  // Each cached signing secret and data key in use costs a call per TTL per container: at 3,000 endpoints and
  // 300 s that is ~$4.30 a day per container in Secrets Manager calls; at 900 s, a third. A rotated signing key
  // overlaps the old one for far longer (rotate-signing-key), and a data key never changes, so 15 minutes is safe.
  SIGNING_SECRET_TTL_SECONDS: seconds(900),
  DATA_KEY_TTL_SECONDS: seconds(900),
  // Cache bounds, sized by Terraform from the deployment (trusts and endpoints); the defaults suit a small one.
  DATA_KEY_CACHE_SIZE: z.coerce.number().int().min(1).default(1000),
  SIGNING_SECRET_CACHE_SIZE: z.coerce.number().int().min(1).default(1000),
  /** The function's own timeout (Terraform: lambda.timeout_seconds): every AWS call is timed to fit in it (awsTimeoutsFor). */
  LAMBDA_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(900).default(60),
  METRICS_NAMESPACE: z.string().min(1).default("TrustCallbacks"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
});
export type LambdaEnvironment = z.infer<typeof LambdaEnvironment>;

export function readLambdaEnvironment(env: NodeJS.ProcessEnv): LambdaEnvironment {
  const parsed = LambdaEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`invalid Lambda environment: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
