import { readdirSync, readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BASE64_PATTERN, EncryptedField, TrustConfig, decodeBase64, fieldAad, formatIssues, openField, sealField, PlatformEvent } from "./index.ts";
import { WEBHOOK_SCHEMAS_DIR, renderJsonSchemas, renderWebhookBodySchemas } from "./json-schemas.ts";

describe("generated JSON Schemas", () => {
  it("are committed and up to date with the zod sources (run `npm run schemas:generate`)", () => {
    for (const [file, text] of Object.entries(renderJsonSchemas())) {
      expect(readFileSync(new URL(`../json/${file}`, import.meta.url), "utf8"), file).toBe(text);
    }
  });

  it(`of the webhook bodies are committed in ${WEBHOOK_SCHEMAS_DIR}, up to date, and nothing else is there`, () => {
    const dir = new URL(`../../${WEBHOOK_SCHEMAS_DIR}`, import.meta.url);
    const expected = renderWebhookBodySchemas();
    const committed = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath}/${entry.name}`.slice(dir.pathname.length).replace(/^\//, ""));
    expect(committed.sort()).toEqual(Object.keys(expected).sort());
    for (const [path, text] of Object.entries(expected)) expect(readFileSync(new URL(path, dir), "utf8"), path).toBe(text);
  });
});

const endpoint = {
  id: "ehr",
  url: "https://ehr.example.nhs.uk/hooks",
  eventTypes: ["message.created"],
  payloadProfile: "full",
  auth: { type: "basic", credentialsSecret: "tc/test/credentials/RX1/ehr" },
  signingSecret: "tc/test/signing/RX1/ehr",
};

describe("TrustConfig", () => {
  it("fills defaults for rate limit and retry policy", () => {
    const config = TrustConfig.parse({ trustId: "RX1", name: "Trust", enabled: true, endpoints: [endpoint] });
    expect(config.endpoints[0]).toMatchObject({
      enabled: true,
      rateLimitPerSecond: 10,
      retryPolicy: { maximumEventAgeSeconds: 86400, maximumRetryAttempts: 185 },
      conditions: {},
    });
  });

  it.each([
    [{ url: "http://ehr.example.nhs.uk/hooks" }, "endpoints[0].url: must be an https:// URL"],
    [{ auth: { type: "digest", credentialsSecret: "x" } }, "endpoints[0].auth.type"],
    [{ rateLimitPerSecond: 301 }, "endpoints[0].rateLimitPerSecond"],
    [{ eventTypes: ["message.created", "message.created"] }, "endpoints[0].eventTypes: must not repeat"],
    [{ colour: "blue" }, 'endpoints[0]: Unrecognized key: "colour"'],
  ])("names the field of a bad endpoint %#", (patch, message) => {
    const result = TrustConfig.safeParse({ trustId: "RX1", name: "T", enabled: true, endpoints: [{ ...endpoint, ...patch }] });
    expect(result.success).toBe(false);
    expect(formatIssues(result.error!)).toContain(message);
  });

  it("rejects duplicate endpoint ids", () => {
    const result = TrustConfig.safeParse({ trustId: "RX1", name: "T", enabled: true, endpoints: [endpoint, endpoint] });
    expect(formatIssues(result.error!)).toBe('endpoints[1].id: duplicate endpoint id "ehr"');
  });

  it("accepts plain http only to loopback, for the local pipeline", () => {
    expect(TrustConfig.safeParse({ trustId: "RX1", name: "T", enabled: true, endpoints: [{ ...endpoint, url: "http://127.0.0.1:9000/x" }] }).success).toBe(true);
  });
});

describe("field envelope", () => {
  it("round-trips, and refuses another event's AAD", () => {
    const key = randomBytes(32);
    const field = sealField("Obs stable", key, "d3JhcHBlZA==", fieldAad("RX1", "e1"));
    expect(openField(field, key, fieldAad("RX1", "e1"))).toBe("Obs stable");
    expect(() => openField(field, key, fieldAad("RX1", "e2"))).toThrow();
    expect(() => openField(field, key, fieldAad("RX2", "e1"))).toThrow();
  });

  it("is accepted by the event schema in place of a clear string", () => {
    const field = sealField("hello", randomBytes(32), "d3JhcHBlZA==", fieldAad("RX1", "e1"));
    const parsed = PlatformEvent.safeParse({
      eventId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      type: "message.read",
      occurredAt: "2026-11-22T10:00:00Z",
      trustId: "RX1",
      conversationId: "c1",
      data: { messageId: "m1", reader: { userId: "u1", displayName: field } },
    });
    expect(parsed.success).toBe(true);
  });
});

describe("decodeBase64", () => {
  // Valid encodings, then the same with one character replaced, inserted or removed, from an alphabet
  // that includes padding, base64url, whitespace and non-ASCII.
  const valid = fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString("base64"));
  const edit = fc.tuple(valid, fc.nat(), fc.constantFrom("A", "Q", "g", "w", "B", "/", "+", "=", "-", "_", " ", "\n", "é", "", "=="), fc.constantFrom("replace", "insert", "delete"));
  const edited = edit.map(([text, at, char, how]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (how === "insert") return text.slice(0, i) + char + text.slice(i);
    if (how === "delete") return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + char + text.slice(i + 1);
  });

  it("accepts exactly the texts BASE64_PATTERN (the JSON Schemas' pattern) accepts", () => {
    fc.assert(
      fc.property(fc.oneof(valid, edited, fc.string({ maxLength: 12 })), (text) => {
        expect(decodeBase64(text) !== undefined, JSON.stringify(text)).toBe(BASE64_PATTERN.test(text));
      }),
      { numRuns: 5000 },
    );
  });

  it("returns the encoded bytes, and refuses non-canonical padding bits and base64url", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      expect(decodeBase64(Buffer.from(bytes).toString("base64"))).toEqual(Buffer.from(bytes));
    }));
    expect(decodeBase64("AB==")).toBeUndefined(); // decodes like "AA==", but no encoder writes it
    expect(decodeBase64("AAB=")).toBeUndefined();
    expect(decodeBase64("+/+/")).toEqual(Buffer.from([0xfb, 0xff, 0xbf]));
    expect(decodeBase64("-_-_")).toBeUndefined();
    expect(decodeBase64("")).toEqual(Buffer.alloc(0));
  });

  it("backs the envelope's exact-size iv and tag patterns", () => {
    const field = sealField("x", randomBytes(32), "d3JhcHBlZA==", fieldAad("RX1", "e1"));
    expect(EncryptedField.safeParse(field).success).toBe(true);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
      const text = Buffer.from(bytes).toString("base64");
      expect(EncryptedField.safeParse({ ...field, iv: text }).success).toBe(bytes.length === 12);
      expect(EncryptedField.safeParse({ ...field, tag: text }).success).toBe(bytes.length === 16);
    }));
    expect(EncryptedField.safeParse({ ...field, tag: field.tag.slice(0, 21) + "B==" }).success).toBe(false);
  });
});
