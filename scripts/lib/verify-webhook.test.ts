import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { BuiltCallbackDetail } from "@trust-callbacks/schemas";
import { canonicalJson, signedBusEntry } from "@trust-callbacks/transform-filter";
import { verifyWebhook } from "./verify-webhook.ts";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const body = { id: "abc", data: { text: "é", n: 1.5 }, type: "t" };
function sign(id: string, timestamp: number, payload: unknown) {
  const key = Buffer.from(secret.slice(6), "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${canonicalJson(payload)}`).digest("base64")}`;
}

describe("verifyWebhook", () => {
  const now = new Date("2026-11-22T12:00:00Z");
  const ts = now.getTime() / 1000;

  it("accepts a re-serialized body (other key order, other spacing) and returns the event", () => {
    const headers = { "webhook-id": "abc", "webhook-timestamp": String(ts), "webhook-signature": sign("abc", ts, body) };
    const wire = '{ "type":"t", "data":{"n":1.50,"text":"\\u00e9"}, "id":"abc" }';
    expect(verifyWebhook(secret, headers, wire, { now })).toEqual(body);
  });

  it("accepts an EventBridge retry hours later but not a day-old replay beyond the tolerance", () => {
    const old = ts - 6 * 3600;
    const headers = { "webhook-id": "abc", "webhook-timestamp": String(old), "webhook-signature": sign("abc", old, body) };
    expect(() => verifyWebhook(secret, headers, JSON.stringify(body), { now })).not.toThrow();
    expect(() => verifyWebhook(secret, headers, JSON.stringify(body), { now, toleranceSeconds: 3600 })).toThrow(/too old/);
  });

  it("rejects a tampered body, a wrong id and missing headers", () => {
    const headers = { "webhook-id": "abc", "webhook-timestamp": String(ts), "webhook-signature": sign("abc", ts, body) };
    expect(() => verifyWebhook(secret, headers, JSON.stringify({ ...body, type: "x" }), { now })).toThrow(/no matching signature/);
    expect(() => verifyWebhook(secret, { ...headers, "webhook-id": "abd" }, JSON.stringify(body), { now })).toThrow(/no matching signature/);
    expect(() => verifyWebhook(secret, {}, "{}", { now })).toThrow(/missing/);
  });
});

// Which keys sign when (both during a rotation's overlap, the new one alone after it, the old single-key format) is
// the signer's: lambdas/transform-filter/src/core/key-rotation.test.ts, through processBatch. Here: what a receiver
// holding one key, or a list of keys, makes of a header carrying a signature per key.
describe("verifyWebhook on deliveries signed with several keys (a rotation's overlap, signed by signedBusEntry, the one signer)", () => {
  const oldKey = `whsec_${randomBytes(32).toString("base64")}`;
  const newKey = `whsec_${randomBytes(32).toString("base64")}`;
  const overlapEnds = new Date("2026-11-23T10:10:00Z");
  const rotated = { version: 1 as const, keys: [{ key: newKey, createdAt: "2026-11-22T10:00:00Z" }, { key: oldKey, notAfter: overlapEnds.toISOString() }] };
  const event = { specversion: "1.0", id: "ce-9", type: "uk.nhs.trustcallbacks.message.created.v1", data: { text: "é" } };

  /** Signs at `at` as the Lambda and the redrive tool do, and delivers at `at` (headers and body as the API destination sends them). */
  const deliver = (secret: Parameters<typeof signedBusEntry>[1], at: Date) => {
    const detail = JSON.parse(signedBusEntry(event, secret, at, "trust-callbacks", "bus").Detail) as BuiltCallbackDetail;
    const headers = { "webhook-id": detail.webhook.id, "webhook-timestamp": detail.webhook.timestamp, "webhook-signature": detail.webhook.signature };
    return (receiverKeys: string | string[], now = at) => () => verifyWebhook(receiverKeys, headers, JSON.stringify(detail.event), { now });
  };

  it("accepts the delivery with either key alone or with both, and refuses it with an unrelated key", () => {
    const delivery = deliver(rotated, new Date("2026-11-22T12:00:00Z"));
    expect(delivery(oldKey)()).toMatchObject({ id: "ce-9" });
    expect(delivery(newKey)()).toMatchObject({ id: "ce-9" });
    expect(delivery([oldKey, newKey])()).toMatchObject({ id: "ce-9" });
    expect(delivery(secret)).toThrow(/no matching signature/);
  });

  it("an EventBridge retry signed during the overlap still verifies with the old key after the overlap has ended", () => {
    const delivery = deliver(rotated, new Date("2026-11-23T09:00:00Z"));
    expect(delivery(oldKey, new Date("2026-11-23T12:00:00Z"))()).toMatchObject({ id: "ce-9" });
  });
});
