import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ResourceNameTooLong,
  describeTrustFileIssue,
  endpointResourceName,
  endpointSecretName,
  newSigningKey,
  parseTrustFile,
  renderSigningSecret,
  type Endpoint,
} from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import type { AddEndpointCommand, EndpointFields } from "../args.ts";
import { appendAudit, callerArn, operator } from "../audit.ts";
import { SecretsManagerStore, openSecretStore, type SecretStore } from "../secret-stores.ts";
import { firstKeySet, keyFingerprint } from "../signing-keys.ts";

const SCHEMA_FILE = fileURLToPath(new URL("../../../schemas/json/trust-config.schema.json", import.meta.url));
const INTEGRATION_GUIDE = "docs/integration-guide.md";

/** What each auth type's credentials secret holds (README, "Trust config files"). */
const CREDENTIALS_SHAPE: Record<string, string> = {
  oauth2_client_credentials: '{"client_id":"...","client_secret":"..."}',
  basic: '{"username":"...","password":"..."}',
  api_key: '{"api_key":"..."}',
};

export interface EndpointEdit {
  /** The trust file's path (its base name is `<ODS>.json`). */
  file: string;
  trustId: string;
  endpointId: string;
  change: boolean;
  trustName?: string;
  fields: EndpointFields;
  secretPrefix: string;
  namePrefix: string;
  /** Every URL must be https:// (a file Terraform deploys). */
  httpsOnly: boolean;
  /** A hold window that ended before this time is refused (docs/guarantees.md 10.26); default now. */
  now?: Date;
}

export interface EndpointEditResult {
  /** The file's new text. */
  text: string;
  endpoint: Endpoint;
  kind: "new-trust" | "new-endpoint" | "changed-endpoint";
  /** The endpoint's rule, connection and API destination name. */
  resourceName: string;
}

const ORDER = ["id", "description", "enabled", "url", "eventTypes", "conditions", "payloadProfile", "auth", "signingSecret", "rateLimitPerSecond", "retryPolicy"];
const ordered = (endpoint: Record<string, unknown>) =>
  Object.fromEntries([...ORDER.filter((key) => key in endpoint), ...Object.keys(endpoint).filter((key) => !ORDER.includes(key))].map((key) => [key, endpoint[key]]));

const withoutUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The auth block: a new type starts afresh (keeping the credentials secret's name); the same type is updated. */
function authOf(existing: Record<string, unknown> | undefined, given: EndpointFields["auth"], credentialsSecret: string): Record<string, unknown> {
  const type = given?.type ?? (existing?.type as string | undefined);
  const base = existing && existing.type === type ? existing : {};
  const params = type === "oauth2_client_credentials"
    ? { tokenUrl: given?.tokenUrl, scopes: given?.scopes }
    : type === "api_key"
      ? { headerName: given?.headerName }
      : {};
  return withoutUndefined({ ...base, type, ...withoutUndefined(params), credentialsSecret: (existing?.credentialsSecret as string | undefined) ?? credentialsSecret });
}

/**
 * The trust file with the endpoint added (or changed with `change`), validated by the one trust-file parser and the
 * naming rule. Works on the file's JSON as written (no defaults filled in, the other endpoints untouched). Every
 * refusal is a UsageError saying what to do, and the file stays as it was.
 */
export function editTrustFile(existingText: string | undefined, edit: EndpointEdit): EndpointEditResult {
  const { file, trustId, endpointId } = edit;
  let document: Record<string, unknown> & { endpoints: Record<string, unknown>[] };
  if (existingText === undefined) {
    if (edit.change) throw new UsageError(`${file} does not exist: there is no endpoint ${endpointId} to change`);
    if (!edit.trustName) throw new UsageError(`${file} does not exist: give --trust-name "<the trust's name>" to create it`);
    const schema = relative(dirname(file), SCHEMA_FILE);
    document = { $schema: schema, trustId, name: edit.trustName, enabled: true, endpoints: [] };
  } else {
    const current = parseTrustFile(existingText, { file, expectedTrustId: trustId, httpsOnly: edit.httpsOnly, windowsEndedBy: edit.now ?? new Date() });
    if (current.status === "invalid") {
      throw new UsageError(`${file} is not valid as it is (${current.issues.map(describeTrustFileIssue).join("; ")}): fix it first`);
    }
    document = JSON.parse(existingText);
  }
  try {
    endpointResourceName(edit.namePrefix, trustId, endpointId);
  } catch (error) {
    if (error instanceof ResourceNameTooLong) throw new UsageError(error.message);
    throw error;
  }

  const index = document.endpoints.findIndex((endpoint) => endpoint.id === endpointId);
  if (index >= 0 && !edit.change) throw new UsageError(`endpoint ${trustId}/${endpointId} already exists in ${file}: pass --change to change it`);
  if (index < 0 && edit.change) throw new UsageError(`${file} has no endpoint ${endpointId} to change: leave out --change to add it`);
  const existing = index >= 0 ? document.endpoints[index]! : undefined;
  // Secret names are `<app>/<env>/signing|credentials/<ODS>/<endpoint>` (docs/guarantees.md 4.4): IAM tells the kinds apart.
  if (!/^[A-Za-z0-9_+=.@-]+\/[A-Za-z0-9_+=.@-]+\/$/.test(edit.secretPrefix)) {
    throw new UsageError(`--secret-prefix must be <app>/<env>/ (for example trust-callbacks/prod/), not ${edit.secretPrefix}`);
  }
  const { auth, retryPolicy, conditions, ...scalars } = edit.fields;
  const endpoint = ordered(withoutUndefined({
    ...(existing ?? { id: endpointId }),
    ...scalars,
    ...(conditions ? { conditions: { ...(existing?.conditions as object | undefined), ...conditions } } : {}),
    auth: authOf(existing?.auth as Record<string, unknown> | undefined, auth, endpointSecretName(edit.secretPrefix, "credentials", trustId, endpointId)),
    signingSecret: existing?.signingSecret ?? endpointSecretName(edit.secretPrefix, "signing", trustId, endpointId),
    ...(retryPolicy ? { retryPolicy: { ...(existing?.retryPolicy as object | undefined), ...retryPolicy } } : {}),
  }));
  const endpoints = [...document.endpoints];
  if (existing) endpoints[index] = endpoint;
  else endpoints.push(endpoint);
  const text = `${JSON.stringify({ ...document, endpoints }, null, 2)}\n`;

  const parsed = parseTrustFile(text, { file, expectedTrustId: trustId, httpsOnly: edit.httpsOnly, windowsEndedBy: edit.now ?? new Date() });
  if (parsed.status === "invalid") {
    throw new UsageError(`not written, the endpoint would be invalid: ${parsed.issues.map(describeTrustFileIssue).join("; ")}`);
  }
  return {
    text,
    endpoint: parsed.config.endpoints.find((e) => e.id === endpointId)!,
    kind: existingText === undefined ? "new-trust" : existing ? "changed-endpoint" : "new-endpoint",
    resourceName: endpointResourceName(edit.namePrefix, trustId, endpointId),
  };
}

export interface SecretStep {
  name: string;
  kind: "signing" | "credentials";
  /** `would-create`: a dry run; a real run creates it unless it exists. */
  outcome: "created" | "would-create" | "exists" | "not-needed-locally";
  /** What the secret holds (or will): never a value. */
  holds: string;
}

export interface AddEndpointResult {
  file: string;
  kind: EndpointEditResult["kind"];
  written: boolean;
  trustId: string;
  endpointId: string;
  url: string;
  authType: string;
  resourceName: string;
  secrets: SecretStep[];
  /** Only when it was created now: to be given to the trust once. */
  signingKey?: string;
  signingKeyFingerprint?: string;
}

/**
 * Creates what the endpoint needs and writes the file, in the order that leaves nothing lost on a failure: the
 * credentials placeholder (no value), then the signing secret (its key returned at once), then the file.
 */
export async function addEndpoint(
  edit: EndpointEdit,
  options: { store: SecretStore; dryRun: boolean; now: Date; generateKey?: () => string },
): Promise<AddEndpointResult> {
  const existingText = existsSync(edit.file) ? readFileSync(edit.file, "utf8") : undefined;
  const result = editTrustFile(existingText, edit);
  const { endpoint } = result;
  const { store, dryRun } = options;
  const secrets: SecretStep[] = [];

  // A dry run asks no store anything (it may run with no AWS credentials): it says what a real run creates if missing.
  const credentials = endpoint.auth.credentialsSecret;
  const credentialsHolds = `no value until the trust's credentials are put in: ${CREDENTIALS_SHAPE[endpoint.auth.type]}`;
  if (!(store instanceof SecretsManagerStore)) {
    secrets.push({ name: credentials, kind: "credentials", outcome: "not-needed-locally", holds: "the local pipeline makes up credentials for each run" });
  } else if (dryRun) {
    secrets.push({ name: credentials, kind: "credentials", outcome: "would-create", holds: credentialsHolds });
  } else {
    const description = `trust-callbacks ${edit.trustId}/${edit.endpointId} ${endpoint.auth.type} credentials: ${CREDENTIALS_SHAPE[endpoint.auth.type]}`;
    secrets.push({ name: credentials, kind: "credentials", outcome: await store.createPlaceholder(credentials, description), holds: credentialsHolds });
  }

  const signing = endpoint.signingSecret;
  let signingKey: string | undefined;
  if (!dryRun && (await store.get(signing)) !== undefined) {
    secrets.push({ name: signing, kind: "signing", outcome: "exists", holds: "the endpoint's signing key(s), left as they are" });
  } else {
    const holds = `{"version":1,"keys":[{"key":"whsec_<32 random bytes, base64>","createdAt":"${options.now.toISOString()}"}]}`;
    if (!dryRun) {
      signingKey = (options.generateKey ?? newSigningKey)();
      await store.put(signing, renderSigningSecret(firstKeySet(signingKey, options.now)));
    }
    secrets.push({ name: signing, kind: "signing", outcome: dryRun ? "would-create" : "created", holds });
  }

  if (!dryRun) {
    mkdirSync(dirname(edit.file), { recursive: true });
    writeFileSync(edit.file, result.text);
  }
  return {
    file: edit.file,
    kind: result.kind,
    written: !dryRun,
    trustId: edit.trustId,
    endpointId: edit.endpointId,
    url: endpoint.url,
    authType: endpoint.auth.type,
    resourceName: result.resourceName,
    secrets,
    ...(signingKey ? { signingKey, signingKeyFingerprint: keyFingerprint(signingKey) } : {}),
  };
}

/** `add-endpoint`: edits the trust file, creates the secrets (AWS or the local file), prints what the trust needs. */
export async function addEndpointCommand(command: AddEndpointCommand): Promise<number> {
  const now = new Date();
  const edit: EndpointEdit = {
    file: join(command.target.trustsDir, `${command.trust}.json`),
    trustId: command.trust,
    endpointId: command.endpoint,
    change: command.change,
    ...(command.trustName !== undefined ? { trustName: command.trustName } : {}),
    fields: command.fields,
    secretPrefix: command.secretPrefix,
    namePrefix: command.namePrefix,
    httpsOnly: command.target.kind === "aws",
  };
  // In AWS the audit names the caller's AWS identity, read before anything is created (a dry run asks AWS nothing).
  const who = command.target.kind === "aws" && !command.dryRun ? await callerArn() : operator();
  const audit = (outcome: string, detail: Record<string, unknown>) =>
    appendAudit(command.auditFile, { at: now.toISOString(), operator: who, action: command.change ? "change-endpoint" : "add-endpoint", trustId: command.trust, endpointId: command.endpoint, outcome, ...detail });
  let result: AddEndpointResult;
  try {
    result = await addEndpoint(edit, { store: openSecretStore(command.target, command.kmsKeyId ? { kmsKeyId: command.kmsKeyId } : {}), dryRun: command.dryRun, now });
  } catch (error) {
    if (!(error instanceof UsageError)) audit("failed", { detail: (error as Error).message });
    throw error;
  }
  const { signingKey, ...auditable } = result;
  audit(command.dryRun ? "dry-run" : "written", { file: result.file, kind: result.kind, secrets: result.secrets.map((s) => ({ name: s.name, outcome: s.outcome })), ...(result.signingKeyFingerprint ? { signingKeyFingerprint: result.signingKeyFingerprint } : {}) });
  if (command.json) {
    console.log(JSON.stringify(signingKey ? { ...auditable, signingKey } : auditable));
    return 0;
  }
  console.log(describeAddEndpoint(command, result));
  return 0;
}

function describeAddEndpoint(command: AddEndpointCommand, result: AddEndpointResult): string {
  const what = { "new-trust": "new trust file with the endpoint", "new-endpoint": "endpoint added", "changed-endpoint": "endpoint changed" }[result.kind];
  const lines = [`${result.written ? "Wrote" : "Dry run, would write"} ${result.file}: ${what} ${result.trustId}/${result.endpointId} (resources ${result.resourceName}).`];
  lines.push(`Secrets (${command.target.kind === "aws" ? "AWS Secrets Manager" : command.target.secretsFile}):`);
  for (const secret of result.secrets) lines.push(`  ${secret.outcome.padEnd(18)} ${secret.name}  ${secret.holds}`);
  const credentials = result.secrets.find((s) => s.kind === "credentials")!;
  if (command.target.kind === "aws") {
    lines.push(
      "",
      "Next, for the platform engineer:",
      `  1. Put the trust's credentials in (they send them over the agreed secure channel; never in a file or ticket):`,
      `     aws secretsmanager put-secret-value --secret-id ${credentials.name} --secret-string file://credentials.json   # ${CREDENTIALS_SHAPE[result.authType]}`,
      `  2. make plan ENV=${command.target.env}   (shows the new endpoint), then commit ${result.file} and apply.`,
    );
  }
  lines.push("", `For the trust ${result.trustId}:`, `  URL registered:  ${result.url}`, `  authentication:  ${result.authType}`);
  if (result.signingKey) {
    lines.push(`  signing key (${result.signingKeyFingerprint}), shown once, not in any log or audit line; give it over the agreed secure channel:`, "", `    ${result.signingKey}`, "");
  } else if (result.secrets.find((s) => s.kind === "signing")!.outcome === "exists") {
    lines.push(`  signing key: unchanged (already in its secret). If the trust does not have it, rotate it: npm run support -- rotate-signing-key ${command.target.kind === "aws" ? `--env ${command.target.env}` : `--secrets ${command.target.secretsFile}`} --trust ${result.trustId} --endpoint ${result.endpointId}`);
  } else {
    lines.push("  signing key: made and shown when run without --dry-run");
  }
  lines.push(`  how to verify, deduplicate and answer: ${INTEGRATION_GUIDE}`);
  return lines.join("\n");
}
