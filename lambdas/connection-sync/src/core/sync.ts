import { failureOf, type Result } from "@trust-callbacks/runtime";
import { credentialsUpdate, syncedVersionOf } from "./credentials.ts";
import {
  AUTHORIZATION_TYPE,
  TRANSITIONAL_STATES,
  type AuthKind,
  type ConnectionDetails,
  type ConnectionOutcome,
  type ConnectionState,
  type ConnectionSummary,
  type ExpectedCredentials,
  type OutcomeStatus,
  type SecretVersion,
} from "./model.ts";
import type { ConnectionsPort, DeploymentPort, SecretsPort, SyncLogger } from "./ports.ts";

/**
 * What to sync:
 * - `reconcile`: every connection of the deployment (the schedule). Updates a connection whose secret has a version
 *   newer than the connection's last change, and re-authorizes every DEAUTHORIZED one.
 * - `secret-changed`: the connections that use one secret (a Secrets Manager event); same rule as reconcile.
 * - `sync`: the named connections; `force` updates them whatever their state (apply time: a connection Terraform has
 *   just created or changed holds placeholder credentials).
 */
export type SyncRequest =
  | { action: "reconcile" }
  | { action: "secret-changed"; secretName: string }
  | {
      action: "sync";
      force: boolean;
      connections: { name: string; credentialsSecret?: string; auth?: AuthKind; tokenUrl?: string; scopes?: string[]; headerName?: string }[];
    };

export interface SyncDeps {
  connections: ConnectionsPort;
  secrets: SecretsPort;
  deployment: DeploymentPort;
  /** `<name_prefix>-`: only connections under it are this deployment's. */
  connectionNamePrefix: string;
  logger: SyncLogger;
  /** Connections worked on at once (EventBridge's control plane is throttled per account). */
  concurrency?: number;
  /**
   * The deployment's connection key (modules/pipeline, aws_kms_key.connections): sent on every UpdateConnection so
   * no update moves a connection to an AWS owned key. Without it (the local pipeline) the key DescribeConnection
   * reports is sent again.
   */
  connectionKmsKey?: string;
}

export interface SyncReport {
  action: SyncRequest["action"];
  outcomes: ConnectionOutcome[];
  /** How many connections were in each state when the run looked at them (before any update). */
  states: Partial<Record<ConnectionState, number>>;
  counts: Record<OutcomeStatus, number>;
}

/** The run could not start: the deployment's list of connections, or the connections themselves, could not be read. */
export class SyncUnavailable extends Error {
  override readonly name = "SyncUnavailable";
  constructor(
    message: string,
    readonly retry: "now" | "later" | "never",
  ) {
    super(message);
  }
}

async function settle<T>(promise: Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await promise;
  } catch (error) {
    return failureOf(error);
  }
}

/** Runs `work` over `items`, at most `limit` at a time, keeping the order of the results. */
async function inPool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Why a connection that is not forced needs its secret put on it again, or undefined when it is in step. A secret
 * with a version id is compared by id with the version the last sync wrote into the connection's description, so a
 * rollback (UpdateSecretVersionStage moving AWSCURRENT back to an older version) counts as a change as much as a
 * rotation does; dates decide only when the secret has no version id.
 */
export function staleness(connection: ConnectionDetails, secret: SecretVersion): string | undefined {
  if (connection.state === "DEAUTHORIZED") return "connection is DEAUTHORIZED: re-authorizing with the secret's current credentials";
  if (secret.versionId) {
    const synced = syncedVersionOf(connection.description);
    if (synced === secret.versionId) return undefined;
    return synced
      ? `the secret's current version ${secret.versionId} is not the version on the connection (${synced})`
      : `the connection names no secret version: putting the current one (${secret.versionId}) on it`;
  }
  if (!secret.createdAt || !connection.lastModified) return "cannot tell whether the connection has the secret's current version";
  if (secret.createdAt.getTime() > connection.lastModified.getTime()) return "the secret has a version newer than the connection's last change";
  return undefined;
}

class Run {
  private readonly secretCache = new Map<string, Promise<Result<SecretVersion>>>();

  constructor(private readonly deps: SyncDeps) {}

