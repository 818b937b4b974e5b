/**
 * Stand-ins for EventBridge connections and Secrets Manager, so the local pipeline runs the same sync code path as
 * the deployed function: connections are created with placeholder credentials (as Terraform creates them), hold no
 * usable credentials until a sync puts the secret's on them, and can be deauthorized to rehearse a recovery.
 */
import { found, notFound, type Result } from "@trust-callbacks/runtime";
import { endpointResourceName, type TrustConfig } from "@trust-callbacks/schemas";
import { expectedFromTrusts } from "./core/deployment-map.ts";
import {
  AUTHORIZATION_TYPE,
  type AuthKind,
  type AuthorizationType,
  type ConnectionDetails,
  type ConnectionState,
  type ConnectionSummary,
  type ExpectedCredentials,
  type SecretVersion,
  type UpdateConnectionRequest,
} from "./core/model.ts";
import type { ConnectionsPort, DeploymentPort, SecretsPort, SyncLogger } from "./core/ports.ts";
import { syncConnections, type SyncReport, type SyncRequest } from "./core/sync.ts";

/** The credentials a local API destination sends: the shape of scripts/local-pipeline's ConnectionCredentials. */
export type LocalConnectionCredentials =
  | { type: "oauth2_client_credentials"; tokenUrl: string; scopes: string[]; clientId: string; clientSecret: string }
  | { type: "basic"; username: string; password: string }
  | { type: "api_key"; headerName: string; value: string };

interface LocalConnection {
  name: string;
  kind: AuthKind;
  authorizationType: AuthorizationType;
  state: ConnectionState;
  lastModified: Date;
  tokenUrl?: string;
  scopes: string[];
  headerName?: string;
  description?: string;
  /** undefined: an AWS owned key, as EventBridge uses when an update names no key. */
  kmsKeyIdentifier?: string;
  /** undefined while the connection holds Terraform's placeholders. */
  credentials?: LocalConnectionCredentials;
}

/** In-memory connections with EventBridge's observable behaviour for what the sync uses. */
export class InMemoryConnections implements ConnectionsPort {
  private readonly connections = new Map<string, LocalConnection>();
  readonly updates: string[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  /** One connection per endpoint of the trusts, named as Terraform names them, holding placeholders. */
  static forTrusts(namePrefix: string, trusts: TrustConfig[], clock?: () => Date): InMemoryConnections {
    const connections = new InMemoryConnections(clock);
    for (const trust of trusts) {
      for (const endpoint of trust.endpoints) {
        const auth = endpoint.auth;
        connections.create(endpointResourceName(namePrefix, trust.trustId, endpoint.id), auth.type, {
          ...(auth.type === "oauth2_client_credentials" ? { tokenUrl: auth.tokenUrl, scopes: auth.scopes } : {}),
          ...(auth.type === "api_key" ? { headerName: auth.headerName } : {}),
        });
      }
    }
    return connections;
  }

  /**
   * As Terraform creates it: placeholder credentials. EventBridge authorizes a Basic or API-key connection at once
   * and an OAuth one only when its token request succeeds, which a placeholder's cannot.
   */
  create(name: string, kind: AuthKind, parameters: { tokenUrl?: string; scopes?: string[]; headerName?: string; kmsKeyIdentifier?: string } = {}): void {
    this.connections.set(name, {
      name,
      kind,
      authorizationType: AUTHORIZATION_TYPE[kind],
      state: kind === "oauth2_client_credentials" ? "DEAUTHORIZED" : "AUTHORIZED",
      lastModified: this.clock(),
      scopes: parameters.scopes ?? [],
      ...(parameters.tokenUrl ? { tokenUrl: parameters.tokenUrl } : {}),
      ...(parameters.headerName ? { headerName: parameters.headerName } : {}),
      ...(parameters.kmsKeyIdentifier ? { kmsKeyIdentifier: parameters.kmsKeyIdentifier } : {}),
    });
  }

  /** The key EventBridge would encrypt the connection's secret with: undefined for an AWS owned key. */
  kmsKey(name: string): string | undefined {
    return this.connections.get(name)?.kmsKeyIdentifier;
  }

  /** What EventBridge does on a refused token or a 401/407: the connection stays, its credentials are not used. */
  deauthorize(name: string): void {
    const connection = this.connections.get(name);
    if (connection) connection.state = "DEAUTHORIZED";
  }

  state(name: string): ConnectionState | undefined {
    return this.connections.get(name)?.state;
  }

  /** The credentials a delivery may use: none before the first sync, none while deauthorized. */
  credentials(name: string): LocalConnectionCredentials | undefined {
    const connection = this.connections.get(name);
    return connection?.state === "AUTHORIZED" ? connection.credentials : undefined;
  }

  async list(namePrefix: string): Promise<ConnectionSummary[]> {
    return [...this.connections.values()]
      .filter((connection) => connection.name.startsWith(namePrefix))
      .map((connection) => ({ name: connection.name, state: connection.state, authorizationType: connection.authorizationType, lastModified: connection.lastModified }));
  }

  async describe(name: string): Promise<Result<ConnectionDetails>> {
    const connection = this.connections.get(name);
    if (!connection) return notFound(`no local connection ${name}`);
    return found({
      name,
      state: connection.state,
      authorizationType: connection.authorizationType,
      lastModified: connection.lastModified,
      ...(connection.description ? { description: connection.description } : {}),
      ...(connection.kmsKeyIdentifier ? { kmsKeyIdentifier: connection.kmsKeyIdentifier } : {}),
      ...(connection.headerName ? { apiKeyName: connection.headerName } : {}),
      ...(connection.tokenUrl ? { oauth: { authorizationEndpoint: connection.tokenUrl, httpMethod: "POST" as const } } : {}),
    });
  }

  async update(request: UpdateConnectionRequest): Promise<Result<{ state: ConnectionState }>> {
    const connection = this.connections.get(request.Name);
    if (!connection) return notFound(`no local connection ${request.Name}`);
    const auth = request.AuthParameters;
    if (request.AuthorizationType !== connection.authorizationType) {
      // EventBridge changes the type when asked; the sync never asks (Terraform owns the type), so refuse loudly here.
      throw new Error(`local connection ${request.Name} is ${connection.authorizationType}, not ${request.AuthorizationType}`);
    }
    if (connection.kind === "oauth2_client_credentials" && auth.OAuthParameters) {
      const client = auth.OAuthParameters.ClientParameters;
      if (auth.OAuthParameters.AuthorizationEndpoint) connection.tokenUrl = auth.OAuthParameters.AuthorizationEndpoint;
      connection.credentials = { type: "oauth2_client_credentials", tokenUrl: connection.tokenUrl ?? "", scopes: connection.scopes, clientId: client.ClientID, clientSecret: client.ClientSecret };
    } else if (connection.kind === "basic" && auth.BasicAuthParameters) {
      connection.credentials = { type: "basic", username: auth.BasicAuthParameters.Username, password: auth.BasicAuthParameters.Password };
    } else if (connection.kind === "api_key" && auth.ApiKeyAuthParameters) {
      connection.credentials = { type: "api_key", headerName: connection.headerName ?? auth.ApiKeyAuthParameters.ApiKeyName ?? "", value: auth.ApiKeyAuthParameters.ApiKeyValue };
    }
    // UpdateConnection: an omitted KmsKeyIdentifier means an AWS owned key; an omitted Description leaves it.
    connection.kmsKeyIdentifier = request.KmsKeyIdentifier;
    if (request.Description !== undefined) connection.description = request.Description;
    connection.state = "AUTHORIZED";
    connection.lastModified = this.clock();
    this.updates.push(request.Name);
    return found({ state: connection.state });
  }
}

/** Secrets by name (the local secrets file, `{ "<secret name>": "<SecretString>" }`), each with a creation time. */
export class LocalSecrets implements SecretsPort {
  private readonly versions = new Map<string, SecretVersion>();

