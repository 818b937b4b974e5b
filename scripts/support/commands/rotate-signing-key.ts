import { existsSync } from "node:fs";
import { newSigningKey, parseSigningSecret, renderSigningSecret, type SigningSecret, type TrustConfig } from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import type { RotateSigningKeyCommand } from "../args.ts";
import { appendAudit, callerArn, operator } from "../audit.ts";
import { openSecretStore, type SecretStore } from "../secret-stores.ts";
import {
  defaultOverlapSeconds,
  describeKeys,
  endOverlap,
  keyFingerprint,
  safeOverlapSeconds,
  startRotation,
} from "../signing-keys.ts";
import { readTrustFiles } from "../trust-files.ts";
import type { NoticeLog } from "@trust-callbacks/transform-filter";
import { openNoticeLog, recordNotices } from "../notice-log.ts";
import { rotationNotices } from "../rotation-notices.ts";

export interface RotationRequest {
  store: SecretStore;
  trusts: TrustConfig[];
  trustId: string;
  endpointId: string;
  endOverlap: boolean;
  overlapSeconds?: number;
  dryRun: boolean;
  now: Date;
  /** A fresh key; tests pass their own. */
  generateKey?: () => string;
}

export interface RotationResult {
  trustId: string;
  endpointId: string;
  secret: string;
  outcome: "rotated" | "would-rotate" | "overlap-ended" | "would-end-overlap" | "no-overlap";
  /** The new key, only when it was written (never on a dry run): to be given to the trust once. */
  newKey?: string;
  newKeyFingerprint?: string;
  /** When the old key(s) stop signing. */
  overlapEndsAt?: string;
  /** The secret after the command (fingerprints and times only). */
  keys: ReturnType<typeof describeKeys>;
  /** The secret was in the single-key format (it is now a key set). */
  convertedFromSingleKey: boolean;
  warnings: string[];
}

/** The endpoint, and the longest maximum event age of every endpoint that signs with the same secret. */
function endpointOf(trusts: TrustConfig[], trustId: string, endpointId: string) {
  const trust = trusts.find((t) => t.trustId === trustId);
  if (!trust) throw new UsageError(`no trust ${trustId} in the trust files; known: ${trusts.map((t) => t.trustId).join(", ") || "none"}`);
  const endpoint = trust.endpoints.find((e) => e.id === endpointId);
  if (!endpoint) throw new UsageError(`trust ${trustId} has no endpoint ${endpointId}; its endpoints: ${trust.endpoints.map((e) => e.id).join(", ") || "none"}`);
  const sharing = trusts.flatMap((t) => t.endpoints).filter((e) => e.signingSecret === endpoint.signingSecret);
  return { endpoint, maximumEventAgeSeconds: Math.max(...sharing.map((e) => e.retryPolicy.maximumEventAgeSeconds)) };
}

/**
 * Starts a rotation of an endpoint's signing key (a new current key; the keys active now keep signing until the
 * overlap ends) or ends one (only the current key is kept). Reads the secret, writes it back only if nobody changed
 * it meanwhile. Never logs or returns a key except the new one, once, when it was written.
 */
