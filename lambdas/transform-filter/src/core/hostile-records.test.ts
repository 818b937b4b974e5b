import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { dataKeyEncryptionContext, fieldAad, sealField } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { isWellFormed } from "./i-json.ts";
import { processBatch } from "./process-batch.ts";
import type { PipeKinesisRecord } from "./records.ts";

const keyProvider = new LocalKeyProvider();
const { dataKey, wrappedKey } = keyProvider.generateDataKey(dataKeyEncryptionContext("RX1"));
const valid = () => plainMessageCreated("RX1") as unknown as Record<string, unknown>;
const withData = (patch: Record<string, unknown>) => {
  const event = valid();
  return { ...event, data: { ...(event.data as object), ...patch } };
};
const sealed = (overrides: Record<string, unknown> = {}) => {
  const event = valid();
  const field = { ...sealField("secret text", dataKey, wrappedKey, fieldAad("RX1", String(event.eventId))), ...overrides };
  return { ...event, data: { ...(event.data as object), text: field } };
};
/** JSON text nested `depth` objects deep (built as text: JSON.stringify itself would overflow). */
const deepJson = (depth: number) => `${'{"n":'.repeat(depth)}"bottom"${"}".repeat(depth)}`;
const withRawField = (field: string, jsonText: string, event = valid()) =>
  raw(b64(JSON.stringify(event).replace(/\}$/, `,"${field}":${jsonText}}`)));
const b64 = (text: string) => Buffer.from(text).toString("base64");
const raw = (data: string) => kinesisRecord(data, { rawData: true });
/** An event's JSON text with `marker` (a string value) replaced by `bytes`, as raw record data: bytes no string can hold. */
const withBytes = (event: Record<string, unknown>, marker: string, bytes: number[]) => {
  const [before, after] = JSON.stringify(event).split(marker) as [string, string];
  return raw(Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]).toString("base64"));
};
/** A sealed text field whose plaintext is `bytes` (not necessarily UTF-8), as only a faulty encrypter would make it. */
const sealedBytes = (bytes: number[]) => {
  const event = valid();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  cipher.setAAD(fieldAad("RX1", String(event.eventId)));
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(bytes)), cipher.final()]);
  const text = { alg: "AES-256-GCM", wrappedKey, iv: iv.toString("base64"), ciphertext: ciphertext.toString("base64"), tag: cipher.getAuthTag().toString("base64") };
  return { ...event, data: { ...(event.data as object), text } };
};
/** Every string and member name of a parsed JSON value. */
const stringsOf = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : value !== null && typeof value === "object"
      ? Object.entries(value).flatMap(([key, inner]) => [key, ...stringsOf(inner)])
      : [];
const json = (value: unknown) => kinesisRecord(value);

