/**
 * The connection-sync core's vocabulary. Pure data: no AWS SDK import here; the adapters translate to and from the
 * SDK's shapes (the update request below is structurally the SDK's UpdateConnectionRequest, which
 * `adapters/eventbridge-connections.test.ts` pins at compile time).
 */

/** The trust file's `auth.type`: what the deployment expects a connection's credentials to be. */
export type AuthKind = "oauth2_client_credentials" | "basic" | "api_key";

export type AuthorizationType = "OAUTH_CLIENT_CREDENTIALS" | "BASIC" | "API_KEY";

/** EventBridge's `authorization_type` for each kind (the same table as modules/trust-endpoint). */
export const AUTHORIZATION_TYPE: Record<AuthKind, AuthorizationType> = {
  oauth2_client_credentials: "OAUTH_CLIENT_CREDENTIALS",
  basic: "BASIC",
  api_key: "API_KEY",
};

/**
 * A connection's state (EventBridge API Reference, ListConnections / DescribeConnection:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListConnections.html).
 * AUTHORIZED: credentials accepted; DEAUTHORIZED: EventBridge stopped using them (OAuth token refresh failed, or
 * 401/407 on Basic/API key, or the secret or its KMS key unusable: EventBridge User Guide, "De-authorizing
 * connections", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-deauthorize.html).
 * ACTIVE and FAILED_CONNECTIVITY concern connections to private APIs.
 */
export const CONNECTION_STATES = [
  "CREATING",
  "UPDATING",
  "DELETING",
  "AUTHORIZED",
  "DEAUTHORIZED",
  "AUTHORIZING",
  "DEAUTHORIZING",
  "ACTIVE",
  "FAILED_CONNECTIVITY",
] as const;
export type ConnectionState = (typeof CONNECTION_STATES)[number] | "UNKNOWN";

/** States in which EventBridge is still working on the connection: leave it to the next run unless forced. */
export const TRANSITIONAL_STATES: ReadonlySet<ConnectionState> = new Set(["CREATING", "UPDATING", "DELETING", "AUTHORIZING", "DEAUTHORIZING"]);

/** What ListConnections says of a connection (no secret, no parameters). */
export interface ConnectionSummary {
  name: string;
  state: ConnectionState;
  authorizationType?: AuthorizationType;
  /** When the connection was last changed (by Terraform or by a sync). */
  lastModified?: Date;
}

/** DescribeConnection's non-secret parameters, echoed unchanged in the update so that only the secret parts change. */
export interface ConnectionDetails extends ConnectionSummary {
  /** The connection's description: a sync writes into it the secret version it put on the connection (syncedVersionOf). */
  description?: string;
  /** The KMS key EventBridge encrypts the connection's own secret with, when it is a customer managed key. */
  kmsKeyIdentifier?: string;
  apiKeyName?: string;
  oauth?: {
    authorizationEndpoint?: string;
    httpMethod?: "GET" | "POST" | "PUT";
    httpParameters?: HttpParameters;
  };
}

export interface HttpParameter {
  Key?: string;
  Value?: string;
  IsValueSecret?: boolean;
}

export interface HttpParameters {
  HeaderParameters?: HttpParameter[];
  QueryStringParameters?: HttpParameter[];
  BodyParameters?: HttpParameter[];
}

/** What the deployment says about one connection: which secret holds its credentials, and of which kind. */
export interface ExpectedCredentials {
  connection: string;
  secretName: string;
  kind: AuthKind;
  /**
   * The trust file's non-secret authorization parameters. connection-sync owns them after create: Terraform creates
   * an OAuth connection against a placeholder token URL (modules/trust-endpoint), and the trust's token URL reaches
   * the connection only together with the secret's credentials.
   */
  tokenUrl?: string;
  scopes?: string[];
  headerName?: string;
}

/** The current version of a credentials secret. `value` never leaves the core except inside an update request. */
export interface SecretVersion {
  value: string;
  versionId?: string;
  /** When this version was created: a version newer than the connection's last change has not reached it yet. */
  createdAt?: Date;
}

/**
 * UpdateConnection's input (EventBridge API Reference, UpdateConnection:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UpdateConnection.html). The same shape as the
 * SDK's UpdateConnectionRequest, limited to what the sync sends.
 */
export interface UpdateConnectionRequest {
  Name: string;
  AuthorizationType: AuthorizationType;
  /**
   * Always sent when the deployment has a connection key: "If you do not specify a customer managed key identifier,
   * EventBridge uses an AWS owned key to encrypt the connection" (UpdateConnection, KmsKeyIdentifier).
   */
  KmsKeyIdentifier?: string;
  /** Names the secret version this update puts on the connection (connectionDescription). */
  Description?: string;
  AuthParameters: {
    BasicAuthParameters?: { Username: string; Password: string };
    ApiKeyAuthParameters?: { ApiKeyName?: string; ApiKeyValue: string };
    OAuthParameters?: {
      ClientParameters: { ClientID: string; ClientSecret: string };
      AuthorizationEndpoint?: string;
      HttpMethod?: "GET" | "POST" | "PUT";
      OAuthHttpParameters?: HttpParameters;
    };
  };
}

/** How one connection ended in a run. Never holds a credential: names, states and reasons only. */
export type ConnectionOutcome =
  | { connection: string; status: "updated"; stateBefore: ConnectionState; stateAfter: ConnectionState; why: string }
  | { connection: string; status: "unchanged"; stateBefore: ConnectionState; why: string }
  | { connection: string; status: "skipped"; stateBefore: ConnectionState; why: string }
  | { connection: string; status: "failed"; stateBefore: ConnectionState; retry: "now" | "later" | "never"; why: string };

export type OutcomeStatus = ConnectionOutcome["status"];
