import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { PermanentError, TransientError } from "@trust-callbacks/runtime";
import { silentLogger } from "../testing/fakes.ts";
import { newSigningSecret, trustConfig } from "../testing/fixtures.ts";
import { s3Object } from "../testing/sdk-faults.ts";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import { EventBridgePublisher } from "./eventbridge-publisher.ts";
import { CachingDataKeyUnwrapper, KmsDataKeyUnwrapper } from "./kms-data-keys.ts";
import { S3QuarantineSink, quarantineKey } from "./s3-quarantine.ts";
import { S3SubscriptionSource } from "./s3-subscriptions.ts";
import { SecretsManagerSigningSecrets } from "./secrets-manager-signing-secrets.ts";

const s3Error = (name: string, status: number, fault: "client" | "server" = "client") =>
  new S3ServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: name });

describe("classifyAwsError", () => {
  it("treats throttling, 5xx and unanswered requests as transient and other 4xx as permanent", () => {
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }), "op")).toBeInstanceOf(TransientError);
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "KMSInternalException", $fault: "server", $metadata: { httpStatusCode: 500 } }), "op")).toBeInstanceOf(TransientError);
    expect(classifyAwsError(Object.assign(new Error("socket hang up"), { name: "Error" }), "op")).toBeInstanceOf(TransientError);
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } }), "op")).toBeInstanceOf(PermanentError);
  });

  // Promise 1.2: with ownConfiguration (every call of the transform-filter Lambda), a refusal by our own deployment is
  // retried; a fault of the request itself stays permanent.
  it.each([
    ["AccessDeniedException", 400, TransientError],
    ["AccessDenied", 403, TransientError],
    ["SomethingForbidden", 403, TransientError],
    ["DisabledException", 400, TransientError],
    ["KMSInvalidStateException", 409, TransientError],
    ["KeyUnavailableException", 500, TransientError],
    ["DecryptionFailure", 400, TransientError],
    ["InvalidCiphertextException", 400, PermanentError],
    ["IncorrectKeyException", 400, PermanentError],
    ["ValidationException", 400, PermanentError],
    ["ResourceNotFoundException", 400, PermanentError],
  ] as const)("with ownConfiguration: %s (HTTP %i) is %o", (name, status, kind) => {
    const error = Object.assign(new Error("x"), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
    expect(classifyAwsError(error, "op", { ownConfiguration: true })).toBeInstanceOf(kind);
  });
});

describe("S3SubscriptionSource", () => {
  const s3 = mockClient(S3Client);
  let clock = 0;
  const source = () =>
    new S3SubscriptionSource(s3 as unknown as S3Client, { bucket: "b", prefix: "subscriptions/", ttlMs: 60_000, logger: silentLogger(), now: () => clock });
  beforeEach(() => {
    s3.reset();
    clock = 0;
  });

  it("serves a warm cache without calling S3, then revalidates with If-None-Match and transfers no body on 304", async () => {
    const config = trustConfig("RX1");
    s3.on(GetObjectCommand).resolvesOnce(s3Object(JSON.stringify(config), '"v1"')).rejects(s3Error("NotModified", 304));
    const subscriptions = source();
    expect(await subscriptions.get("RX1")).toMatchObject({ status: "found", value: { version: '"v1"' } });
    clock = 30_000;
    await subscriptions.get("RX1");
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    clock = 61_000;
    expect(await subscriptions.get("RX1")).toMatchObject({ status: "found", value: { config: { trustId: "RX1" } } });
    const calls = s3.commandCalls(GetObjectCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toEqual({ Bucket: "b", Key: "subscriptions/RX1.json" });
    expect(calls[1]!.args[0].input).toMatchObject({ IfNoneMatch: '"v1"' });
  });

  it("reports a missing document as an unknown trust", async () => {
    s3.on(GetObjectCommand).rejects(s3Error("NoSuchKey", 404));
    expect(await source().get("RX9")).toEqual({ status: "not-found", reason: "no subscription document" });
  });

  it("reports an invalid document, and keeps serving the last good version after a broken upload", async () => {
    const good = trustConfig("RX1");
    s3.on(GetObjectCommand)
      .resolvesOnce(s3Object(JSON.stringify(good), '"v1"'))
      .resolvesOnce(s3Object(JSON.stringify({ ...good, endpoints: [{ id: "x" }] }), '"v2"'));
    const subscriptions = source();
    await subscriptions.get("RX1");
    clock = 61_000;
    expect(await subscriptions.get("RX1")).toMatchObject({ status: "found", value: { version: '"v1"' } });

    s3.reset();
    s3.on(GetObjectCommand).resolves(s3Object('{"trustId":"RX2"', '"x"'));
    expect(await source().get("RX2")).toMatchObject({ status: "failed", retry: "never", reason: expect.stringMatching(/^not JSON/) });
  });

  it("rejects a document stored under another trust's key", async () => {
    s3.on(GetObjectCommand).resolves(s3Object(JSON.stringify(trustConfig("RX1")), '"v1"'));
    expect(await source().get("RX2")).toMatchObject({ status: "failed", retry: "never", reason: "document is for trust RX1, stored under RX2" });
  });

  it("throws transient errors when S3 fails and nothing good is cached, and serves the cached version when it is", async () => {
    s3.on(GetObjectCommand).rejects(s3Error("InternalError", 500, "server"));
    await expect(source().get("RX1")).rejects.toBeInstanceOf(TransientError);

    s3.reset();
    s3.on(GetObjectCommand).resolvesOnce(s3Object(JSON.stringify(trustConfig("RX1")), '"v1"')).rejects(s3Error("SlowDown", 503, "server"));
    const subscriptions = source();
    await subscriptions.get("RX1");
    clock = 61_000;
    expect(await subscriptions.get("RX1")).toMatchObject({ status: "found" });
    // docs/guarantees.md 1.6, for the per-document source too: stale service is bounded (TTL + 5 minutes by default).
    clock = 60_000 + 300_001;
    await expect(subscriptions.get("RX1")).rejects.toBeInstanceOf(TransientError);
  });

  it("treats access denied as transient: an IAM slip is retried, never a quarantine (promise 1.2)", async () => {
    s3.on(GetObjectCommand).rejects(s3Error("AccessDenied", 403));
    const error = await source().get("RX1").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).not.toMatch(/invalid/);
  });
});

