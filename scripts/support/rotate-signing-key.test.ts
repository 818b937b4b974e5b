import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TrustConfig, parseSigningSecret, type BuiltCallbackDetail, type TrustConfigInput } from "@trust-callbacks/schemas";
import { signedBusEntry } from "@trust-callbacks/transform-filter";
import { UsageError } from "../lib/command-line.ts";
import type { DeadLetterMessage, DeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { verifyWebhook } from "../lib/verify-webhook.ts";
import { rotateSigningKey, rotateSigningKeyCommand, type RotationRequest } from "./commands/rotate-signing-key.ts";
import { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";
import { InProcessSupportSigner } from "./support-signer.ts";
import { redrive } from "./redrive.ts";
import { FileSecretStore, PENDING_STAGE, SecretChangedMeanwhile, SecretsManagerStore } from "./secret-stores.ts";
import { keyFingerprint } from "./signing-keys.ts";

const key = (n: number) => `whsec_${Buffer.alloc(32, n).toString("base64")}`;
const OLD = key(1);
const NEW = key(2);
const NOW = new Date("2026-11-22T12:00:00Z");

const trust = (retryPolicy?: { maximumEventAgeSeconds: number }): TrustConfig =>
  TrustConfig.parse({
    trustId: "RX1",
    name: "Example",
    enabled: true,
    endpoints: [
      {
        id: "ehr",
        url: "https://ehr.example/cb",
        eventTypes: ["message.created"],
        payloadProfile: "full",
        auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "tc/test/credentials/RX1/ehr" },
        signingSecret: "tc/test/signing/RX1/ehr",
        ...(retryPolicy ? { retryPolicy } : {}),
      },
    ],
  } satisfies TrustConfigInput);

function fileStore(value?: string) {
  const file = join(mkdtempSync(join(tmpdir(), "rotate-")), "secrets.json");
  if (value !== undefined) writeFileSync(file, JSON.stringify({ "tc/test/signing/RX1/ehr": value }));
  const store = new FileSecretStore(file);
  const stored = () => (JSON.parse(readFileSync(file, "utf8")) as Record<string, string>)["tc/test/signing/RX1/ehr"]!;
  return { file, store, stored };
}

const request = (overrides: Partial<RotationRequest> & Pick<RotationRequest, "store">): RotationRequest => ({
  trusts: [trust()],
  trustId: "RX1",
  endpointId: "ehr",
  endOverlap: false,
  dryRun: false,
  now: NOW,
  generateKey: () => NEW,
  ...overrides,
});

/** A delivery signed by the service's one signer from the secret as stored, and whether a receiver holding `receiverKey` accepts it. */
function verifies(secretString: string, signedAt: Date, receiverKey: string): boolean {
  const event = { specversion: "1.0", id: "ce-1", type: "uk.nhs.trustcallbacks.message.created.v1", data: {} };
  const detail = JSON.parse(signedBusEntry(event, secretString, signedAt, "trust-callbacks", "bus").Detail) as BuiltCallbackDetail;
  const headers = { "webhook-id": detail.webhook.id, "webhook-timestamp": detail.webhook.timestamp, "webhook-signature": detail.webhook.signature };
  try {
    verifyWebhook(receiverKey, headers, JSON.stringify(detail.event), { now: signedAt });
    return true;
  } catch {
    return false;
  }
}

describe("rotateSigningKey against the local secrets file", () => {
  // What the written key set means for signing (both keys until the old key's notAfter, the new one alone from it) is
  // the signer's scenario, kept once in lambdas/transform-filter/src/core/key-rotation.test.ts.
  it("turns a single-key secret into a key set: the new key first, the old one until the overlap ends", async () => {
    const { store, stored } = fileStore(OLD);

    const result = await rotateSigningKey(request({ store }));

    // Default overlap: the endpoint's maximum event age (24 h) + the Lambda's secret cache (15 min + 20% jitter) + 1 h margin.
    const overlapEnds = new Date(NOW.getTime() + (86400 + 1080 + 3600) * 1000);
    expect(result).toMatchObject({ outcome: "rotated", newKey: NEW, newKeyFingerprint: keyFingerprint(NEW), convertedFromSingleKey: true, overlapEndsAt: overlapEnds.toISOString(), warnings: [] });
    expect(parseSigningSecret(stored())).toEqual({
      status: "valid",
      secret: { version: 1, keys: [{ key: NEW, createdAt: NOW.toISOString() }, { key: OLD, notAfter: overlapEnds.toISOString() }] },
    });
    expect(JSON.stringify(result.keys)).not.toContain(OLD);
  });

  it("takes the default overlap from the endpoint's own maximum event age", async () => {
    const { store } = fileStore(OLD);
    const result = await rotateSigningKey(request({ store, trusts: [trust({ maximumEventAgeSeconds: 3600 })] }));
    expect(result.overlapEndsAt).toBe(new Date(NOW.getTime() + (3600 + 1080 + 3600) * 1000).toISOString());
  });

  it("warns when a stated overlap is shorter than the retries of deliveries signed before the rotation", async () => {
    const { store } = fileStore(OLD);
    const result = await rotateSigningKey(request({ store, overlapSeconds: 3600 }));
    expect(result.overlapEndsAt).toBe("2026-11-22T13:00:00.000Z");
    expect(result.warnings).toEqual([expect.stringMatching(/shorter than the endpoint's maximum event age/)]);
  });

  it("with --overlap 0 (a leaked key) the old key stops signing at once", async () => {
    const { store, stored } = fileStore(OLD);
    const result = await rotateSigningKey(request({ store, overlapSeconds: 0 }));
    expect(result.overlapEndsAt).toBeUndefined();
    expect(verifies(stored(), NOW, OLD)).toBe(false);
    expect(verifies(stored(), NOW, NEW)).toBe(true);
  });

  it("ends the overlap: only the current key is kept; with one key there is nothing to do", async () => {
    const { store, stored } = fileStore(OLD);
    await rotateSigningKey(request({ store }));
    const ended = await rotateSigningKey(request({ store, endOverlap: true }));
    expect(ended).toMatchObject({ outcome: "overlap-ended", keys: [{ fingerprint: keyFingerprint(NEW) }] });
    expect(ended.newKey).toBeUndefined();
    expect(verifies(stored(), NOW, OLD)).toBe(false);
    expect(verifies(stored(), NOW, NEW)).toBe(true);
    const before = stored();
    expect(await rotateSigningKey(request({ store, endOverlap: true }))).toMatchObject({ outcome: "no-overlap" });
    expect(stored()).toBe(before);
  });

  it("a dry run writes nothing and makes no key", async () => {
    const { store, stored } = fileStore(OLD);
    const generateKey = vi.fn(() => NEW);
    const result = await rotateSigningKey(request({ store, dryRun: true, generateKey }));
    expect(result).toMatchObject({ outcome: "would-rotate", keys: [{ fingerprint: keyFingerprint(OLD) }] });
    expect(result.newKey).toBeUndefined();
    expect(stored()).toBe(OLD);
    expect((await rotateSigningKey(request({ store, dryRun: true, endOverlap: true }))).outcome).toBe("no-overlap");
  });

  it("refuses a rotation when the secret changed between read and write", async () => {
    const { store, stored } = fileStore(OLD);
    const racing = {
      location: store.location,
      get: (name: string) => store.get(name),
      put: async (name: string, value: string, replaces?: string) => {
        await store.put(name, key(7), replaces); // someone else's rotation lands first
        return store.put(name, value, replaces);
      },
    };
    await expect(rotateSigningKey(request({ store: racing }))).rejects.toBeInstanceOf(SecretChangedMeanwhile);
    expect(stored()).toBe(key(7));
  });

  it("names what is wrong with a missing or malformed secret, an unknown trust or endpoint, never quoting a value", async () => {
    await expect(rotateSigningKey(request({ store: fileStore().store }))).rejects.toThrow(/has no value in .*secrets\.json: create it first \(add-endpoint\)/);
    const malformed = rotateSigningKey(request({ store: fileStore("hunter2").store }));
    await expect(malformed).rejects.toThrow(/signing secret tc\/test\/signing\/RX1\/ehr is neither a whsec_ signing key/);
    await expect(malformed).rejects.not.toThrow(/hunter2/);
    await expect(rotateSigningKey(request({ store: fileStore(OLD).store, trustId: "RX9" }))).rejects.toThrow(expect.objectContaining({ name: "UsageError", message: "no trust RX9 in the trust files; known: RX1" }));
    await expect(rotateSigningKey(request({ store: fileStore(OLD).store, endpointId: "pager" }))).rejects.toThrow(expect.objectContaining({ name: "UsageError", message: "trust RX1 has no endpoint pager; its endpoints: ehr" }));
  });
});

describe("a redrive during a rotation's overlap", () => {
  it("re-signs with both keys, so the trust verifies with whichever it holds", async () => {
    const { store, stored } = fileStore(OLD);
    await rotateSigningKey(request({ store }));
    const event = { specversion: "1.0", id: "ce-7", type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RX1", endpointid: "ehr", data: {} };
    const message: DeadLetterMessage = {
      messageId: "m-1",
      receiptHandle: "rh-1",
      body: JSON.stringify(event),
      attributes: { ERROR_CODE: "ERROR_FROM_TARGET", ERROR_MESSAGE: "503", RETRY_ATTEMPTS: "185", RULE_ARN: "arn:aws:events:eu-west-2:1:rule/b/tc-test-RX1-ehr", TARGET_ARN: "t" },
      sentTimestamp: NOW.getTime(),
    };
    let pending = [message];
    const queue: DeadLetterQueue = {
      trustId: "RX1",
      location: "memory",
      stats: async () => ({ depth: pending.length }),
      receive: async () => pending,
      delete: async () => void (pending = []),
      release: async () => {},
      purge: async () => 0,
    };
    const published: { Detail: string }[] = [];
    const redriveAt = new Date(NOW.getTime() + 3600_000);
    const summary = await redrive(queue, {
      trust: trust(),
      selection: {},
      signer: new InProcessSupportSigner({
        trusts: [trust()],
        publisher: { putEvents: async (entries) => (published.push(...entries), entries.map(() => ({ status: "found" as const, value: { eventId: "e" } }))) },
        secrets: { get: async () => stored() },
        keys: new LocalKeyProvider(),
        eventBusName: "bus",
        cloudEventSource: "/trust-callbacks/test",
        now: () => redriveAt,
      }),
      dryRun: false,
      ratePerSecond: 1000,
      operator: "support",
      audit: () => {},
      now: () => redriveAt,
    });
    expect(summary.redriven).toBe(1);
    const detail = JSON.parse(published[0]!.Detail) as BuiltCallbackDetail;
    expect(detail.webhook.signature.split(" ")).toHaveLength(2);
    const headers = { "webhook-id": detail.webhook.id, "webhook-timestamp": detail.webhook.timestamp, "webhook-signature": detail.webhook.signature };
    for (const receiverKey of [OLD, NEW]) expect(verifyWebhook(receiverKey, headers, JSON.stringify(detail.event), { now: redriveAt })).toMatchObject({ id: "ce-7" });
  });
});

describe("rotate-signing-key command output and audit", () => {
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
    vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  it("prints the new key once (text and --json) and audits fingerprints only", async () => {
    const { file, stored } = fileStore(OLD);
    const trustsDir = mkdtempSync(join(tmpdir(), "trusts-"));
    writeFileSync(join(trustsDir, "RX1.json"), JSON.stringify(trust()));
    const auditFile = join(trustsDir, "..", `${Date.now()}-audit.ndjson`);
    const command = { name: "rotate-signing-key", target: { kind: "local", secretsFile: file, trustsDir }, auditFile, trust: "RX1", endpoint: "ehr", dryRun: false, json: false, endOverlap: false } as const;

    expect(await rotateSigningKeyCommand(command)).toBe(0);
    const newKey = (JSON.parse(stored()) as { keys: { key: string }[] }).keys[0]!.key;
    expect(out.join("\n").split(newKey)).toHaveLength(2); // shown exactly once
    expect(await rotateSigningKeyCommand({ ...command, json: true, overlapSeconds: 86700 })).toBe(0);
    const json = JSON.parse(out.at(-1)!);
    expect(json).toMatchObject({ outcome: "rotated", newKey: (JSON.parse(stored()) as { keys: { key: string }[] }).keys[0]!.key, overlapEndsAt: expect.any(String) });
    const audit = readFileSync(auditFile, "utf8");
    expect(audit.trim().split("\n").map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ action: "rotate-signing-key", trustId: "RX1", endpointId: "ehr", outcome: "rotated", newKeyFingerprint: keyFingerprint(newKey) }),
      expect.objectContaining({ action: "rotate-signing-key", outcome: "rotated", newKeyFingerprint: keyFingerprint(json.newKey) }),
    ]);
    for (const k of [OLD, newKey, json.newKey]) expect(audit).not.toContain(k.slice(6));
    // The follow-up it prints names the trust files it used, so it runs as printed.
    expect(out.join("\n")).toContain(`npm run support -- rotate-signing-key --secrets ${file} --trusts ${trustsDir} --trust RX1 --endpoint ehr --end-overlap`);
  });

  it("says a --secrets file that does not exist is missing (exit 2), not that a secret in it is", async () => {
    const trustsDir = mkdtempSync(join(tmpdir(), "trusts-"));
    writeFileSync(join(trustsDir, "RX1.json"), JSON.stringify(trust()));
    const command = { name: "rotate-signing-key", target: { kind: "local", secretsFile: "/nonexistent/secrets.json", trustsDir }, auditFile: join(trustsDir, "audit.ndjson"), trust: "RX1", endpoint: "ehr", dryRun: false, json: false, endOverlap: false } as const;

    await expect(rotateSigningKeyCommand(command)).rejects.toThrow(
      new UsageError("--secrets /nonexistent/secrets.json: no such file (the local pipeline creates .local/secrets.json on its first run: make local; or give the file listen and trigger use)"),
    );
  });
});

describe("SecretsManagerStore (Secrets Manager mocked at the SDK)", () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());
  const store = () => new SecretsManagerStore(sm as unknown as SecretsManagerClient);

  it("rotates by writing a version that is not current, then moving AWSCURRENT from the version it read", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: "v-old" });
    sm.on(PutSecretValueCommand).resolves({ VersionId: "v-new" });
    sm.on(UpdateSecretVersionStageCommand).resolves({});

    const result = await rotateSigningKey(request({ store: store() }));

    expect(result.outcome).toBe("rotated");
    const put = sm.commandCalls(PutSecretValueCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ SecretId: "tc/test/signing/RX1/ehr", VersionStages: [PENDING_STAGE], ClientRequestToken: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(parseSigningSecret(put.SecretString!)).toMatchObject({ status: "valid", secret: { keys: [{ key: NEW }, { key: OLD }] } });
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)[0]!.args[0].input).toEqual({
      SecretId: "tc/test/signing/RX1/ehr", VersionStage: "AWSCURRENT", MoveToVersionId: "v-new", RemoveFromVersionId: "v-old",
    });
  });

  it("refuses when someone else made another version current meanwhile (the stage move fails)", async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: OLD, VersionId: "v-old" }).resolves({ SecretString: key(7), VersionId: "v-theirs" });
    sm.on(PutSecretValueCommand).resolves({ VersionId: "v-new" });
    sm.on(UpdateSecretVersionStageCommand).rejects(Object.assign(new Error("The staging label AWSCURRENT is not attached to version v-old"), { name: "InvalidParameterException" }));

    await expect(rotateSigningKey(request({ store: store() }))).rejects.toThrow(SecretChangedMeanwhile);
  });

  it("reports any other failure by operation and error name, never the value", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: "v-old" });
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error("User is not authorized to perform secretsmanager:PutSecretValue"), { name: "AccessDeniedException" }));
    const error = (await rotateSigningKey(request({ store: store() })).catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Secrets Manager PutSecretValue tc\/test\/signing\/RX1\/ehr: AccessDeniedException/);
    expect(error.message).not.toContain(NEW.slice(6));
  });

  it("reads a missing secret, or one created without a value, as absent", async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT"), { name: "ResourceNotFoundException" }));
    expect(await store().get("x")).toBeUndefined();
  });

  it("creates a placeholder with no value, and leaves an existing one alone", async () => {
    sm.on(CreateSecretCommand).resolvesOnce({}).rejects(Object.assign(new Error("exists"), { name: "ResourceExistsException" }));
    expect(await new SecretsManagerStore(sm as unknown as SecretsManagerClient, { kmsKeyId: "alias/tc" }).createPlaceholder("a/auth", "creds")).toBe("created");
    expect(sm.commandCalls(CreateSecretCommand)[0]!.args[0].input).toEqual({ Name: "a/auth", Description: "creds", KmsKeyId: "alias/tc", ClientRequestToken: expect.any(String) });
    expect(await store().createPlaceholder("a/auth", "creds")).toBe("exists");
  });
});