  private secret(name: string): Promise<Result<SecretVersion>> {
    let cached = this.secretCache.get(name);
    if (!cached) {
      cached = settle(this.deps.secrets.get(name));
      this.secretCache.set(name, cached);
    }
    return cached;
  }

  /** One connection, from what is known of it to its outcome. Never throws. */
  async one(expected: ExpectedCredentials, known: ConnectionSummary | ConnectionDetails, force: boolean, detailed: boolean): Promise<ConnectionOutcome> {
    const connection = expected.connection;
    const stateBefore = known.state;
    if (!force && TRANSITIONAL_STATES.has(known.state)) {
      return { connection, status: "skipped", stateBefore, why: `connection is ${known.state}: left to the next run` };
    }
    const wantedType = AUTHORIZATION_TYPE[expected.kind];
    if (known.authorizationType && known.authorizationType !== wantedType) {
      const why = `connection has authorization type ${known.authorizationType}, the trust file says ${expected.kind} (${wantedType}): apply the trust file first`;
      return force ? { connection, status: "failed", stateBefore, retry: "never", why } : { connection, status: "skipped", stateBefore, why };
    }
    const secret = await this.secret(expected.secretName);
    if (secret.status === "not-found") {
      return { connection, status: "failed", stateBefore, retry: "never", why: `secret ${expected.secretName} not found (${secret.reason}): create it with the ${expected.kind} credentials` };
    }
    if (secret.status === "failed") {
      return { connection, status: "failed", stateBefore, retry: secret.retry, why: `secret ${expected.secretName} could not be read: ${secret.reason}` };
    }
    let details: ConnectionDetails = known;
    if (!detailed) {
      // ListConnections gives no description, and the description says which secret version the connection holds.
      const described = await settle(this.deps.connections.describe(connection));
      if (described.status === "not-found") return { connection, status: "skipped", stateBefore, why: `connection no longer exists (${described.reason})` };
      if (described.status === "failed") return { connection, status: "failed", stateBefore, retry: described.retry, why: `DescribeConnection: ${described.reason}` };
      details = described.value;
    }
    const why = force ? "forced: new or changed by Terraform, or asked for by an operator" : staleness(details, secret.value);
    if (!why) return { connection, status: "unchanged", stateBefore, why: "connection holds the secret's current version" };

    const kmsKeyIdentifier = this.deps.connectionKmsKey ?? details.kmsKeyIdentifier;
    const request = credentialsUpdate(expected, details, secret.value.value, {
      ...(kmsKeyIdentifier ? { kmsKeyIdentifier } : {}),
      ...(secret.value.versionId ? { versionId: secret.value.versionId } : {}),
    });
    if (request.status !== "found") {
      return { connection, status: "failed", stateBefore, retry: request.status === "failed" ? request.retry : "never", why: request.reason };
    }
    const updated = await settle(this.deps.connections.update(request.value));
    if (updated.status === "not-found") return { connection, status: "skipped", stateBefore, why: `connection no longer exists (${updated.reason})` };
    if (updated.status === "failed") return { connection, status: "failed", stateBefore, retry: updated.retry, why: `UpdateConnection: ${updated.reason}` };
    return { connection, status: "updated", stateBefore, stateAfter: updated.value.state, why };
  }

  async expectedByConnection(): Promise<Map<string, ExpectedCredentials>> {
    const expected = await settle(this.deps.deployment.expected());
    if (expected.status !== "found") {
      const retry = expected.status === "failed" ? expected.retry : "never";
      throw new SyncUnavailable(`the deployment's connection list could not be read: ${expected.reason}`, retry);
    }
    return new Map(expected.value.filter((entry) => entry.connection.startsWith(this.deps.connectionNamePrefix)).map((entry) => [entry.connection, entry]));
  }

  /** Describes a connection first (one call gives state, type and parameters), then syncs it. */
  async described(expected: ExpectedCredentials, force: boolean): Promise<ConnectionOutcome> {
    const described = await settle(this.deps.connections.describe(expected.connection));
    if (described.status === "not-found") {
      return force
        ? { connection: expected.connection, status: "failed", stateBefore: "UNKNOWN", retry: "never", why: `no connection ${expected.connection} (${described.reason})` }
        : { connection: expected.connection, status: "skipped", stateBefore: "UNKNOWN", why: "no such connection yet: synced when Terraform creates it" };
    }
    if (described.status === "failed") {
      return { connection: expected.connection, status: "failed", stateBefore: "UNKNOWN", retry: described.retry, why: `DescribeConnection: ${described.reason}` };
    }
    return this.one(expected, described.value, force, true);
  }
}

