/**
 * Where the support CLI reads and writes secrets: AWS Secrets Manager, or the local pipeline's secrets file
 * (`.local/secrets.json`: `{ "<secret name>": "<SecretString exactly as Secrets Manager holds it>" }`).
 * Both behind `SecretStore`; a write names the version it replaces, so a change made meanwhile by someone else
 * is refused instead of overwritten.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { readLocalSecrets, writeLocalSecrets } from "../lib/local-secrets.ts";
import type { SecretTargetOptions } from "./args.ts";

/** A secret's current value and an opaque version of it (Secrets Manager's VersionId, or a hash of the value). */
export interface StoredSecret {
  value: string;
  version: string;
}

export interface SecretStore {
  /** Where the secrets are, for output: `AWS Secrets Manager` or the file's path. */
  readonly location: string;
  /** The current value; undefined when there is no such secret or it has no value yet. */
  get(name: string): Promise<StoredSecret | undefined>;
  /**
   * Writes `value` as the secret's current value. With `replaces`, only if the current version is still that one;
   * without, only if the secret does not exist yet (it is created). Otherwise throws SecretChangedMeanwhile.
   */
  put(name: string, value: string, replaces?: string): Promise<void>;
}

/** The secret is not (or no longer) what the caller read: nothing was changed. */
export class SecretChangedMeanwhile extends Error {
  override readonly name = "SecretChangedMeanwhile";
}

/**
 * The staging label of a version this tool wrote but has not yet made current. Secrets Manager moves a label to
 * the version a PutSecretValue names, so the label is on at most one version.
 */
export const PENDING_STAGE = "TRUSTCALLBACKS_PENDING";

const errorName = (error: unknown): string => (error as { name?: string })?.name ?? "Error";
const failure = (operation: string, name: string, error: unknown) =>
  new Error(`Secrets Manager ${operation} ${name}: ${errorName(error)}: ${(error as Error)?.message ?? String(error)}`);

/** Secrets Manager. Values never appear in an error: AWS's messages name the secret, not its value. */
export class SecretsManagerStore implements SecretStore {
  readonly location = "AWS Secrets Manager";

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: { kmsKeyId?: string } = {},
  ) {}

  async get(name: string): Promise<StoredSecret | undefined> {
    try {
      const answer = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      if (answer.SecretString === undefined || answer.VersionId === undefined) return undefined;
      return { value: answer.SecretString, version: answer.VersionId };
    } catch (error) {
      // Also the answer for a secret created without a value (no version has AWSCURRENT): reported by users
      // (https://github.com/boto/boto3/issues/2794), not stated by AWS; any other answer fails loudly instead.
      if (errorName(error) === "ResourceNotFoundException") return undefined;
      throw failure("GetSecretValue", name, error);
    }
  }

  /**
   * Compare-and-swap over staging labels: the new value is stored as a version that is not current
   * (PutSecretValue with VersionStages [PENDING_STAGE]; "If you don't include VersionStages, then Secrets Manager
   * automatically moves the staging label AWSCURRENT to this version", so naming another label keeps it off), then
   * AWSCURRENT is moved to it with RemoveFromVersionId = the version read: "If the label is attached and you either
   * do not specify this parameter, or the version ID does not match, then the operation fails."
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
   * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
   * A refused move leaves only a version no reader asks for (readers get AWSCURRENT).
   */
  async put(name: string, value: string, replaces?: string): Promise<void> {
    if (replaces === undefined) return this.create(name, value);
    let versionId: string | undefined;
    try {
      // A token of our own makes a retried call idempotent (same token and value: the request is ignored).
      ({ VersionId: versionId } = await this.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: randomUUID(), VersionStages: [PENDING_STAGE] }),
      ));
    } catch (error) {
      throw failure("PutSecretValue", name, error);
    }
    try {
      await this.client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: "AWSCURRENT", MoveToVersionId: versionId, RemoveFromVersionId: replaces }),
      );
    } catch (error) {
      const now = await this.get(name).catch(() => undefined);
      if (now && now.version !== replaces) {
        throw new SecretChangedMeanwhile(`${name} changed while this command ran (its current version is no longer the one read); nothing was changed: run the command again`);
      }
      throw failure("UpdateSecretVersionStage", name, error);
    }
  }

  /** CreateSecret with a value (its first version becomes AWSCURRENT). */
  private async create(name: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          ClientRequestToken: randomUUID(),
          ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}),
        }),
      );
    } catch (error) {
      if (errorName(error) === "ResourceExistsException") throw new SecretChangedMeanwhile(`${name} already exists; nothing was changed`);
      throw failure("CreateSecret", name, error);
    }
  }

  /**
   * A secret with no value (CreateSecret without SecretString creates no version: "If you include SecretString or
   * SecretBinary then Secrets Manager creates an initial secret version", https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html),
   * for someone else to fill in. "exists" when it already does (left as it is).
   */
  async createPlaceholder(name: string, description: string): Promise<"created" | "exists"> {
    try {
      await this.client.send(
        new CreateSecretCommand({ Name: name, Description: description, ClientRequestToken: randomUUID(), ...(this.options.kmsKeyId ? { KmsKeyId: this.options.kmsKeyId } : {}) }),
      );
      return "created";
    } catch (error) {
      if (errorName(error) === "ResourceExistsException") return "exists";
      throw failure("CreateSecret", name, error);
    }
  }
}

const versionOf = (value: string): string => createHash("sha256").update(value).digest("hex");

/**
 * The local pipeline's secrets file, read and written only through `scripts/lib/local-secrets.ts` (its format,
 * its refusals and its modes: docs/guarantees.md 6.1, 6.11). Its version of a secret is a hash of the value; a write
 * re-reads the file and checks it, then replaces the file whole.
 */
export class FileSecretStore implements SecretStore {
  constructor(readonly location: string) {}

  async get(name: string): Promise<StoredSecret | undefined> {
    const value = readLocalSecrets(this.location)[name];
    return value === undefined ? undefined : { value, version: versionOf(value) };
  }

  async put(name: string, value: string, replaces?: string): Promise<void> {
    const secrets = readLocalSecrets(this.location);
    const current = secrets[name];
    if (replaces === undefined ? current !== undefined : current === undefined || versionOf(current) !== replaces) {
      throw new SecretChangedMeanwhile(
        replaces === undefined ? `${name} already exists in ${this.location}; nothing was changed` : `${name} changed in ${this.location} while this command ran; nothing was changed: run the command again`,
      );
    }
    writeLocalSecrets(this.location, { ...secrets, [name]: value });
  }
}

/** The store of a secret command's target: Secrets Manager (region and credentials as usual for the SDK) or the file. */
export function openSecretStore(target: SecretTargetOptions, options: { kmsKeyId?: string } = {}): SecretsManagerStore | FileSecretStore {
  return target.kind === "aws" ? new SecretsManagerStore(new SecretsManagerClient({}), options) : new FileSecretStore(target.secretsFile);
}