describe("KMS data keys", () => {
  const kms = mockClient(KMSClient);
  beforeEach(() => kms.reset());

  // Promises 2.1 and 2.2: a key our configuration makes unusable is retried; only a corrupt or foreign ciphertext is "never".
  it.each([
    ["AccessDeniedException", 400, TransientError],
    ["DisabledException", 400, TransientError],
    ["KMSInvalidStateException", 400, TransientError],
    ["KeyUnavailableException", 500, TransientError],
    ["NotFoundException", 400, TransientError],
    ["DependencyTimeoutException", 500, TransientError],
    ["InvalidCiphertextException", 400, PermanentError],
    ["IncorrectKeyException", 400, PermanentError],
  ] as const)("Decrypt failing with %s (HTTP %i) is %o", async (name, status, kind) => {
    kms.on(DecryptCommand).rejects(Object.assign(new Error("x"), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } }));
    await expect(new KmsDataKeyUnwrapper(kms as unknown as KMSClient).unwrap("AAAA", { trustId: "RX1" })).rejects.toBeInstanceOf(kind);
  });

  it("decrypts with the encryption context and key id, and caches: one KMS call per distinct key", async () => {
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(7) });
    const unwrapper = new CachingDataKeyUnwrapper(new KmsDataKeyUnwrapper(kms as unknown as KMSClient, "arn:aws:kms:eu-west-2:123456789012:key/abc"), {
      maxKeys: 10,
      ttlMs: 60_000,
    });
    const context = { purpose: "trust-callbacks-field-key", trustId: "RX1" };
    const [a, b] = await Promise.all([unwrapper.unwrap("AAAA", context), unwrapper.unwrap("AAAA", context)]);
    await unwrapper.unwrap("AAAA", context);
    expect(a).toEqual(Buffer.alloc(32, 7));
    expect(b).toEqual(a);
    expect(b).not.toBe(a); // each caller its own copy: zeroing the cached key never blanks a batch mid-decrypt
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
    expect(kms.commandCalls(DecryptCommand)[0]!.args[0].input).toMatchObject({
      EncryptionContext: context,
      KeyId: "arn:aws:kms:eu-west-2:123456789012:key/abc",
    });
    await unwrapper.unwrap("AAAA", { ...context, trustId: "RX2" });
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(2);
  });

  it("answers a key it holds without waiting (its own copy), and nothing for a key it has not unwrapped", async () => {
    // Prepare
    kms.on(DecryptCommand).resolves({ Plaintext: new Uint8Array(32).fill(7) });
    const unwrapper = new CachingDataKeyUnwrapper(new KmsDataKeyUnwrapper(kms as unknown as KMSClient), { maxKeys: 10, ttlMs: 60_000 });
    const context = { purpose: "trust-callbacks-field-key", trustId: "RX1" };

    // Act
    const before = unwrapper.cached("AAAA", context);
    const unwrapped = await unwrapper.unwrap("AAAA", context);
    const held = unwrapper.cached("AAAA", context);

    // Assess
    expect(before).toBeUndefined();
    expect(held).toEqual(Buffer.alloc(32, 7));
    expect(held).not.toBe(unwrapped);
    expect(unwrapper.cached("AAAA", { ...context, trustId: "RX2" })).toBeUndefined(); // another context, another key
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
  });

  it("turns InvalidCiphertextException into a permanent error and throttling into a transient one", async () => {
    const unwrapper = new KmsDataKeyUnwrapper(kms as unknown as KMSClient);
    kms.on(DecryptCommand).rejectsOnce(Object.assign(new Error("bad"), { name: "InvalidCiphertextException", $fault: "client", $metadata: { httpStatusCode: 400 } }));
    await expect(unwrapper.unwrap("AAAA", {})).rejects.toBeInstanceOf(PermanentError);
    kms.on(DecryptCommand).rejectsOnce(Object.assign(new Error("slow"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }));
    await expect(unwrapper.unwrap("AAAA", {})).rejects.toBeInstanceOf(TransientError);
  });
});

