import { z } from "zod";
import { formatIssues } from "@trust-callbacks/schemas";

/** The connection-sync function's environment variables (set by infrastructure/terraform/modules/connection-sync). */
export const SyncEnvironment = z.object({
  ENVIRONMENT: z.string().min(1),
  /** `<name_prefix>-`: the function lists, and may update, only connections under it. */
  CONNECTION_NAME_PREFIX: z.string().min(2).max(64),
  CREDENTIALS_MAP_BUCKET: z.string().min(1),
  CREDENTIALS_MAP_KEY: z.string().min(1),
  /** The deployment's connection key, sent on every UpdateConnection (without it EventBridge uses an AWS owned key). */
  CONNECTION_KMS_KEY_ARN: z.string().min(1),
  /** SDK attempts per EventBridge call, in adaptive retry mode (the control plane is shared with Terraform's apply). */
  EVENTBRIDGE_MAX_ATTEMPTS: z.coerce.number().int().min(3).max(20).default(10),
  CONCURRENCY: z.coerce.number().int().min(1).max(20).default(4),
  METRICS_NAMESPACE: z.string().min(1).default("TrustCallbacks"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
});
export type SyncEnvironment = z.infer<typeof SyncEnvironment>;

export function readSyncEnvironment(env: NodeJS.ProcessEnv): SyncEnvironment {
  const parsed = SyncEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`invalid connection-sync environment: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
