import { z } from "zod";
import { failed, found, type Result } from "@trust-callbacks/runtime";
import { AUTHORIZATION_TYPE, type AuthKind, type ConnectionDetails, type ExpectedCredentials, type HttpParameters, type UpdateConnectionRequest } from "./model.ts";

// EventBridge accepts 1-512 characters for each of these values (API Reference, UpdateConnection's
// UpdateConnectionBasicAuthRequestParameters, UpdateConnectionOAuthClientRequestParameters,
// UpdateConnectionApiKeyAuthRequestParameters; the AWS provider validates the same range).
const value = z.string().min(1).max(512);

/** The secret's JSON for each kind, as the trust file's schema documents it (schemas/src/trust-config.ts). */
const SECRET_SHAPES = {
  oauth2_client_credentials: z.object({ client_id: value, client_secret: value }),
  basic: z.object({ username: value, password: value }),
  api_key: z.object({ api_key: value }),
} as const;

const FIELDS: Record<AuthKind, string> = {
  oauth2_client_credentials: '{"client_id": "...", "client_secret": "..."}',
  basic: '{"username": "...", "password": "..."}',
  api_key: '{"api_key": "..."}',
};

/**
 * Says what is wrong with a secret's JSON without quoting it: field names and rules only. (zod's own messages name
 * types and sizes, never the received value, but the field list is built here so that stays true.)
 */
function describeProblems(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join(".") || "(value)";
      if (issue.code === "invalid_type") return `${field} is missing or not a string`;
      if (issue.code === "too_small") return `${field} is empty`;
      if (issue.code === "too_big") return `${field} is longer than 512 characters`;
      return `${field} is invalid`;
    })
    .join(", ");
}

function parseJsonObject(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // JSON.parse's message quotes part of the text: never pass it on.
    return undefined;
  }
}

/** Secrets Manager's VersionId is 32 to 64 characters (API Reference, GetSecretValue); room to spare. */
const SYNCED_VERSION = /secret version ([A-Za-z0-9_-]{1,100})$/;

/**
 * The connection description a sync writes with the credentials, naming the secret version they came from: the same
 * UpdateConnection call changes both, so the description never names a version the connection does not hold.
 * (Terraform ignores later changes to the description: modules/trust-endpoint.)
 */
export function connectionDescription(kind: AuthKind, versionId: string): string {
  return `${kind} credentials from secret version ${versionId}`;
}

/** The secret version the last sync put on a connection, read from its description; undefined when none says so. */
export function syncedVersionOf(description: string | undefined): string | undefined {
  return description ? SYNCED_VERSION.exec(description)?.[1] : undefined;
}

/**
 * Terraform creates every OAuth connection against a token URL under `.invalid`, a name reserved never to resolve
 * (RFC 6761, section 6.4: https://www.rfc-editor.org/rfc/rfc6761#section-6.4), so EventBridge's token request at
 * create, which carries the placeholder client credentials, reaches no one (modules/trust-endpoint).
 */
export function isPlaceholderTokenUrl(url: string): boolean {
  try {
    return new URL(url).hostname.endsWith(".invalid");
  } catch {
    return true;
  }
}

/** The client-credentials token request's body parameters, as modules/trust-endpoint creates them. */
function oauthBodyParameters(scopes: string[]): HttpParameters {
  return {
    BodyParameters: [
      { Key: "grant_type", Value: "client_credentials", IsValueSecret: false },
      ...(scopes.length > 0 ? [{ Key: "scope", Value: scopes.join(" "), IsValueSecret: false }] : []),
    ],
  };
}

/** What every update carries besides the credentials: the connection's KMS key, and the secret version it puts on. */
export interface UpdateStamp {
  kmsKeyIdentifier?: string;
  versionId?: string;
}