describe("SecretsManagerSigningSecrets", () => {
  const sm = mockClient(SecretsManagerClient);
  beforeEach(() => sm.reset());

  it("caches secrets and rejects values that are not whsec_ keys as permanent", async () => {
    const secret = newSigningSecret();
    sm.on(GetSecretValueCommand, { SecretId: "good" }).resolves({ SecretString: secret });
    sm.on(GetSecretValueCommand, { SecretId: "plain" }).resolves({ SecretString: "hunter2" });
    const secrets = new SecretsManagerSigningSecrets(sm as unknown as SecretsManagerClient, { ttlMs: 60_000, maxSecrets: 10 });
    expect(await secrets.get("good")).toEqual({ version: 1, keys: [{ key: secret }] });
    expect(await secrets.get("good")).toEqual({ version: 1, keys: [{ key: secret }] });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    const error = await secrets.get("plain").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(String(error)).not.toContain("hunter2");
  });

  it("reads a key set, and refuses a malformed one as permanent without quoting it", async () => {
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    const keySet = { version: 1, keys: [{ key: current, createdAt: "2026-11-22T10:00:00Z" }, { key: previous, notAfter: "2026-11-23T10:00:00Z" }] };
    sm.on(GetSecretValueCommand, { SecretId: "rotating" }).resolves({ SecretString: JSON.stringify(keySet) });
    sm.on(GetSecretValueCommand, { SecretId: "broken" }).resolves({ SecretString: JSON.stringify({ version: 1, keys: [{ key: previous, notAfter: "soon" }] }) });
    const secrets = new SecretsManagerSigningSecrets(sm as unknown as SecretsManagerClient, { ttlMs: 60_000, maxSecrets: 10 });
    expect(await secrets.get("rotating")).toEqual(keySet);
    const error = await secrets.get("broken").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(String(error)).toMatch(/secret broken is not a signing key set: keys\.0\.notAfter/);
    expect(String(error)).not.toContain(previous.slice(6));
  });

  it("picks up a rotated secret's new key once its TTL has passed, and not before", async () => {
    // Prepare: a clock the cache reads instead of performance.now(), and no jitter (the TTL is exactly ttlMs)
    let now = 1_000_000;
    const [oldKey, newKey] = [newSigningSecret(), newSigningSecret()];
    sm.on(GetSecretValueCommand, { SecretId: "ep" }).resolvesOnce({ SecretString: oldKey }).resolves({
      SecretString: JSON.stringify({ version: 1, keys: [{ key: newKey }, { key: oldKey, notAfter: "2099-01-01T00:00:00Z" }] }),
    });
    const secrets = new SecretsManagerSigningSecrets(sm as unknown as SecretsManagerClient, { ttlMs: 900_000, maxSecrets: 10, random: () => 0.5, now: () => now });
    const keysOf = async () => (await secrets.get("ep")).keys.map((k) => k.key);
    const settle = () => new Promise((resolve) => setImmediate(resolve));

    // Act / Assess
    expect(await keysOf()).toEqual([oldKey]);
    now += 899_000; // the rotation happened meanwhile; still within the TTL: the cached secret, no call
    expect(await keysOf()).toEqual([oldKey]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    now += 1_001; // past the TTL: answered at once from the cache while it is read again in the background
    expect(await keysOf()).toEqual([oldKey]);
    await settle();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(await keysOf()).toEqual([newKey, oldKey]); // from now on both keys sign
  });

  it("answers a fresh secret without waiting, and nothing once its TTL has passed, so get() revalidates it", async () => {
    // Prepare
    let now = 1_000_000;
    const secret = newSigningSecret();
    sm.on(GetSecretValueCommand, { SecretId: "ep" }).resolves({ SecretString: secret });
    const secrets = new SecretsManagerSigningSecrets(sm as unknown as SecretsManagerClient, { ttlMs: 900_000, maxSecrets: 10, random: () => 0.5, now: () => now });

    // Act / Assess
    expect(secrets.cached("ep")).toBeUndefined();
    await secrets.get("ep");
    expect(secrets.cached("ep")).toEqual({ version: 1, keys: [{ key: secret }] });
    now += 900_001;
    expect(secrets.cached("ep")).toBeUndefined();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});

describe("EventBridgePublisher", () => {
  const eb = mockClient(EventBridgeClient);
  beforeEach(() => eb.reset());

  const entry = { Source: "s", DetailType: "t", Detail: "{}", EventBusName: "b" };

  it("maps per-entry results in request order", async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: "e1" }, { ErrorCode: "ThrottlingException", ErrorMessage: "slow" }],
    });

    // Act
    const results = await new EventBridgePublisher(eb as unknown as EventBridgeClient).putEvents([entry, entry]);

    // Assess
    expect(results).toEqual([
      { status: "found", value: { eventId: "e1" } },
      { status: "failed", retry: "now", reason: "PutEvents entry failed: ThrottlingException: slow" },
    ]);
  });

  it.each([
    ["ThrottlingException", "now"],
    ["InternalFailure", "now"],
    ["InvalidArgument", "never"],
    ["MalformedDetail", "never"],
    ["ValidationException", "never"],
    ["AccessDeniedException", "later"],
    ["NotAuthorizedForSourceException", "later"],
  ])("classifies the entry error %s as retry %s", async (errorCode, retry) => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: errorCode, ErrorMessage: "x" }] });
    const [result] = await new EventBridgePublisher(eb as unknown as EventBridgeClient).putEvents([entry]);
    expect(result).toMatchObject({ status: "failed", retry });
  });

  it("answers every entry of a call that fails as a whole: throttled now, refused later, never quarantined", async () => {
    const publisher = new EventBridgePublisher(eb as unknown as EventBridgeClient);
    eb.on(PutEventsCommand).rejects(Object.assign(new Error("slow"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }));
    expect(await publisher.putEvents([entry, entry])).toEqual([
      expect.objectContaining({ status: "failed", retry: "now", reason: expect.stringMatching(/^PutEvents failed: TransientError/) }),
      expect.objectContaining({ retry: "now" }),
    ]);
    eb.reset();
    eb.on(PutEventsCommand).rejects(Object.assign(new Error("no"), { name: "AccessDeniedException", $fault: "client", $metadata: { httpStatusCode: 400 } }));
    expect(await publisher.putEvents([entry])).toEqual([expect.objectContaining({ status: "failed", retry: "later" })]);
  });
});

describe("S3QuarantineSink", () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());

  it("writes the entry under a dated, per-trust key named after the Kinesis eventID", async () => {
    s3.on(PutObjectCommand).resolves({});
    const entry = {
      reason: "unknown trust",
      eventID: "shardId-000000000000:4960",
      trustId: "RX1",
      publishedEndpoints: [],
      endpointFailures: [],
      quarantinedAt: "2026-11-22T10:00:00.000Z",
      record: { data: "e30=" },
    };
    await new S3QuarantineSink(s3 as unknown as S3Client, { bucket: "q", prefix: "quarantine/" }).put(entry);
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({
      Bucket: "q",
      Key: "quarantine/2026/11/22/RX1/shardId-000000000000_4960.json",
    });
    expect(quarantineKey("q/", { ...entry, trustId: "../../etc", eventID: "" })).toMatch(/^q\/2026\/11\/22\/_unknown\/[0-9a-f]{64}\.json$/);
  });
});