export async function rotateSigningKey(request: RotationRequest): Promise<RotationResult> {
  const { store, now } = request;
  const { endpoint, maximumEventAgeSeconds } = endpointOf(request.trusts, request.trustId, request.endpointId);
  const name = endpoint.signingSecret;
  const stored = await store.get(name);
  if (!stored) throw new Error(`signing secret ${name} has no value in ${store.location}: create it first (add-endpoint)`);
  const parsed = parseSigningSecret(stored.value);
  if (parsed.status === "invalid") throw new Error(`signing secret ${name} ${parsed.message}; nothing was changed`);
  const current = parsed.secret;
  const base = {
    trustId: request.trustId,
    endpointId: request.endpointId,
    secret: name,
    convertedFromSingleKey: !stored.value.trim().startsWith("{"),
    warnings: [] as string[],
  };

  if (request.endOverlap) {
    const ended = endOverlap(current);
    if (!ended) return { ...base, convertedFromSingleKey: false, outcome: "no-overlap", keys: describeKeys(current) };
    if (!request.dryRun) await store.put(name, renderSigningSecret(ended), stored.version);
    return { ...base, outcome: request.dryRun ? "would-end-overlap" : "overlap-ended", keys: describeKeys(ended) };
  }

  const overlapSeconds = request.overlapSeconds ?? defaultOverlapSeconds(maximumEventAgeSeconds);
  if (overlapSeconds < safeOverlapSeconds(maximumEventAgeSeconds)) {
    base.warnings.push(
      `the overlap (${overlapSeconds} s) is shorter than the endpoint's maximum event age plus the Lambda's secret cache ` +
        `(${safeOverlapSeconds(maximumEventAgeSeconds)} s): retries signed before the rotation may reach a trust that already dropped the old key`,
    );
  }
  const overlapEnds = new Date(now.getTime() + overlapSeconds * 1000);
  const key = (request.generateKey ?? newSigningKey)();
  const rotated: SigningSecret = startRotation(current, key, now, overlapEnds);
  if (!request.dryRun) await store.put(name, renderSigningSecret(rotated), stored.version);
  return {
    ...base,
    outcome: request.dryRun ? "would-rotate" : "rotated",
    ...(request.dryRun ? {} : { newKey: key, newKeyFingerprint: keyFingerprint(key) }),
    ...(rotated.keys.length > 1 ? { overlapEndsAt: overlapEnds.toISOString() } : {}),
    keys: describeKeys(request.dryRun ? { ...rotated, keys: rotated.keys.slice(1) } : rotated),
  };
}

/**
 * `rotate-signing-key`: runs the rotation against AWS or the local secrets file, records what the trust is told
 * (docs/guarantees.md 10.35), prints the result, audits it.
 */
export async function rotateSigningKeyCommand(command: RotateSigningKeyCommand, deps: { notices?: NoticeLog } = {}): Promise<number> {
  const now = new Date();
  // In AWS the audit names the caller's AWS identity, read before any secret is touched (promise 7.5).
  const who = command.target.kind === "aws" && !command.dryRun ? await callerArn() : operator();
  const audit = (outcome: string, detail: Record<string, unknown>) =>
    appendAudit(command.auditFile, {
      at: now.toISOString(),
      operator: who,
      action: command.endOverlap ? "end-signing-key-overlap" : "rotate-signing-key",
      trustId: command.trust,
      endpointId: command.endpoint,
      outcome,
      ...detail,
    });
  // A secrets file that is not there is the user's mistake, not a missing secret in it.
  if (command.target.kind === "local" && !existsSync(command.target.secretsFile)) {
    throw new UsageError(`--secrets ${command.target.secretsFile}: no such file (the local pipeline creates .local/secrets.json on its first run: make local; or give the file listen and trigger use)`);
  }
  const trusts = readTrustFiles(command.target.trustsDir, command.target.kind === "aws");
  let result: RotationResult;
  try {
    result = await rotateSigningKey({
      store: openSecretStore(command.target),
      trusts,
      trustId: command.trust,
      endpointId: command.endpoint,
      endOverlap: command.endOverlap,
      ...(command.overlapSeconds !== undefined ? { overlapSeconds: command.overlapSeconds } : {}),
      dryRun: command.dryRun,
      now,
    });
  } catch (error) {
    if (!(error instanceof UsageError)) audit("failed", { detail: (error as Error).message });
    throw error;
  }
  // The key set is written: the trust is told through the notices table (never published from here). A notice that
  // cannot be recorded must not cost the operator the new key, printed once below: it is a warning and an audit field.
  const toTell = rotationNotices(result, now);
  const told = toTell.length > 0 ? await recordNotices(deps.notices ?? openNoticeLog(command.target), toTell) : { recorded: [] };
  if (told.failed) {
    result.warnings.push(`the trust was not told of this change (${told.failed}); the key set is written: do not rotate again, tell the trust's contacts yourself`);
  }
  // The audit line has fingerprints and times only; the new key goes to the operator's terminal, once.
  const { newKey, ...auditable } = result;
  audit(result.outcome, {
    secret: result.secret,
    keys: result.keys,
    ...(result.overlapEndsAt ? { overlapEndsAt: result.overlapEndsAt } : {}),
    ...(result.newKeyFingerprint ? { newKeyFingerprint: result.newKeyFingerprint } : {}),
    dryRun: command.dryRun,
    ...(toTell.length > 0 ? { notices: told.recorded, ...(told.failed ? { noticesNotRecorded: told.failed } : {}) } : {}),
  });
  if (command.json) {
    const document = { ...auditable, notices: told.recorded };
    console.log(JSON.stringify(newKey ? { ...document, newKey } : document));
    return 0;
  }
  for (const warning of result.warnings) console.error(`warning: ${warning}`);
  if (told.recorded.length > 0) console.error(`The trust's contacts are told: ${told.recorded.map((id) => id.split("#")[0]).join(", ")} (docs/integration-guide.md, "Planned downtime and what you will be told").`);
  console.log(describeRotation(command, result));
  return 0;
}