/**
 * The UpdateConnection request that puts a secret's credentials on a connection, or one clear reason why not.
 * Non-secret parameters (the OAuth token URL, method and body parameters, the API key's header name) are echoed
 * from the connection as Terraform made it, so only the secret parts change. AuthorizationType is always sent:
 * EventBridge re-authorizes a connection to a public API when both the authorization type and its parameters are
 * updated, and ignores parameters of another type (EventBridge User Guide, "Updating connections",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-edit.html). This is also how a
 * DEAUTHORIZED connection is brought back ("update the connection with appropriate credentials", "De-authorizing
 * connections", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-target-connection-deauthorize.html).
 * The connection's KMS key is sent on every update: "If you do not specify a customer managed key identifier,
 * EventBridge uses an AWS owned key to encrypt the connection" (API Reference, UpdateConnection, KmsKeyIdentifier:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_UpdateConnection.html).
 */
export function credentialsUpdate(
  expected: ExpectedCredentials,
  connection: ConnectionDetails,
  secretString: string | undefined,
  stamp: UpdateStamp = {},
): Result<UpdateConnectionRequest> {
  const shape = `${expected.kind} needs ${FIELDS[expected.kind]}`;
  if (secretString === undefined || secretString === "") {
    return failed("never", `secret ${expected.secretName} has no SecretString (${shape})`);
  }
  const json = parseJsonObject(secretString);
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    return failed("never", `secret ${expected.secretName} is not a JSON object (${shape})`);
  }
  const base = {
    Name: expected.connection,
    AuthorizationType: AUTHORIZATION_TYPE[expected.kind],
    ...(stamp.kmsKeyIdentifier ? { KmsKeyIdentifier: stamp.kmsKeyIdentifier } : {}),
    ...(stamp.versionId ? { Description: connectionDescription(expected.kind, stamp.versionId) } : {}),
  };
  switch (expected.kind) {
    case "oauth2_client_credentials": {
      const parsed = SECRET_SHAPES.oauth2_client_credentials.safeParse(json);
      if (!parsed.success) return failed("never", `secret ${expected.secretName}: ${describeProblems(parsed.error)} (${shape})`);
      const oauth = connection.oauth ?? {};
      // The deployment's token URL first; the connection's only when it is a real one (not Terraform's placeholder).
      const tokenUrl = expected.tokenUrl ?? (oauth.authorizationEndpoint && !isPlaceholderTokenUrl(oauth.authorizationEndpoint) ? oauth.authorizationEndpoint : undefined);
      if (!tokenUrl) {
        return failed("never", `no token URL for ${expected.connection}: the deployment names none and the connection has Terraform's placeholder; apply the trust file (its auth.tokenUrl) first`);
      }
      const httpParameters = expected.scopes ? oauthBodyParameters(expected.scopes) : oauth.httpParameters;
      return found({
        ...base,
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: parsed.data.client_id, ClientSecret: parsed.data.client_secret },
            AuthorizationEndpoint: tokenUrl,
            HttpMethod: oauth.httpMethod ?? "POST",
            ...(httpParameters ? { OAuthHttpParameters: httpParameters } : {}),
          },
        },
      });
    }
    case "basic": {
      const parsed = SECRET_SHAPES.basic.safeParse(json);
      if (!parsed.success) return failed("never", `secret ${expected.secretName}: ${describeProblems(parsed.error)} (${shape})`);
      return found({ ...base, AuthParameters: { BasicAuthParameters: { Username: parsed.data.username, Password: parsed.data.password } } });
    }
    case "api_key": {
      const parsed = SECRET_SHAPES.api_key.safeParse(json);
      if (!parsed.success) return failed("never", `secret ${expected.secretName}: ${describeProblems(parsed.error)} (${shape})`);
      return found({
        ...base,
        AuthParameters: {
          ApiKeyAuthParameters: { ...((expected.headerName ?? connection.apiKeyName) ? { ApiKeyName: expected.headerName ?? connection.apiKeyName } : {}), ApiKeyValue: parsed.data.api_key },
        },
      });
    }
  }
}
