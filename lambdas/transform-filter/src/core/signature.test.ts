import { randomBytes } from "node:crypto";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { NoActiveSigningKey, canonicalJson, isSigningKeyDecoded, setSigningKeyCacheSize, signWebhook, signingKeysAt } from "./signature.ts";

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

describe("signing with several keys (a key rotation's overlap)", () => {
  const [oldKey, newKey] = [`whsec_${randomBytes(32).toString("base64")}`, `whsec_${randomBytes(32).toString("base64")}`];

  it("writes one v1 signature per key, space-separated, and the standardwebhooks library accepts either key", () => {
    const body = { id: "ce-1", data: { text: "é" } };
    const headers = signWebhook("ce-1", body, [newKey, oldKey], new Date());
    expect(headers.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}= v1,[A-Za-z0-9+/]{43}=$/);
    expect(headers.signature.split(" ")).toEqual([signWebhook("ce-1", body, newKey, new Date(Number(headers.timestamp) * 1000)).signature, signWebhook("ce-1", body, oldKey, new Date(Number(headers.timestamp) * 1000)).signature]);
    const wire = { "webhook-id": headers.id, "webhook-timestamp": headers.timestamp, "webhook-signature": headers.signature };
    for (const key of [oldKey, newKey]) expect(new Webhook(key).verify(canonicalJson(body), wire)).toEqual(body);
    expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(canonicalJson(body), wire)).toThrow();
  });

  it("never signs with no key", () => {
    expect(() => signWebhook("ce-1", {}, [], new Date())).toThrow(/no signing key/);
  });
});

describe("signingKeysAt", () => {
  const [oldKey, newKey] = [`whsec_${randomBytes(32).toString("base64")}`, `whsec_${randomBytes(32).toString("base64")}`];
  const keySet = { version: 1 as const, keys: [{ key: newKey }, { key: oldKey, notAfter: "2026-11-23T10:00:00Z" }] };

  it("gives both keys during the overlap and the new key alone from the old key's notAfter on", () => {
    expect(signingKeysAt(keySet, new Date("2026-11-23T09:59:59Z"))).toEqual([newKey, oldKey]);
    expect(signingKeysAt(keySet, new Date("2026-11-23T10:00:00Z"))).toEqual([newKey]);
  });

  it("reads a SecretString as stored, in either format", () => {
    expect(signingKeysAt(oldKey, new Date())).toEqual([oldKey]);
    expect(signingKeysAt(JSON.stringify(keySet), new Date("2026-11-22T00:00:00Z"))).toEqual([newKey, oldKey]);
    expect(() => signingKeysAt("hunter2", new Date())).toThrow(/signing secret is neither/);
  });

  it("refuses to sign when every key has ended", () => {
    const ended = { version: 1 as const, keys: [{ key: oldKey, notAfter: "2026-11-23T10:00:00Z" }] };
    expect(() => signingKeysAt(ended, new Date("2026-11-23T10:00:00Z"))).toThrow(NoActiveSigningKey);
  });
});

describe("canonicalJson", () => {
  // Code points, lone surrogates included, plus the characters JSON must escape.
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0x10ffff }).map((codePoint) => String.fromCodePoint(codePoint)),
    fc.constantFrom("\ud800", "\udfff", "\u0000", "\u001f", "\u2028", '"', "\\", "é", "😀", "__proto__"),
  );

  it("is RFC 8785: it agrees with the canonicalize package on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: unit, maxDepth: 6 }), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees on what a JSON parser produces, including __proto__ keys and numbers at the edges", () => {
    const text = '{"__proto__":{"b":1},"n":[1e21,1e-7,-0,0.1,5e-324,1.7976931348623157e308],"a":"\\ud83d"}';
    const value = JSON.parse(text);
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe('{"__proto__":{"b":1},"a":"\\ud83d","n":[1e+21,1e-7,0,0.1,5e-324,1.7976931348623157e+308]}');
  });

  it("refuses what JSON cannot represent instead of signing a lossy text", () => {
    for (const value of [{ n: Number.NaN }, { n: Number.POSITIVE_INFINITY }, { n: 1n }, undefined]) {
      expect(() => canonicalJson(value)).toThrow();
    }
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => canonicalJson(cycle)).toThrow();
  });
});

// docs/guarantees.md 6.4: decoded signing keys are kept for a bounded number, and a retired key is not kept.
describe("the decoded signing key cache", () => {
  const key = () => `whsec_${randomBytes(32).toString("base64")}`;

  it("holds at most its bound, however many keys sign", () => {
    setSigningKeyCacheSize(8);
    const at = new Date("2026-11-22T12:00:00Z");
    const all = Array.from({ length: 50 }, key);
    for (const secret of all) signWebhook("ce-1", { a: 1 }, secret, at);
    expect(all.filter(isSigningKeyDecoded).length).toBeLessThanOrEqual(8);
    expect(isSigningKeyDecoded(all.at(-1)!)).toBe(true); // the most recent stay
  });

  it("drops a key once its notAfter has passed, when its secret is next read", () => {
    setSigningKeyCacheSize(100);
    const [current, previous] = [key(), key()];
    const secret = { version: 1 as const, keys: [{ key: current }, { key: previous, notAfter: "2026-11-23T11:00:00Z" }] };
    const during = new Date("2026-11-23T10:00:00Z");
    signWebhook("ce-1", { a: 1 }, signingKeysAt(secret, during), during);
    expect([isSigningKeyDecoded(current), isSigningKeyDecoded(previous)]).toEqual([true, true]);
    const after = new Date("2026-11-23T11:00:00Z");
    signWebhook("ce-2", { a: 1 }, signingKeysAt(secret, after), after);
    expect([isSigningKeyDecoded(current), isSigningKeyDecoded(previous)]).toEqual([true, false]);
  });
});
