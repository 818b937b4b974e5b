/**
 * Signing-key rotation as pure functions over the signing secret's key set (`SigningSecret` of the schemas):
 * what the rotate-signing-key and add-endpoint commands write. No I/O, the clock passed in.
 */
import { createHash } from "node:crypto";
import { MAX_SIGNING_KEYS, isActiveSigningKey, type SigningSecret } from "@trust-callbacks/schemas";

/**
 * A short, one-way name of a key, for output, audit lines and the trust to confirm which key it holds
 * (`sha256:` and 12 hex characters of SHA-256 of the whole `whsec_` text); never the key itself.
 */
export const keyFingerprint = (key: string): string => `sha256:${createHash("sha256").update(key).digest("hex").slice(0, 12)}`;

/**
 * How long the Lambda may keep signing with a secret it read before the rotation (its signing-secret cache TTL,
 * SIGNING_SECRET_TTL_SECONDS in lambdas/transform-filter/src/config.ts, default 900 s, jittered up to +20%), and the
 * margin above it and the endpoints' maximum event age that the default overlap adds (clock skew, a slow hand-over).
 */
export const SIGNING_SECRET_CACHE_SECONDS = 1080;
export const OVERLAP_MARGIN_SECONDS = 3600;

/**
 * The default overlap: deliveries signed with the old key alone (before the rotation, or by a Lambda that had the
 * secret cached) are retried by EventBridge with the same headers for up to the endpoint's maximum event age, so a
 * receiver that keeps both keys until the overlap ends never rejects one of them.
 */
export const defaultOverlapSeconds = (maximumEventAgeSeconds: number): number =>
  maximumEventAgeSeconds + SIGNING_SECRET_CACHE_SECONDS + OVERLAP_MARGIN_SECONDS;

/** The shortest overlap that still covers retries of deliveries signed before the rotation. */
export const safeOverlapSeconds = (maximumEventAgeSeconds: number): number => maximumEventAgeSeconds + SIGNING_SECRET_CACHE_SECONDS;

/** A new endpoint's secret: one key. */
export const firstKeySet = (key: string, now: Date): SigningSecret => ({ version: 1, keys: [{ key, createdAt: now.toISOString() }] });

export class RotationRefused extends Error {
  override readonly name = "RotationRefused";
}

/**
 * Starts a rotation: `newKey` becomes the current key (first, no end); every key still active keeps signing until
 * `overlapEnds` (or its own earlier end); keys that have already ended are dropped. Refused when the result would
 * hold more keys than a secret may (several rotations in one overlap): end the overlap first.
 */
export function startRotation(secret: SigningSecret, newKey: string, now: Date, overlapEnds: Date): SigningSecret {
  const end = overlapEnds.toISOString();
  const kept = secret.keys
    .filter((key) => isActiveSigningKey(key, now) && key.key !== newKey)
    .map((key) => ({ ...key, notAfter: key.notAfter !== undefined && Date.parse(key.notAfter) < overlapEnds.getTime() ? key.notAfter : end }))
    .filter((key) => Date.parse(key.notAfter) > now.getTime());
  const keys = [{ key: newKey, createdAt: now.toISOString() }, ...kept];
  if (keys.length > MAX_SIGNING_KEYS) {
    throw new RotationRefused(`the secret would hold ${keys.length} keys (at most ${MAX_SIGNING_KEYS} sign a delivery): end the current overlap first (--end-overlap)`);
  }
  return { version: 1, keys };
}

/** Ends an overlap now: only the current (first) key is kept. Undefined when there is no other key to remove. */
export function endOverlap(secret: SigningSecret): SigningSecret | undefined {
  if (secret.keys.length === 1) return undefined;
  const [current] = secret.keys;
  return { version: 1, keys: [current!] };
}

/** A key set as it may be shown and audited: fingerprints and times, never a key. */
export const describeKeys = (secret: SigningSecret) =>
  secret.keys.map((key) => ({
    fingerprint: keyFingerprint(key.key),
    ...(key.createdAt ? { createdAt: key.createdAt } : {}),
    ...(key.notAfter ? { notAfter: key.notAfter } : {}),
  }));
