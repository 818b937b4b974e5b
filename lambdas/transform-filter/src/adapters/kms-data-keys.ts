import { DecryptCommand, type KMSClient } from "@aws-sdk/client-kms";
import type { LRUCache } from "lru-cache";
import { PermanentError, TransientError } from "@trust-callbacks/runtime";
import type { DataKeyUnwrapper } from "../core/ports.ts";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import { freshValue, refreshingCache } from "./refreshing-cache.ts";

/** Unwraps data keys with KMS Decrypt, under the encryption context the platform wrapped them with. */
export class KmsDataKeyUnwrapper implements DataKeyUnwrapper {
  constructor(
    private readonly kms: KMSClient,
    /** Optional key id or ARN: KMS then refuses keys wrapped by any other key. */
    private readonly keyId?: string,
  ) {}

  async unwrap(wrappedKey: string, encryptionContext: Record<string, string>): Promise<Buffer> {
    let plaintext: Uint8Array | undefined;
    try {
      ({ Plaintext: plaintext } = await this.kms.send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(wrappedKey, "base64"),
          EncryptionContext: encryptionContext,
          ...(this.keyId ? { KeyId: this.keyId } : {}),
        }),
      ));
    } catch (error) {
      // NotFoundException names the key (ours, deleted or mistyped in KeyId), never the ciphertext: a deploy fixes it.
      // InvalidCiphertextException and IncorrectKeyException say the ciphertext is corrupt or another key's: permanent.
      // https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html#API_Decrypt_Errors
      if ((error as { name?: unknown } | undefined)?.name === "NotFoundException") {
        throw new TransientError("KMS Decrypt: NotFoundException: the KMS key was not found", { cause: error });
      }
      throw classifyAwsError(error, "KMS Decrypt", { ownConfiguration: true });
    }
    if (!plaintext || plaintext.length !== 32) throw new PermanentError("KMS Decrypt: data key is not 32 bytes");
    return Buffer.from(plaintext);
  }
}

export interface DataKeyCacheOptions {
  /** Sized from the deployment (Terraform sets it from the trust count). */
  maxKeys: number;
  ttlMs: number;
  random?: () => number;
}

/**
 * Keeps unwrapped data keys for a bounded number and a jittered age (refreshed in the background), and
 * shares one in-flight unwrap between callers, so a warm container makes no KMS call for keys it has seen.
 * Each caller gets its own copy, so a cached key can be zeroed when it leaves the cache while a batch that
 * read it is still decrypting.
 */
export class CachingDataKeyUnwrapper implements DataKeyUnwrapper {
  private readonly cache: LRUCache<string, Buffer, { wrappedKey: string; encryptionContext: Record<string, string> }>;

  constructor(inner: DataKeyUnwrapper, options: DataKeyCacheOptions) {
    this.cache = refreshingCache({
      max: options.maxKeys,
      ttlMs: options.ttlMs,
      dispose: (key: Buffer) => key.fill(0),
      ...(options.random ? { random: options.random } : {}),
      load: (_cacheKey, context: { wrappedKey: string; encryptionContext: Record<string, string> }) => inner.unwrap(context.wrappedKey, context.encryptionContext),
    });
  }

  cached(wrappedKey: string, encryptionContext: Record<string, string>): Buffer | undefined {
    const key = freshValue(this.cache, dataKeyCacheKey(wrappedKey, encryptionContext));
    return key && Buffer.from(key);
  }

  async unwrap(wrappedKey: string, encryptionContext: Record<string, string>): Promise<Buffer> {
    const key = await this.cache.fetch(dataKeyCacheKey(wrappedKey, encryptionContext), { context: { wrappedKey, encryptionContext } });
    if (!key) throw new PermanentError("data key unwrap returned nothing");
    return Buffer.from(key);
  }
}

/** A data key's cache key: the same wrapped key under another encryption context is another key. */
function dataKeyCacheKey(wrappedKey: string, encryptionContext: Record<string, string>): string {
  return `${JSON.stringify(Object.entries(encryptionContext).sort())}\u0000${wrappedKey}`;
}
