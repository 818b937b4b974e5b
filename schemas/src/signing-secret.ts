import { randomBytes } from "node:crypto";
import { z } from "zod";
import { decodeBase64 } from "./common.ts";

/**
 * An endpoint's signing secret: the SecretString of the Secrets Manager secret its `signingSecret` names.
 *
 * Two formats, both read by `parseSigningSecret`:
 * - single key (the original format): the key itself, `whsec_<base64>`;
 * - key set: `{"version":1,"keys":[{"key":"whsec_...","createdAt":"...","notAfter":"..."}]}`. The first key is the
 *   current one; the others are previous keys kept, each until its `notAfter`, during a rotation's overlap.
 *
 * Every active key signs each delivery (Standard Webhooks `webhook-signature: v1,<sig1> v1,<sig2>`), so a receiver
 * holding either the old or the new key verifies, and EventBridge retries signed before the rotation still verify.
 */

/** The fewest bytes a signing key may have: HMAC-SHA256's block of 32 (docs/guarantees.md 6.3). */
export const MIN_SIGNING_KEY_BYTES = 32;

/**
 * A Standard Webhooks signing key's shape: `whsec_` then canonical, padded standard base64 of at least 32 bytes
 * (44 characters or more, a multiple of 4). `signingKeyProblem` says which rule a key breaks.
 */
export const SIGNING_KEY_PATTERN = /^whsec_(?:[A-Za-z0-9+/]{4}){10,}(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4}[A-Za-z0-9+/]{2}==)$/;

/** The signing key whose bytes are `bytes`: `whsec_` and their standard, padded base64. The one place a key is spelled. */
export const signingKeyOf = (bytes: Uint8Array): string => `whsec_${Buffer.from(bytes).toString("base64")}`;

/**
 * A new Standard Webhooks signing key: `MIN_SIGNING_KEY_BYTES` (32) random bytes, HMAC-SHA256's block-size-safe key
 * length, as `whsec_<base64>`. The only generator: the support CLI (rotate-signing-key, add-endpoint), the local
 * secrets file, the benchmark and the tests' fixtures all call it.
 */
export const newSigningKey = (): string => signingKeyOf(randomBytes(MIN_SIGNING_KEY_BYTES));

/** Why `key` is no usable signing key, or undefined. Never quotes the key. */
export function signingKeyProblem(key: string): string | undefined {
  if (!key.startsWith("whsec_")) return "must start with whsec_";
  const bytes = decodeBase64(key.slice("whsec_".length));
  if (!bytes) return "must be whsec_ then canonical, padded standard base64 (a length that is a multiple of 4)";
  if (bytes.length < MIN_SIGNING_KEY_BYTES) return `must be whsec_ then base64 of at least ${MIN_SIGNING_KEY_BYTES} bytes (this key has ${bytes.length})`;
  return undefined;
}

/**
 * At most this many keys in one secret. Each signs every delivery and adds 48 characters (`v1,` + 44 base64 + a
 * space) to the `webhook-signature` header; five keep it under 240 characters, well below the 512 an API
 * destination header value may hold.
 */
export const MAX_SIGNING_KEYS = 5;

const Timestamp = z.iso.datetime({ offset: true });

export const SigningKey = z.strictObject({
  key: z.string().superRefine((key, ctx) => {
    const problem = signingKeyProblem(key);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  /** When the key was generated (absent for a key read from the single-key format). */
  createdAt: Timestamp.optional(),
  /** The key stops signing at this instant; absent: it signs until it is removed. */
  notAfter: Timestamp.optional(),
});
export type SigningKey = z.infer<typeof SigningKey>;

export const SigningSecret = z.strictObject({
  version: z.literal(1),
  keys: z
    .array(SigningKey)
    .min(1)
    .max(MAX_SIGNING_KEYS)
    .superRefine((keys, ctx) => {
      const seen = new Set<string>();
      keys.forEach((entry, index) => {
        if (seen.has(entry.key)) ctx.addIssue({ code: "custom", path: [index, "key"], message: "repeats an earlier key" });
        seen.add(entry.key);
      });
    }),
});
export type SigningSecret = z.infer<typeof SigningSecret>;

export type SigningSecretParse = { status: "valid"; secret: SigningSecret } | { status: "invalid"; message: string };

/**
 * The one parser of a signing secret's SecretString, in either format. The message of an invalid one never quotes
 * the value (it is a key, or almost one).
 */
export function parseSigningSecret(text: string): SigningSecretParse {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) {
    if (!trimmed.startsWith("whsec_")) return { status: "invalid", message: "is neither a whsec_ signing key nor a signing key set" };
    const problem = signingKeyProblem(trimmed);
    return problem ? { status: "invalid", message: `is not a usable signing key: it ${problem}` } : { status: "valid", secret: { version: 1, keys: [{ key: trimmed }] } };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { status: "invalid", message: "starts with { but is not JSON" };
  }
  const parsed = SigningSecret.safeParse(json);
  if (parsed.success) return { status: "valid", secret: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { status: "invalid", message: `is not a signing key set: ${issue.path.join(".") || "(root)"}: ${issue.message}` };
}

/** A key is active (signs) while it has no `notAfter` or its `notAfter` is still in the future. */
export const isActiveSigningKey = (key: SigningKey, at: Date): boolean =>
  key.notAfter === undefined || Date.parse(key.notAfter) > at.getTime();

/** The keys that sign at `at`, in the secret's order (the current key first). */
export const activeSigningKeys = (secret: SigningSecret, at: Date): string[] =>
  secret.keys.filter((key) => isActiveSigningKey(key, at)).map((key) => key.key);

/** The SecretString of a key set (one line, as Secrets Manager and the local secrets file hold it). */
export const renderSigningSecret = (secret: SigningSecret): string => JSON.stringify(SigningSecret.parse(secret));