/** Each entry: a name, the record, what must become of it, and (quarantined) what its reason must name. */
type Expectation = "quarantined" | "published-with-marker" | "published";
const CORPUS: [string, PipeKinesisRecord, Expectation, RegExp?][] = [
  // docs/guarantees.md 3.1: UTF-8 and I-JSON.
  ["UTF-8 and I-JSON: invalid UTF-8 (0xFF) inside the text", withBytes(valid(), "Patient in bay 4 needs review", [0x50, 0xff, 0x74]), "quarantined", /not valid UTF-8.*data\.text/],
  ["UTF-8 and I-JSON: truncated UTF-8 sequence inside the text", withBytes(valid(), "Patient in bay 4 needs review", [0x50, 0xe2, 0x82]), "quarantined", /not valid UTF-8.*data\.text/],
  ["UTF-8 and I-JSON: CESU-8 encoded surrogate inside the text", withBytes(valid(), "Patient in bay 4 needs review", [0xed, 0xa0, 0x80]), "quarantined", /not valid UTF-8.*data\.text/],
  ["UTF-8 and I-JSON: lone high surrogate escape in the text", raw(b64(JSON.stringify(valid()).replace("Patient in bay 4 needs review", "Patient \\ud83d in bay"))), "quarantined", /lone surrogate.*data\.text/],
  ["UTF-8 and I-JSON: lone low surrogate escape in the sender's name", raw(b64(JSON.stringify(valid()).replace("Dr Ada Example", "Dr \\udc00"))), "quarantined", /lone surrogate.*data\.sender\.displayName/],
  ["UTF-8 and I-JSON: lone surrogate escape in conversationId", raw(b64(JSON.stringify(valid()).replace(/"conversationId":"[^"]*"/, '"conversationId":"conv-\\ud800"'))), "quarantined", /lone surrogate.*conversationId/],
  ["UTF-8 and I-JSON: a well-formed surrogate pair (emoji) in the text", raw(b64(JSON.stringify(valid()).replace("Patient in bay 4 needs review", "Patient \\ud83d\\ude00 ok"))), "published"],
  ["UTF-8 and I-JSON: decrypted text that is not UTF-8", json(sealedBytes([0x41, 0xff, 0x42])), "quarantined", /not valid UTF-8.*data\.text/],
  ["UTF-8 and I-JSON: decrypted text holding a CESU-8 surrogate", json(sealedBytes([0xed, 0xb0, 0x80])), "quarantined", /not valid UTF-8.*data\.text/],
  ["empty data", raw(""), "quarantined"],
  ["not base64: punctuation", raw("!!!!"), "quarantined"],
  ["not base64: spaces", raw("aGVs bG8="), "quarantined"],
  ["not base64: bad padding", raw("aGVsbG8=="), "quarantined"],
  ["not base64: url-safe alphabet", raw(b64("{\"a\":\"??>>\"}").replaceAll("+", "-").replaceAll("/", "_") + "-_"), "quarantined"],
  ["not JSON: clinical text (must not be echoed into the reason)", raw(b64("secret text: patient in bay 4")), "quarantined"],
  ["not JSON: truncated", raw(b64('{"eventId":')), "quarantined"],
  ["not JSON: trailing garbage", raw(b64("{}garbage")), "quarantined"],
  ["not JSON: invalid UTF-8", raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64")), "quarantined"],
  ["JSON null", json(null), "quarantined"],
  ["JSON number", json(42), "quarantined"],
  ["JSON string", json("message.created"), "quarantined"],
  ["JSON array", json([valid()]), "quarantined"],
  ["empty object", json({}), "quarantined"],
  ["unknown event type", json({ ...valid(), type: "message.deleted" }), "quarantined"],
  ["event type in wrong case", json({ ...valid(), type: "MESSAGE.CREATED" }), "quarantined"],
  ["missing eventId", json({ ...valid(), eventId: undefined }), "quarantined"],
  ["eventId not a UUID", json({ ...valid(), eventId: "12345" }), "quarantined"],
  ["eventId a number", json({ ...valid(), eventId: 12345 }), "quarantined"],
  ["missing trustId", json({ ...valid(), trustId: undefined }), "quarantined"],
  ["trustId lower case", json({ ...valid(), trustId: "rx1" }), "quarantined"],
  ["trustId path traversal", json({ ...valid(), trustId: "../../etc/passwd" }), "quarantined"],
  ["unknown trust", json(plainMessageCreated("ZZZ9")), "quarantined"],
  ["occurredAt not a date", json({ ...valid(), occurredAt: "yesterday" }), "quarantined"],
  ["occurredAt without offset", json({ ...valid(), occurredAt: "2026-11-22T10:00:00" }), "quarantined"],
  ["occurredAt a number", json({ ...valid(), occurredAt: 1795000000 }), "quarantined"],
  ["conversationId empty", json({ ...valid(), conversationId: "" }), "quarantined"],
  ["conversationId huge", json({ ...valid(), conversationId: "c".repeat(10_000) }), "quarantined"],
  ["attributes a string", json({ ...valid(), attributes: "urgent" }), "quarantined"],
  ["priority unknown", json({ ...valid(), attributes: { priority: "whenever" } }), "quarantined"],
  ["data missing", json({ ...valid(), data: undefined }), "quarantined"],
  ["data an array", json({ ...valid(), data: [] }), "quarantined"],
  ["text a number", json(withData({ text: 7 })), "quarantined"],
  ["text missing", json(withData({ text: undefined })), "quarantined"],
  ["text over 64 KiB", json(withData({ text: "x".repeat(70_000) })), "quarantined"],
  ["sender missing userId", json(withData({ sender: { displayName: "X" } })), "quarantined"],
  ["participants not an array", json({ ...valid(), type: "conversation.created", data: { createdBy: { userId: "u", displayName: "x" }, participants: {} } }), "quarantined"],
  ["record over 1 MiB", raw(b64(JSON.stringify(withData({ text: "y".repeat(1_100_000) })))), "quarantined"],
  ["deep nesting (10,000 levels) in an unknown field", withRawField("extra", deepJson(10_000)), "published"],
  ["deep nesting in place of text", raw(b64(JSON.stringify(valid()).replace(/"text":"[^"]*"/, `"text":${deepJson(500)}`))), "quarantined"],
  ["__proto__ key at the top", raw(b64(JSON.stringify(valid()).replace(/^\{/, '{"__proto__":{"polluted":true},'))), "published"],
  ["__proto__ key in data", raw(b64(JSON.stringify(valid()).replace('"data":{', '"data":{"__proto__":{"polluted":true},'))), "published"],
  ["constructor.prototype keys", json({ ...valid(), constructor: { prototype: { polluted: true } } }), "published"],
  ["envelope: unknown alg", json(sealed({ alg: "AES-128-CBC" })), "quarantined"],
  ["envelope: iv of 8 bytes", json(sealed({ iv: randomBytes(8).toString("base64") })), "quarantined"],
  ["envelope: tag of 8 bytes", json(sealed({ tag: randomBytes(8).toString("base64") })), "quarantined"],
  ["envelope: ciphertext not base64", json(sealed({ ciphertext: "%%%" })), "quarantined"],
  ["envelope: missing wrappedKey", json(sealed({ wrappedKey: undefined })), "quarantined"],
  ["envelope: extra field", json(sealed({ keyId: "k" })), "quarantined"],
  // docs/guarantees.md 6.2: an unrecognised key is counted, never echoed.
  ["unrecognised keys: key names that hold text", json(sealed({ "Patient Jane Doe, NHS 943 476 5919": 1, "secret text": 2 })), "quarantined", /2 unrecognised keys/],
  ["envelope: tampered ciphertext", json(sealed({ ciphertext: randomBytes(11).toString("base64") })), "published-with-marker"],
  ["envelope: wrong tag", json(sealed({ tag: randomBytes(16).toString("base64") })), "published-with-marker"],
  ["envelope: wrapped key that is garbage", json(sealed({ wrappedKey: randomBytes(60).toString("base64") })), "published-with-marker"],
  [
    "envelope: key wrapped for another trust (wrong encryption context)",
    json(sealed({ wrappedKey: keyProvider.generateDataKey(dataKeyEncryptionContext("RX2")).wrappedKey })),
    "published-with-marker",
  ],
];

describe("hostile and malformed records", () => {
  it(`has at least 50 cases (${CORPUS.length})`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(CORPUS)("%s: handled with a clear reason, no crash, and the rest of the batch unaffected", async (_name, hostile, expected, names) => {
    const config = trustConfig("RX1");
    const secrets = new InMemorySecrets(new Map([[config.endpoints[0]!.signingSecret, newSigningSecret()]]));
    const publisher = new RecordingPublisher();
    const quarantine = new MemoryQuarantine();
    const goodBefore = kinesisRecord(plainMessageCreated("RX1"));
    const goodAfter = kinesisRecord(plainMessageCreated("RX1"));

    const result = await processBatch(
      [goodBefore, hostile, goodAfter],
      { keys: keyProvider, subscriptions: new InMemorySubscriptions([config]), secrets, publisher, quarantine, logger: silentLogger() },
      TEST_SETTINGS,
    );

    expect(result.outcomes.map((o) => o.state)).toEqual(["published", expected === "quarantined" ? "quarantined" : "published", "published"]);
    expect(result.batchItemFailures).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    if (expected === "quarantined") {
      expect(quarantine.entries).toHaveLength(1);
      expect(quarantine.entries[0]!.reason.length).toBeGreaterThan(10);
      expect(quarantine.entries[0]!.reason).not.toContain("secret text");
      expect(quarantine.entries[0]!.reason).not.toContain("Jane Doe");
      expect(quarantine.entries[0]!.eventID).toBe(hostile.eventID);
      if (names) expect(quarantine.entries[0]!.reason).toMatch(names);
    } else {
      expect(quarantine.entries).toEqual([]);
      const detail = JSON.parse(publisher.published[1]!.Detail);
      expect(detail.event.data.undecryptableFields ?? []).toEqual(expected === "published-with-marker" ? ["data.text"] : []);
      expect(Object.getPrototypeOf(detail.event.data)).toBe(Object.prototype);
    }
    // docs/guarantees.md 3.1: every published body is I-JSON, with nothing substituted for unreadable bytes.
    for (const entry of publisher.published) {
      for (const text of stringsOf(JSON.parse(entry.Detail))) {
        expect(isWellFormed(text), "a lone surrogate reached a body").toBe(true);
        expect(text).not.toContain("\uFFFD");
      }
    }
  });
});