function report(action: SyncRequest["action"], outcomes: ConnectionOutcome[]): SyncReport {
  const counts: Record<OutcomeStatus, number> = { updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  const states: Partial<Record<ConnectionState, number>> = {};
  for (const outcome of outcomes) {
    counts[outcome.status] += 1;
    if (outcome.stateBefore !== "UNKNOWN") states[outcome.stateBefore] = (states[outcome.stateBefore] ?? 0) + 1;
  }
  return { action, outcomes, states, counts };
}

/**
 * Brings connections in step with their credentials secrets. One connection's problem (a missing or malformed
 * secret, a refused update) is its own outcome and never stops the others. Throws SyncUnavailable only when the run
 * cannot start at all. Logs one line per connection that was not already in step: names, states, reasons.
 */
export async function syncConnections(request: SyncRequest, deps: SyncDeps): Promise<SyncReport> {
  const run = new Run(deps);
  const limit = deps.concurrency ?? 4;
  let outcomes: ConnectionOutcome[];

  if (request.action === "reconcile") {
    const expected = await run.expectedByConnection();
    let listed: ConnectionSummary[];
    try {
      listed = await deps.connections.list(deps.connectionNamePrefix);
    } catch (error) {
      const failure = failureOf(error);
      throw new SyncUnavailable(`ListConnections: ${failure.reason}`, failure.retry);
    }
    const seen = new Set(listed.map((connection) => connection.name));
    outcomes = await inPool(listed, limit, async (connection) => {
      const entry = expected.get(connection.name);
      if (!entry) return { connection: connection.name, status: "skipped", stateBefore: connection.state, why: "not in this deployment's trust files (being removed, or another deployment's)" } as const;
      return run.one(entry, connection, false, false);
    });
    for (const name of expected.keys()) {
      if (!seen.has(name)) outcomes.push({ connection: name, status: "skipped", stateBefore: "UNKNOWN", why: "no such connection yet: synced when Terraform creates it" });
    }
  } else if (request.action === "secret-changed") {
    const expected = await run.expectedByConnection();
    const using = [...expected.values()].filter((entry) => entry.secretName === request.secretName);
    outcomes = await inPool(using, limit, (entry) => run.described(entry, false));
  } else {
    const needsMap = request.connections.some((connection) => !connection.credentialsSecret || !connection.auth);
    const expected = needsMap ? await run.expectedByConnection() : new Map<string, ExpectedCredentials>();
    outcomes = await inPool(request.connections, limit, async (asked) => {
      const entry: ExpectedCredentials | undefined =
        asked.credentialsSecret && asked.auth
          ? {
              connection: asked.name,
              secretName: asked.credentialsSecret,
              kind: asked.auth,
              ...(asked.tokenUrl ? { tokenUrl: asked.tokenUrl } : {}),
              ...(asked.scopes ? { scopes: asked.scopes } : {}),
              ...(asked.headerName ? { headerName: asked.headerName } : {}),
            }
          : expected.get(asked.name);
      if (!asked.name.startsWith(deps.connectionNamePrefix)) {
        return { connection: asked.name, status: "failed", stateBefore: "UNKNOWN", retry: "never", why: `not a connection of this deployment (names start with ${deps.connectionNamePrefix})` } as const;
      }
      if (!entry) return { connection: asked.name, status: "failed", stateBefore: "UNKNOWN", retry: "never", why: "not in this deployment's trust files" } as const;
      return run.described(entry, request.force);
    });
  }

  for (const outcome of outcomes) {
    if (outcome.status === "unchanged") continue;
    const fields = { connection: outcome.connection, status: outcome.status, stateBefore: outcome.stateBefore, why: outcome.why };
    if (outcome.status === "failed") deps.logger.error({ ...fields, retry: outcome.retry }, "connection not synced");
    else if (outcome.status === "updated") deps.logger.info({ ...fields, stateAfter: outcome.stateAfter }, "connection credentials updated");
    else deps.logger.info(fields, "connection skipped");
  }
  return report(request.action, outcomes);
}
