import { createHash } from "node:crypto";
import { GetObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TransientError } from "@trust-callbacks/runtime";
import { silentLogger } from "../testing/fakes.ts";
import { trustConfig } from "../testing/fixtures.ts";
import { s3Object } from "../testing/sdk-faults.ts";
import { S3IndexedSubscriptionSource } from "./s3-subscription-index.ts";

const notModified = () => new S3ServiceException({ name: "NotModified", $fault: "client", $metadata: { httpStatusCode: 304 }, message: "Not Modified" });
const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("S3IndexedSubscriptionSource", () => {
  const s3 = mockClient(S3Client);
  let clock: number;
  const documents: Record<string, string> = {};
  const index = (buses: Record<string, string>) =>
    JSON.stringify({ version: 1, trusts: Object.fromEntries(Object.entries(buses).map(([trust, bus]) => [trust, { key: `subscriptions/${trust}.json`, sha256: sha(documents[trust]!), eventBus: bus }])) });
  const source = () =>
    new S3IndexedSubscriptionSource(s3 as unknown as S3Client, { bucket: "b", indexKeys: ["subscriptions/index.json"], ttlMs: 60_000, logger: silentLogger(), now: () => clock, random: () => 0.5 });
  const calls = (key: string) => s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Key === key).length;

  beforeEach(() => {
    s3.reset();
    clock = 0;
    documents.RX1 = JSON.stringify(trustConfig("RX1"));
    documents.RYJ = JSON.stringify(trustConfig("RYJ"));
    for (const trust of ["RX1", "RYJ"]) s3.on(GetObjectCommand, { Key: `subscriptions/${trust}.json` }).callsFake(() => s3Object(documents[trust]!, `"${trust}-etag"`));
  });

  it("reads each trust's document once and its bus from the index; an unknown trust costs no request", async () => {
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RX1: "tc-prod-callbacks-3", RYJ: "tc-prod-callbacks-7" }), '"i1"'));
    const subscriptions = source();

    const [rx1, ryj, unknown] = await Promise.all([subscriptions.get("RX1"), subscriptions.get("RYJ"), subscriptions.get("R0A")]);

    expect(rx1.status === "found" && rx1.value.eventBus).toBe("tc-prod-callbacks-3");
    expect(ryj.status === "found" && ryj.value.eventBus).toBe("tc-prod-callbacks-7");
    expect(unknown.status).toBe("not-found");
    expect([calls("subscriptions/index.json"), calls("subscriptions/RX1.json"), calls("subscriptions/RYJ.json"), calls("subscriptions/R0A.json")]).toEqual([1, 1, 1, 0]);
  });

  it("revalidates only the index after its TTL, in the background, and fetches a document only when its digest changed", async () => {
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolvesOnce(s3Object(index({ RX1: "bus-0", RYJ: "bus-0" }), '"i1"')).rejects(notModified());
    const subscriptions = source();
    await Promise.all([subscriptions.get("RX1"), subscriptions.get("RYJ")]);

    clock = 10 * 60_000; // stale: the batch is served from the cached index while it is revalidated (304)
    await Promise.all([subscriptions.get("RX1"), subscriptions.get("RYJ")]);
    await subscriptions.get("RX1");
    expect(calls("subscriptions/index.json")).toBe(2);
    expect(s3.commandCalls(GetObjectCommand).find((call) => call.args[0].input.Key === "subscriptions/index.json" && call.args[0].input.IfNoneMatch)?.args[0].input.IfNoneMatch).toBe('"i1"');
    expect([calls("subscriptions/RX1.json"), calls("subscriptions/RYJ.json")]).toEqual([1, 1]);

    documents.RX1 = JSON.stringify(trustConfig("RX1", [{}], { enabled: false }));
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RX1: "bus-0", RYJ: "bus-0" }), '"i2"'));
    clock = 20 * 60_000;
    await subscriptions.get("RYJ"); // starts the revalidation; this batch still uses the old index
    await new Promise((resolve) => setImmediate(resolve));
    const changed = await subscriptions.get("RX1");
    expect(changed.status === "found" && changed.value.config.enabled).toBe(false);
    expect([calls("subscriptions/RX1.json"), calls("subscriptions/RYJ.json")]).toEqual([2, 1]);
  });

  it("answers from what it holds without waiting while the index is fresh, and nothing when get() has work to do", async () => {
    // Prepare
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RX1: "tc-prod-callbacks-3", RYJ: "tc-prod-callbacks-3" }), '"i1"'));
    const subscriptions = source();

    // Act / Assess
    expect(subscriptions.cached("RX1")).toBeUndefined(); // cold: the index is not read yet
    const rx1 = await subscriptions.get("RX1");
    expect(subscriptions.cached("RX1")).toBe(rx1);
    expect(subscriptions.cached("RYJ")).toBeUndefined(); // listed, not read yet
    expect(subscriptions.cached("R0A")?.status).toBe("not-found"); // not in the index
    clock += 72_001; // past the TTL (60 s, +20% at most): get() revalidates the index
    expect(subscriptions.cached("RX1")).toBeUndefined();
    expect(calls("subscriptions/index.json")).toBe(1);
  });

  it("spreads index refreshes: the TTL is jittered", async () => {
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RX1: "bus-0" }), '"i1"'));
    const early = new S3IndexedSubscriptionSource(s3 as unknown as S3Client, { bucket: "b", indexKeys: ["subscriptions/index.json"], ttlMs: 60_000, logger: silentLogger(), now: () => clock, random: () => 0 });
    await early.get("RX1");
    clock = 49_000; // 0.8 x TTL has passed for random() = 0
    await early.get("RX1");
    expect(calls("subscriptions/index.json")).toBe(2);
  });

  it("hands records back (retry) when a cold container cannot read the index, and keeps a good index when a new one is broken", async () => {
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).rejects(new S3ServiceException({ name: "SlowDown", $fault: "server", $metadata: { httpStatusCode: 503 }, message: "slow" }));
    await expect(source().get("RX1")).rejects.toThrow(/TransientError|SlowDown|index/);

    s3.reset();
    s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json" }).callsFake(() => s3Object(documents.RX1!, '"RX1-etag"'));
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolvesOnce(s3Object(index({ RX1: "bus-0" }), '"i1"')).resolves(s3Object("{not json", '"i2"'));
    const subscriptions = source();
    await subscriptions.get("RX1");
    clock = 2 * 60_000; // past the TTL, within the staleness bound (1.6)
    await subscriptions.get("RX1");
    await new Promise((resolve) => setImmediate(resolve));
    const still = await subscriptions.get("RX1");
    expect(still.status === "found" && still.value.eventBus).toBe("bus-0");
  });

  it("retries, never filters, a trust listed in the index whose document is missing", async () => {
    delete documents.RYJ;
    documents.RYJ = "{}";
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RYJ: "bus-0" }), '"i1"'));
    s3.on(GetObjectCommand, { Key: "subscriptions/RYJ.json" }).rejects(new S3ServiceException({ name: "NoSuchKey", $fault: "client", $metadata: { httpStatusCode: 404 }, message: "no" }));
    const lookup = await source().get("RYJ");
    expect(lookup.status === "failed" && lookup.retry).toBe("later");
  });

  // docs/guarantees.md 1.6: stale service is bounded; past the bound the records are handed back, not routed on a guess.
  it("staleness bound: serves a stale index while it cannot be revalidated, up to the bound, then fails transient until S3 answers", async () => {
    const subscriptions = new S3IndexedSubscriptionSource(s3 as unknown as S3Client, {
      bucket: "b", indexKeys: ["subscriptions/index.json"], ttlMs: 60_000, maxStaleMs: 300_000, logger: silentLogger(), now: () => clock, random: () => 0.5,
    });
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolvesOnce(s3Object(index({ RX1: "bus-0" }), '"i1"'))
      .rejects(new S3ServiceException({ name: "AccessDenied", $fault: "client", $metadata: { httpStatusCode: 403 }, message: "Access Denied" }));
    expect((await subscriptions.get("RX1")).status).toBe("found");

    clock = 60_000 + 299_000; // past the TTL, within the bound: served stale while revalidation fails
    expect((await subscriptions.get("RX1")).status).toBe("found");
    await new Promise((resolve) => setImmediate(resolve));

    clock = 60_000 + 300_001; // past the bound: never stale service
    await expect(subscriptions.get("RX1")).rejects.toBeInstanceOf(TransientError);
    expect(subscriptions.cached("RX1")).toBeUndefined();

    documents.RX1 = JSON.stringify(trustConfig("RX1", [{}], { enabled: false }));
    s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).resolves(s3Object(index({ RX1: "bus-0" }), '"i2"'));
    const back = await subscriptions.get("RX1"); // S3 answers again: the current document, switched off
    expect(back.status === "found" && back.value.config.enabled).toBe(false);
  });

  describe("one shard per bus (docs/guarantees.md 8.11)", () => {
    const SHARDS = ["subscriptions/index/bus-0.json", "subscriptions/index/bus-1.json", "subscriptions/index/bus-2.json"];
    const sharded = () => new S3IndexedSubscriptionSource(s3 as unknown as S3Client, { bucket: "b", indexKeys: SHARDS, ttlMs: 60_000, logger: silentLogger(), now: () => clock, random: () => 0.5 });
    const missing = () => new S3ServiceException({ name: "NoSuchKey", $fault: "client", $metadata: { httpStatusCode: 404 }, message: "no" });
    const slowDown = () => new S3ServiceException({ name: "SlowDown", $fault: "server", $metadata: { httpStatusCode: 503 }, message: "slow" });

    it("reads every listed shard: each trust's bus comes from its own bus's shard, a shard not written yet lists no trust", async () => {
      s3.on(GetObjectCommand, { Key: SHARDS[0] }).resolves(s3Object(index({ RX1: "tc-callbacks-0" }), '"s0"'));
      s3.on(GetObjectCommand, { Key: SHARDS[1] }).resolves(s3Object(index({ RYJ: "tc-callbacks-1" }), '"s1"'));
      s3.on(GetObjectCommand, { Key: SHARDS[2] }).rejects(missing());
      const subscriptions = sharded();
      const [rx1, ryj, unknown] = await Promise.all([subscriptions.get("RX1"), subscriptions.get("RYJ"), subscriptions.get("R0A")]);
      expect(rx1.status === "found" && rx1.value.eventBus).toBe("tc-callbacks-0");
      expect(ryj.status === "found" && ryj.value.eventBus).toBe("tc-callbacks-1");
      expect(unknown.status).toBe("not-found");
      expect(SHARDS.map(calls)).toEqual([1, 1, 1]);
    });

    it("revalidates each shard with its own ETag after the TTL; a shard written since it was missing is read", async () => {
      s3.on(GetObjectCommand, { Key: SHARDS[0] }).resolvesOnce(s3Object(index({ RX1: "tc-callbacks-0" }), '"s0"')).rejects(notModified());
      s3.on(GetObjectCommand, { Key: SHARDS[1] }).callsFake(() => s3Object(index({}), '"s1"'));
      s3.on(GetObjectCommand, { Key: SHARDS[2] }).rejectsOnce(missing()).resolves(s3Object(index({ RYJ: "tc-callbacks-2" }), '"s2"'));
      const subscriptions = sharded();
      expect((await subscriptions.get("RYJ")).status).toBe("not-found");
      clock = 10 * 60_000;
      await subscriptions.get("RX1"); // starts the revalidation of every shard
      await new Promise((resolve) => setImmediate(resolve));
      const ryj = await subscriptions.get("RYJ");
      expect(ryj.status === "found" && ryj.value.eventBus).toBe("tc-callbacks-2");
      const revalidation = s3.commandCalls(GetObjectCommand).filter((call) => call.args[0].input.Key === SHARDS[0]).map((call) => call.args[0].input.IfNoneMatch);
      expect(revalidation).toEqual([undefined, '"s0"']);
      const rx1 = await subscriptions.get("RX1");
      expect(rx1.status === "found" && rx1.value.eventBus).toBe("tc-callbacks-0");
    });

    it("hands a cold container's records back when any shard cannot be read; a warm one keeps the shard it holds", async () => {
      s3.on(GetObjectCommand, { Key: SHARDS[0] }).resolves(s3Object(index({ RX1: "tc-callbacks-0" }), '"s0"'));
      s3.on(GetObjectCommand, { Key: SHARDS[1] }).rejects(slowDown());
      s3.on(GetObjectCommand, { Key: SHARDS[2] }).rejects(missing());
      await expect(sharded().get("RX1")).rejects.toThrow(/TransientError|SlowDown|index/);

      s3.reset();
      s3.on(GetObjectCommand, { Key: "subscriptions/RYJ.json" }).callsFake(() => s3Object(documents.RYJ!, '"RYJ-etag"'));
      s3.on(GetObjectCommand, { Key: SHARDS[0] }).callsFake(() => s3Object(index({}), '"s0"'));
      s3.on(GetObjectCommand, { Key: SHARDS[1] }).resolvesOnce(s3Object(index({ RYJ: "tc-callbacks-1" }), '"s1"')).rejects(slowDown());
      s3.on(GetObjectCommand, { Key: SHARDS[2] }).resolvesOnce(s3Object(index({}), '"s2"')).resolves(s3Object("{not json", '"s2b"'));
      const subscriptions = sharded();
      await subscriptions.get("RYJ");
      clock = 2 * 60_000; // past the TTL, within the staleness bound (1.6)
      await subscriptions.get("RYJ");
      await new Promise((resolve) => setImmediate(resolve));
      const still = await subscriptions.get("RYJ");
      expect(still.status === "found" && still.value.eventBus).toBe("tc-callbacks-1");
    });

    it("takes a trust listed in two shards (a move under way) from the shard listed first", async () => {
      s3.on(GetObjectCommand, { Key: SHARDS[0] }).resolves(s3Object(index({}), '"s0"'));
      s3.on(GetObjectCommand, { Key: SHARDS[1] }).resolves(s3Object(index({ RX1: "tc-callbacks-1" }), '"s1"'));
      s3.on(GetObjectCommand, { Key: SHARDS[2] }).resolves(s3Object(index({ RX1: "tc-callbacks-2" }), '"s2"'));
      const rx1 = await sharded().get("RX1");
      expect(rx1.status === "found" && rx1.value.eventBus).toBe("tc-callbacks-1");
    });
  });
});
