import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { PermanentError } from "@trust-callbacks/runtime";
import type { DataKeyUnwrapper } from "../core/ports.ts";

/**
 * Stands in for KMS where there is no AWS account (local pipeline, tests, benchmarks). Like KMS it
 * wraps 32-byte data keys under a master key bound to an encryption context, and refuses to unwrap
 * under any other context. Its wrapped keys are `iv|tag|ciphertext`, base64: opaque, like a CiphertextBlob.
 */
export class LocalKeyProvider implements DataKeyUnwrapper {
  /** Counts unwraps, as a KMS bill would. */
  unwrapCalls = 0;

  constructor(private readonly masterKey: Buffer = randomBytes(32)) {
    if (masterKey.length !== 32) throw new RangeError("master key must be 32 bytes");
  }

  /** Like KMS GenerateDataKey: a fresh data key and its wrapped form. */
  generateDataKey(encryptionContext: Record<string, string>): { dataKey: Buffer; wrappedKey: string } {
    const dataKey = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.masterKey, iv);
    cipher.setAAD(contextAad(encryptionContext));
    const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { dataKey, wrappedKey: Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString("base64") };
  }

  async unwrap(wrappedKey: string, encryptionContext: Record<string, string>): Promise<Buffer> {
    this.unwrapCalls += 1;
    const blob = Buffer.from(wrappedKey, "base64");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.masterKey, blob.subarray(0, 12));
      decipher.setAAD(contextAad(encryptionContext));
      decipher.setAuthTag(blob.subarray(12, 28));
      return Buffer.concat([decipher.update(blob.subarray(28)), decipher.final()]);
    } catch {
      throw new PermanentError("InvalidCiphertextException: wrapped key does not match this key or encryption context");
    }
  }
}

/** Order-independent, like KMS's treatment of an encryption context. */
const contextAad = (context: Record<string, string>): Buffer =>
  Buffer.from(JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
