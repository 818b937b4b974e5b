import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { canonicalJson, signWebhook } from "./signature.ts";

describe("signWebhook", () => {
  it("produces signatures the standardwebhooks library verifies over the canonical body", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const body = { z: 1, a: { y: "é", b: [3, 1.5, null] }, id: "ce-1" };
    const headers = signWebhook("ce-1", body, secret, new Date());
    const verified = new Webhook(secret).verify(canonicalJson(body), {
      "webhook-id": headers.id,
      "webhook-timestamp": headers.timestamp,
      "webhook-signature": headers.signature,
    });
    expect(verified).toEqual(body);
    expect(canonicalJson(body)).toBe('{"a":{"b":[3,1.5,null],"y":"é"},"id":"ce-1","z":1}');
  });

  it("changes with the key, the id, the timestamp and the body", () => {
    const secret = `whsec_${randomBytes(32).toString("base64")}`;
    const at = new Date("2026-11-22T10:00:00Z");
    const base = signWebhook("a", { x: 1 }, secret, at).signature;
    expect(signWebhook("b", { x: 1 }, secret, at).signature).not.toBe(base);
    expect(signWebhook("a", { x: 2 }, secret, at).signature).not.toBe(base);
    expect(signWebhook("a", { x: 1 }, secret, new Date(at.getTime() + 1000)).signature).not.toBe(base);
    expect(signWebhook("a", { x: 1 }, `whsec_${randomBytes(32).toString("base64")}`, at).signature).not.toBe(base);
  });
});