function describeRotation(command: RotateSigningKeyCommand, result: RotationResult): string {
  // The follow-up must find the same trust files: --trusts always (the default differs between AWS and local).
  const where = `${command.target.kind === "aws" ? `--env ${command.target.env}` : `--secrets ${command.target.secretsFile}`} --trusts ${command.target.trustsDir}`;
  const again = `npm run support -- rotate-signing-key ${where} --trust ${result.trustId} --endpoint ${result.endpointId}`;
  const keys = result.keys.map((k) => `  ${k.fingerprint}${k.createdAt ? ` created ${k.createdAt}` : ""}${k.notAfter ? `, signs until ${k.notAfter}` : ", current"}`).join("\n");
  switch (result.outcome) {
    case "no-overlap":
      return `${result.secret}: one key, no overlap to end; nothing changed.\n${keys}`;
    case "would-end-overlap":
    case "overlap-ended":
      return `${result.secret}: ${result.outcome === "overlap-ended" ? "overlap ended" : "dry run: would end the overlap"}; only the current key signs.\n${keys}`;
    case "would-rotate":
      return [
        `${result.secret}: dry run: would add a new current key${result.overlapEndsAt ? `; the key(s) below would keep signing until ${result.overlapEndsAt}` : " and drop the old one at once"}.`,
        keys,
        `Nothing was written and no key was made. Run without --dry-run to rotate.`,
      ].join("\n");
    case "rotated":
      return [
        `${result.secret}: rotated${result.convertedFromSingleKey ? " (the secret was in the single-key format; it is now a key set)" : ""}.`,
        "",
        `New signing key for ${result.trustId}/${result.endpointId} (${result.newKeyFingerprint}). Give it to the trust once, over the`,
        `agreed secure channel; it is not shown again and is in no log or audit line:`,
        "",
        `  ${result.newKey}`,
        "",
        result.overlapEndsAt
          ? `Every delivery is signed with both keys until ${result.overlapEndsAt}; then with the new key only. The trust keeps both keys until then (docs/integration-guide.md, "Signing-key rotation").`
          : `The old key no longer signs: deliveries verify only with the new key (retried after the trust's 401 until it has it).`,
        `The Lambda picks the new key up within its secret cache TTL (15 minutes by default).`,
        ...(result.overlapEndsAt ? [`To end the overlap early, once the trust confirms it has switched: ${again} --end-overlap`] : []),
        keys,
      ].join("\n");
  }
}
