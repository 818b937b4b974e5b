/**
 * The connection-sync core and its ports, for the Lambda, the local pipeline and the support CLI. Adapters come
 * from their own subpaths: `/aws` (EventBridge, Secrets Manager, S3), `/local` (in-memory connections and secrets),
 * `/handler` (the Lambda).
 */
export { syncConnections, staleness, SyncUnavailable, type SyncDeps, type SyncReport, type SyncRequest } from "./core/sync.ts";
export { credentialsUpdate } from "./core/credentials.ts";
export { parseTrigger, secretNameOf, type Trigger } from "./core/trigger.ts";
export { ConnectionCredentialsMap, expectedFromTrusts, parseConnectionCredentialsMap } from "./core/deployment-map.ts";
export {
  AUTHORIZATION_TYPE,
  CONNECTION_STATES,
  type AuthKind,
  type ConnectionDetails,
  type ConnectionOutcome,
  type ConnectionState,
  type ConnectionSummary,
  type ExpectedCredentials,
  type SecretVersion,
  type UpdateConnectionRequest,
} from "./core/model.ts";
export type { ConnectionsPort, DeploymentPort, SecretsPort, SyncLogger } from "./core/ports.ts";
export { METRICS_SERVICE_NAME, publishSyncMetrics } from "./metrics.ts";
