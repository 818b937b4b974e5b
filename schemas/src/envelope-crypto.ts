import { isUtf8 } from "node:buffer";
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { fieldAad, type EncryptedField } from "./envelope.ts";
import type { PlatformEvent } from "./events.ts";
import { mapSensitiveFields } from "./sensitive-fields.ts";

/**
 * Reference implementation of the field envelope (schemas/README.md): what the platform does to
 * encrypt a field, and what the Lambda does to open it.
 *
 * @example
 *   const field = sealField("Patient stable", dataKey, wrappedKey, fieldAad("RX1", eventId));
 *   openField(field, dataKey, fieldAad("RX1", eventId)) === "Patient stable";
 */
export function sealField(plaintext: string, dataKey: Buffer, wrappedKey: string, aad: Buffer, iv: Buffer = randomBytes(12)): EncryptedField {
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv, { authTagLength: 16 });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return {
    alg: "AES-256-GCM",
    wrappedKey,
    iv: iv.toString("base64"),
    ciphertext: ciphertext.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  };
}

/** AES-256-GCM open to the plaintext's bytes; throws if the key, AAD, IV or tag do not authenticate the ciphertext. */
export function openFieldBytes(field: EncryptedField, dataKey: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(field.iv, "base64"), { authTagLength: 16 });
  decipher.setAAD(aad);
  decipher.setAuthTag(Buffer.from(field.tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(field.ciphertext, "base64")), decipher.final()]);
}

/** The plaintext is not UTF-8: authentic, but no text (the Lambda quarantines its record, naming the field). */
export class FieldNotUtf8 extends Error {
  override readonly name = "FieldNotUtf8";
}

/**
 * AES-256-GCM open; throws if the key, AAD, IV or tag do not authenticate the ciphertext, and `FieldNotUtf8` if the
 * plaintext is not UTF-8 (never a U+FFFD in its place).
 */
export function openField(field: EncryptedField, dataKey: Buffer, aad: Buffer): string {
  const bytes = openFieldBytes(field, dataKey, aad);
  if (!isUtf8(bytes)) throw new FieldNotUtf8("the decrypted field is not valid UTF-8");
  return bytes.toString("utf8");
}

/**
 * The platform's side of the contract: every sensitive field of a plaintext event sealed under one
 * data key (already wrapped by KMS under `dataKeyEncryptionContext(event.trustId)`).
 */
export function sealEventFields<E extends PlatformEvent>(event: E, dataKey: Buffer, wrappedKey: string): E {
  const aad = fieldAad(event.trustId, event.eventId);
  const data = mapSensitiveFields(event, (value) => (typeof value === "string" ? sealField(value, dataKey, wrappedKey, aad) : value));
  return { ...event, data } as E;
}
