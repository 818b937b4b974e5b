import { describe, expect, it } from "vitest";
import {
  SIGNING_KEY_PATTERN,
  activeSigningKeys,
  newSigningKey,
  parseSigningSecret,
  renderSigningSecret,
  signingKeyOf,
  signingKeyProblem,
  type SigningSecret,
} from "./signing-secret.ts";

const OLD = `whsec_${Buffer.alloc(32, 1).toString("base64")}`;
const NEW = `whsec_${Buffer.alloc(32, 2).toString("base64")}`;
const rotation: SigningSecret = {
  version: 1,
  keys: [
    { key: NEW, createdAt: "2026-11-22T10:00:00Z" },
    { key: OLD, createdAt: "2026-01-01T00:00:00Z", notAfter: "2026-11-23T11:00:00Z" },
  ],
};

describe("parseSigningSecret", () => {
  it("accepts keys of 32 bytes and more, which SIGNING_KEY_PATTERN matches too, and no shorter (docs/guarantees.md 6.3)", () => {
    for (const bytes of [32, 33, 34, 35, 64]) {
      const key = `whsec_${Buffer.alloc(bytes, 5).toString("base64")}`;
      expect(parseSigningSecret(key), String(bytes)).toEqual({ status: "valid", secret: { version: 1, keys: [{ key }] } });
      expect(SIGNING_KEY_PATTERN.test(key), String(bytes)).toBe(true);
    }
    for (const bytes of [24, 29, 30, 31]) expect(SIGNING_KEY_PATTERN.test(`whsec_${Buffer.alloc(bytes, 5).toString("base64")}`), String(bytes)).toBe(false);
  });

  it("reads the single-key format as a set of one key that never ends", () => {
    expect(parseSigningSecret(OLD)).toEqual({ status: "valid", secret: { version: 1, keys: [{ key: OLD }] } });
    expect(parseSigningSecret(`${OLD}\n`)).toEqual({ status: "valid", secret: { version: 1, keys: [{ key: OLD }] } });
  });

  it("reads a key set as written by renderSigningSecret", () => {
    expect(parseSigningSecret(renderSigningSecret(rotation))).toEqual({ status: "valid", secret: rotation });
  });

  it.each<[string, string, RegExp]>([
    ["a password", "hunter2", /neither a whsec_ signing key/],
    ["a short key", "whsec_AAAA", /at least 32 bytes/],
    // docs/guarantees.md 6.3: at least 32 bytes, canonical padded base64.
    ["a key of 24 bytes", `whsec_${Buffer.alloc(24, 7).toString("base64")}`, /at least 32 bytes/],
    ["a key of 31 bytes", `whsec_${Buffer.alloc(31, 7).toString("base64")}`, /at least 32 bytes/],
    ["a key without its padding", `whsec_${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`, /base64/],
    ["a key of invalid base64 length", `whsec_${Buffer.alloc(33, 7).toString("base64")}A`, /base64/],
    ["a key set holding a 24-byte key", JSON.stringify({ version: 1, keys: [{ key: `whsec_${Buffer.alloc(24, 7).toString("base64")}` }] }), /at least 32 bytes/],
    ["broken JSON", "{\"version\":1,", /not JSON/],
    ["another version", JSON.stringify({ version: 2, keys: [{ key: OLD }] }), /version/],
    ["no keys", JSON.stringify({ version: 1, keys: [] }), /keys/],
    ["a repeated key", JSON.stringify({ version: 1, keys: [{ key: OLD }, { key: OLD, notAfter: "2026-11-23T00:00:00Z" }] }), /keys\.1\.key: repeats/],
    ["a bad end time", JSON.stringify({ version: 1, keys: [{ key: OLD, notAfter: "tomorrow" }] }), /keys\.0\.notAfter/],
    ["an unknown field", JSON.stringify({ version: 1, keys: [{ key: OLD }], note: "x" }), /note/],
    ["six keys", JSON.stringify({ version: 1, keys: [1, 2, 3, 4, 5, 6].map((n) => ({ key: `whsec_${Buffer.alloc(32, n).toString("base64")}` })) }), /keys/],
  ])("refuses %s without quoting the value", (_, text, message) => {
    const parsed = parseSigningSecret(text);
    expect(parsed).toEqual({ status: "invalid", message: expect.stringMatching(message) });
    if (parsed.status === "invalid") {
      expect(parsed.message).not.toContain("hunter2");
      expect(parsed.message).not.toContain(OLD.slice(6, 20));
    }
  });
});

describe("activeSigningKeys", () => {
  it("signs with both keys during the overlap, the current key first", () => {
    expect(activeSigningKeys(rotation, new Date("2026-11-22T12:00:00Z"))).toEqual([NEW, OLD]);
  });

  it("drops the old key at its notAfter instant, not a moment later", () => {
    expect(activeSigningKeys(rotation, new Date("2026-11-23T10:59:59.999Z"))).toEqual([NEW, OLD]);
    expect(activeSigningKeys(rotation, new Date("2026-11-23T11:00:00Z"))).toEqual([NEW]);
  });

  it("has no key at all once every key has ended", () => {
    const ended: SigningSecret = { version: 1, keys: [{ key: OLD, notAfter: "2026-01-01T00:00:00Z" }] };
    expect(activeSigningKeys(ended, new Date("2026-11-22T00:00:00Z"))).toEqual([]);
  });

  it("compares instants, whatever the offset a time is written with", () => {
    const offset: SigningSecret = { version: 1, keys: [{ key: NEW }, { key: OLD, notAfter: "2026-11-23T12:00:00+01:00" }] };
    expect(activeSigningKeys(offset, new Date("2026-11-23T10:59:00Z"))).toEqual([NEW, OLD]);
    expect(activeSigningKeys(offset, new Date("2026-11-23T11:00:00Z"))).toEqual([NEW]);
  });
});

describe("the one signing key generator", () => {
  it("spells a key as whsec_ and the standard, padded base64 of its bytes", () => {
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(signingKeyOf(bytes)).toBe("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
  });

  it("makes a new key of 32 random bytes that the schema accepts, a different one each time", () => {
    const keys = [newSigningKey(), newSigningKey()];
    for (const key of keys) {
      expect(signingKeyProblem(key)).toBeUndefined();
      expect(key).toMatch(SIGNING_KEY_PATTERN);
      expect(Buffer.from(key.slice("whsec_".length), "base64")).toHaveLength(32);
      expect(parseSigningSecret(key)).toMatchObject({ status: "valid" });
    }
    expect(keys[0]).not.toBe(keys[1]);
  });
});
