import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { processBatch } from "./process-batch.ts";
import type { BuiltCallbackDetail } from "@trust-callbacks/schemas";
import { canonicalJson } from "./signature.ts";

/** A receiver's check, written from the documentation, not from the signer: any `v1,` entry may match its one key. */
function receiverAccepts(key: string, detail: BuiltCallbackDetail): boolean {
  const { id, timestamp, signature } = detail.webhook;
  const expected = Buffer.from(
    createHmac("sha256", Buffer.from(key.slice("whsec_".length), "base64")).update(`${id}.${timestamp}.${canonicalJson(detail.event)}`).digest("base64"),
  );
  return signature.split(" ").some((entry) => {
    const given = Buffer.from(entry.startsWith("v1,") ? entry.slice(3) : "");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const oldKey = newSigningSecret();
const newKey = newSigningSecret();
const ROTATED_AT = "2026-11-22T10:00:00Z";
const OVERLAP_ENDS = "2026-11-23T10:10:00Z";
/** What the rotation command writes: the new key first, the old one until the overlap ends. */
const rotated = JSON.stringify({ version: 1, keys: [{ key: newKey, createdAt: ROTATED_AT }, { key: oldKey, notAfter: OVERLAP_ENDS }] });

async function deliverAt(now: string, secretString: string) {
  const config = trustConfig("RX1");
  const keys = new LocalKeyProvider();
  const publisher = new RecordingPublisher();
  const quarantine = new MemoryQuarantine();
  // The fake answers with the SecretString as stored, as the local pipeline does; the AWS adapter answers parsed.
  const secrets = new InMemorySecrets(new Map([[config.endpoints[0]!.signingSecret, secretString]]));
  const result = await processBatch([kinesisRecord(new EventSealer(keys).seal(plainMessageCreated("RX1")))], {
    keys,
    subscriptions: new InMemorySubscriptions([config]),
    secrets,
    publisher,
    quarantine,
    logger: silentLogger(),
    sleep: async () => {},
    now: () => new Date(now),
  }, TEST_SETTINGS);
  return { result, quarantine, details: publisher.published.map((entry) => JSON.parse(entry.Detail) as BuiltCallbackDetail) };
}

describe("signing-key rotation, through processBatch", () => {
  it("during the overlap, a receiver holding only the old key and one holding only the new key both verify", async () => {
    const { details } = await deliverAt("2026-11-22T12:00:00Z", rotated);
    expect(details).toHaveLength(1);
    expect(details[0]!.webhook.signature.split(" ")).toHaveLength(2);
    expect(receiverAccepts(oldKey, details[0]!)).toBe(true);
    expect(receiverAccepts(newKey, details[0]!)).toBe(true);
    expect(receiverAccepts(newSigningSecret(), details[0]!)).toBe(false);
  });

  it("after the overlap ends, only the new key verifies", async () => {
    const { details } = await deliverAt(OVERLAP_ENDS, rotated);
    expect(details[0]!.webhook.signature.split(" ")).toHaveLength(1);
    expect(receiverAccepts(newKey, details[0]!)).toBe(true);
    expect(receiverAccepts(oldKey, details[0]!)).toBe(false);
  });

  it("still signs with a secret in the old single-key format", async () => {
    const { details } = await deliverAt("2026-11-22T12:00:00Z", oldKey);
    expect(details[0]!.webhook.signature).toMatch(/^v1,[^ ]+$/);
    expect(receiverAccepts(oldKey, details[0]!)).toBe(true);
  });

  it("quarantines a delivery whose secret has no active key, naming the secret and never a key", async () => {
    const ended = JSON.stringify({ version: 1, keys: [{ key: oldKey, notAfter: ROTATED_AT }] });
    const { result, quarantine, details } = await deliverAt("2026-11-22T12:00:00Z", ended);
    expect(details).toEqual([]);
    expect(result.outcomes[0]!.state).toBe("quarantined");
    expect(quarantine.entries[0]!.endpointFailures).toEqual([
      { endpointId: "ep1", reason: expect.stringMatching(/^signing secret tc\/test\/signing\/RX1\/ep1: no signing key is active at 2026-11-22T12:00:00.000Z/) },
    ]);
    expect(JSON.stringify(quarantine.entries)).not.toContain(oldKey.slice(6));
  });

  it("quarantines a delivery whose secret is malformed, without quoting it", async () => {
    const { result, quarantine } = await deliverAt("2026-11-22T12:00:00Z", "hunter2");
    expect(result.outcomes[0]!.state).toBe("quarantined");
    expect(quarantine.entries[0]!.endpointFailures[0]!.reason).toMatch(/signing secret is neither a whsec_ signing key nor a signing key set/);
    expect(JSON.stringify(quarantine.entries)).not.toContain("hunter2");
  });
});
