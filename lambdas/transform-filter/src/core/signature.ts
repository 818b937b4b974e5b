import { createHmac } from "node:crypto";
import { parseSigningSecret, type SigningSecret, type WebhookHeaders } from "@trust-callbacks/schemas";
import { LRUCache } from "lru-cache";
import { configure } from "safe-stable-stringify";
import type { SigningSecretValue } from "./ports.ts";

/**
 * safe-stable-stringify with sorted keys is RFC 8785 (JCS) for JSON values: keys in UTF-16 code-unit order,
 * ECMAScript number and string serialization; strict mode throws where JCS has no answer (NaN, Infinity,
 * BigInt, functions, cycles). It is pino's own serializer, so already in the bundle, and about 1.7x faster
 * than `canonicalize` (a per-delivery cost); signature.test.ts proves the two agree on arbitrary JSON.
 */
const stringifySorted = configure({ deterministic: true, strict: true, bigint: false, circularValue: Error });

/**
 * RFC 8785 (JCS) canonical JSON of a body. EventBridge re-serializes JSON on the way to the endpoint,
 * so signer and receiver both sign/verify this form, never the bytes on the wire.
 */
export function canonicalJson(body: unknown): string {
  const text = stringifySorted(body);
  if (text === undefined) throw new TypeError("body has no JSON representation");
  return text;
}

/**
 * Decoded signing keys, least recently used first out, at most `setSigningKeyCacheSize` of them (the Lambda sizes it
 * from SIGNING_SECRET_CACHE_SIZE × MAX_SIGNING_KEYS); a key past its `notAfter` is dropped by `signingKeysAt`
 * (docs/guarantees.md 6.4). Each decoded key is zeroed when it leaves.
 */
let keys = new LRUCache<string, Buffer>({ max: 5000, dispose: (key) => key.fill(0) });
export function setSigningKeyCacheSize(max: number): void {
  if (keys.max === max) return;
  keys.clear();
  keys = new LRUCache<string, Buffer>({ max, dispose: (key) => key.fill(0) });
}
/** Whether `secret` is held decoded (tests of the bound and of retirement). */
export const isSigningKeyDecoded = (secret: string): boolean => keys.has(secret);
const keyFor = (secret: string): Buffer => {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(secret.startsWith("whsec_") ? secret.slice("whsec_".length) : secret, "base64");
    if (key.length === 0) throw new TypeError("signing secret is empty");
    keys.set(secret, key);
  }
  return key;
};

/**
 * Standard Webhooks signature over `${id}.${timestamp}.${canonicalBody}` with each of the endpoint's `whsec_` keys:
 * one `v1,<base64>` per key, space-separated, in the order given (Standard Webhooks lets a header carry several, so
 * a receiver holding any one of the keys verifies). HMAC-SHA256 is Node's own (native, ~7x faster than the
 * standardwebhooks package's pure-JS SHA-256); tests verify every signature with the standardwebhooks library, so
 * the two cannot drift apart.
 */
export function signCanonical(id: string, canonicalBody: string, keys: string | readonly string[], at: Date): WebhookHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const prefix = `${id}.${timestamp}.`;
  let signature: string;
  if (typeof keys === "string") signature = hmacSignature(keys, prefix, canonicalBody);
  else if (keys.length === 1) signature = hmacSignature(keys[0]!, prefix, canonicalBody);
  else signature = keys.map((secret) => hmacSignature(secret, prefix, canonicalBody)).join(" ");
  if (signature === "") throw new TypeError("no signing key to sign with");
  return { id, timestamp, signature };
}

/**
 * `v1,<base64 HMAC-SHA256>` of `${prefix}${canonicalBody}` with one key. The body is hashed as its own piece, not
 * concatenated: that flattens the body's string once, and the entry's Detail, which holds the same body, reuses it.
 */
const hmacSignature = (secret: string, prefix: string, canonicalBody: string): string =>
  `v1,${createHmac("sha256", keyFor(secret)).update(prefix).update(canonicalBody).digest("base64")}`;

/** `signCanonical` of a body given as a value; `id` is the CloudEvent id, so retries and redrives keep it. */
export const signWebhook = (id: string, body: unknown, keys: string | readonly string[], at: Date): WebhookHeaders =>
  signCanonical(id, canonicalJson(body), keys, at);

/** A signing secret that has no key active at the signing time: every key's `notAfter` has passed. */
export class NoActiveSigningKey extends Error {
  override readonly name = "NoActiveSigningKey";
}

/** A key set with each key's end as a number, and the earliest end, so that the common case allocates nothing. */
interface KeySchedule {
  keys: string[];
  ends: number[];
  firstEnd: number;
}
const schedules = new WeakMap<SigningSecret, KeySchedule>();
const scheduleOf = (secret: SigningSecret): KeySchedule => {
  let schedule = schedules.get(secret);
  if (!schedule) {
    const ends = secret.keys.map((key) => (key.notAfter === undefined ? Infinity : Date.parse(key.notAfter)));
    schedule = { keys: secret.keys.map((key) => key.key), ends, firstEnd: Math.min(...ends) };
    schedules.set(secret, schedule);
  }
  return schedule;
};

/** SecretStrings already parsed (a port may answer with the text as stored); bounded, it holds keys. */
const parsedTexts = new Map<string, SigningSecret>();
const parsedText = (text: string): SigningSecret => {
  let secret = parsedTexts.get(text);
  if (!secret) {
    const parsed = parseSigningSecret(text);
    if (parsed.status === "invalid") throw new TypeError(`signing secret ${parsed.message}`);
    if (parsedTexts.size >= 1000) parsedTexts.clear();
    parsedTexts.set(text, (secret = parsed.secret));
  }
  return secret;
};

/**
 * The keys that sign at `at`: those without `notAfter` or whose `notAfter` is later (`activeSigningKeys` of the
 * schemas, memoized for the hot path), the current key first. A string is a SecretString as stored, in either
 * format. Throws NoActiveSigningKey when no key is active.
 */
export function signingKeysAt(secret: SigningSecretValue, at: Date): readonly string[] {
  const schedule = scheduleOf(typeof secret === "string" ? parsedText(secret) : secret);
  const time = at.getTime();
  if (time < schedule.firstEnd) return schedule.keys;
  const active: string[] = [];
  schedule.keys.forEach((key, index) => {
    if (time < schedule.ends[index]!) active.push(key);
    else keys.delete(key); // retired: not kept decoded
  });
  if (active.length === 0) throw new NoActiveSigningKey(`no signing key is active at ${at.toISOString()}: every key's notAfter has passed`);
  return active;
}
