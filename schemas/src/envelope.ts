import { z } from "zod";
import { base64 } from "./common.ts";

/**
 * A sensitive field encrypted by the platform: AES-256-GCM under a data key that KMS wrapped
 * with the encryption context `{ purpose: "trust-callbacks-field-key", trustId }`.
 * The GCM additional authenticated data is `fieldAad(trustId, eventId)`, so a ciphertext cannot be
 * moved to another trust or another event. See schemas/README.md.
 */
export const EncryptedField = z.strictObject({
  alg: z.literal("AES-256-GCM"),
  /** The data key as wrapped by KMS (the CiphertextBlob), base64. */
  wrappedKey: base64(8192),
  /** 12-byte GCM nonce, base64: exactly 16 characters, no padding. */
  iv: z.string().regex(/^[A-Za-z0-9+/]{16}$/, "iv must be 12 bytes in standard base64"),
  ciphertext: base64(262144),
  /** 16-byte GCM authentication tag, base64: 22 characters (the last with 4 unused zero bits), then `==`. */
  tag: z.string().regex(/^[A-Za-z0-9+/]{21}[AQgw]==$/, "tag must be 16 bytes in standard base64"),
});
export type EncryptedField = z.infer<typeof EncryptedField>;

/** A field that the platform may send in clear or encrypted. */
export const SensitiveString = z.union([z.string().max(65536), EncryptedField]);
export type SensitiveString = z.infer<typeof SensitiveString>;

/** KMS encryption context every wrapped data key is bound to. */
export const dataKeyEncryptionContext = (trustId: string): Record<string, string> => ({
  purpose: DATA_KEY_PURPOSE,
  trustId,
});
export const DATA_KEY_PURPOSE = "trust-callbacks-field-key";

/** GCM additional authenticated data of every encrypted field of one event. */
export const fieldAad = (trustId: string, eventId: string): Buffer =>
  Buffer.from(`trust-callbacks/v1/${trustId}/${eventId}`, "utf8");