  constructor(
    values: Record<string, string> = {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    for (const [name, value] of Object.entries(values)) this.put(name, value);
  }

  /** A new current version, as PutSecretValue makes one. */
  put(name: string, value: string): void {
    const createdAt = this.clock();
    this.versions.set(name, { value, versionId: `local-${createdAt.getTime()}`, createdAt });
  }

  async get(secretName: string): Promise<Result<SecretVersion>> {
    const version = this.versions.get(secretName);
    return version ? found(version) : notFound(`no local secret ${secretName}`);
  }
}

/** The deployment's expectations, straight from trust files (what Terraform writes to S3 when deployed). */
export class TrustFilesDeployment implements DeploymentPort {
  private readonly entries: ExpectedCredentials[];
  constructor(namePrefix: string, trusts: TrustConfig[]) {
    this.entries = expectedFromTrusts(namePrefix, trusts);
  }
  async expected(): Promise<Result<ExpectedCredentials[]>> {
    return found(this.entries);
  }
}

const quiet: SyncLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * The local pipeline's sync: the same syncConnections the Lambda runs. Without `request` it does what the first
 * apply does, a forced sync of every connection of the trusts.
 */
export function syncLocalConnections(options: {
  namePrefix: string;
  trusts: TrustConfig[];
  connections: InMemoryConnections;
  secrets: SecretsPort;
  request?: SyncRequest;
  logger?: SyncLogger;
}): Promise<SyncReport> {
  const deployment = new TrustFilesDeployment(options.namePrefix, options.trusts);
  const request: SyncRequest = options.request ?? {
    action: "sync",
    force: true,
    connections: expectedFromTrusts(options.namePrefix, options.trusts).map((entry) => ({ name: entry.connection, credentialsSecret: entry.secretName, auth: entry.kind })),
  };
  return syncConnections(request, {
    connections: options.connections,
    secrets: options.secrets,
    deployment,
    connectionNamePrefix: `${options.namePrefix}-`,
    logger: options.logger ?? quiet,
  });
}
