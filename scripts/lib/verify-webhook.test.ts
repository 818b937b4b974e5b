import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "@trust-callbacks/transform-filter";
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