describe("rotate-signing-key in AWS names the caller's AWS identity in its audit line (promise 7.5)", () => {
  const sm = mockClient(SecretsManagerClient);
  const sts = mockClient(STSClient);
  const ARN = "arn:aws:sts::111122223333:assumed-role/trust-callbacks-prod-platform/jo.bloggs@nhs.net";
  beforeEach(() => {
    sm.reset();
    sts.reset();
    sm.on(GetSecretValueCommand).resolves({ SecretString: OLD, VersionId: "v-old" });
    sm.on(PutSecretValueCommand).resolves({ VersionId: "v-new" });
    sm.on(UpdateSecretVersionStageCommand).resolves({});
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());
  const command = () => {
    const trustsDir = mkdtempSync(join(tmpdir(), "trusts-"));
    writeFileSync(join(trustsDir, "RX1.json"), JSON.stringify(trust()));
    const auditFile = join(trustsDir, "audit.ndjson");
    return { auditFile, command: { name: "rotate-signing-key", target: { kind: "aws", env: "prod", trustsDir, namePrefix: "trust-callbacks-prod" }, auditFile, trust: "RX1", endpoint: "ehr", dryRun: false, json: true, endOverlap: false } as const };
  };

  it("rotated: the audit line's operator is the STS ARN", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN });
    const { auditFile, command: rotate } = command();

    expect(await rotateSigningKeyCommand(rotate)).toBe(0);

    expect(readFileSync(auditFile, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ outcome: "rotated", operator: ARN })]);
  });

  it("STS cannot say who the caller is: nothing is written to Secrets Manager and nothing is audited", async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("expired"), { name: "ExpiredTokenException" }));
    const { auditFile, command: rotate } = command();

    await expect(rotateSigningKeyCommand(rotate)).rejects.toThrow("cannot read your AWS identity (STS GetCallerIdentity: ExpiredTokenException); nothing was done");

    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(() => readFileSync(auditFile, "utf8")).toThrow();
  });
});
