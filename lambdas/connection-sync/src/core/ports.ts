import type { Result } from "@trust-callbacks/runtime";
import type { ConnectionDetails, ConnectionState, ConnectionSummary, ExpectedCredentials, SecretVersion, UpdateConnectionRequest } from "./model.ts";

/**
 * The connections of one deployment: EventBridge in AWS (adapters/eventbridge-connections.ts), in-memory stand-ins
 * in the local pipeline (local.ts). Ports answer with the one Result of the transform-filter core, and may throw
 * TransientError/PermanentError, which the core reads as failed (failureOf).
 */
export interface ConnectionsPort {
  /** Every connection whose name starts with `namePrefix`. Throws when the listing itself fails. */
  list(namePrefix: string): Promise<ConnectionSummary[]>;
  /** State and non-secret parameters of one connection; not-found when there is no such connection. */
  describe(name: string): Promise<Result<ConnectionDetails>>;
  /** Puts credentials on a connection; answers with the state EventBridge reports right after. */
  update(request: UpdateConnectionRequest): Promise<Result<{ state: ConnectionState }>>;
}

/** Current versions of credentials secrets: Secrets Manager, or the local secrets file. */
export interface SecretsPort {
  /** not-found when the secret does not exist (or has no current version). */
  get(secretName: string): Promise<Result<SecretVersion>>;
}

/** What the deployment says each of its connections should hold: written by Terraform from the trust files. */
export interface DeploymentPort {
  expected(): Promise<Result<ExpectedCredentials[]>>;
}

/** Structured logging, as pino offers it. The core logs names, states and reasons, never a value. */
export interface SyncLogger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
