import {
  FieldNotUtf8,
  dataKeyEncryptionContext,
  fieldAad,
  mapSensitiveFields,
  openField,
  type EncryptedField,
  type PlatformEvent,
} from "@trust-callbacks/schemas";
import type { Failed, Found } from "@trust-callbacks/runtime";

/**
 * An event's data as each payload profile delivers it: `full` (its encrypted fields opened with their data keys,
 * `decryptEventData`; `wrappedKeysOf` names the keys) or `minimal` (its sensitive fields removed). Pure: the
 * `decrypt` stage (`stages/decrypt.ts`) unwraps the keys through the port.
 */

/** A field's data key, unwrapped, or why it could not be. */
export type UnwrappedKey = Found<Buffer> | Failed;

export interface WrappedKeyRequest {
  /** Identifies the key within a batch: the same wrapped key under another trust is another key. */
  cacheKey: string;
  wrappedKey: string;
  encryptionContext: Record<string, string>;
}

const isEncrypted = (value: unknown): value is EncryptedField =>
  value !== null && typeof value === "object" && (value as { alg?: unknown }).alg === "AES-256-GCM";

export const wrappedKeyCacheKey = (trustId: string, wrappedKey: string): string => `${trustId}\u0000${wrappedKey}`;

/** The distinct data keys an event's encrypted fields need. */
export function wrappedKeysOf(event: PlatformEvent): WrappedKeyRequest[] {
  const requests = new Map<string, WrappedKeyRequest>();
  mapSensitiveFields(event, (value) => {
    if (isEncrypted(value)) {
      const cacheKey = wrappedKeyCacheKey(event.trustId, value.wrappedKey);
      requests.set(cacheKey, {
        cacheKey,
        wrappedKey: value.wrappedKey,
        encryptionContext: dataKeyEncryptionContext(event.trustId),
      });
    }
    return value;
  });
  return [...requests.values()];
}

export interface DecryptedData {
  data: Record<string, unknown>;
  /** Paths of fields that could not be decrypted; each is `null` in `data`. Never holds plaintext. */
  undecryptable: { path: string; reason: string }[];
  /** Paths of fields that decrypted to bytes that are not UTF-8: the record is quarantined (docs/guarantees.md 3.1). */
  notText: string[];
}

/**
 * The event's data with every encrypted field opened. A field that cannot be opened (key refused by
 * KMS, tampered ciphertext, wrong trust or event) becomes null and is listed, so the event is still delivered.
 */
export function decryptEventData(event: PlatformEvent, keys: ReadonlyMap<string, UnwrappedKey>): DecryptedData {
  const undecryptable: DecryptedData["undecryptable"] = [];
  const notText: string[] = [];
  const aad = fieldAad(event.trustId, event.eventId);
  const data = mapSensitiveFields(event, (value, path) => {
    if (!isEncrypted(value)) return value;
    const key = keys.get(wrappedKeyCacheKey(event.trustId, value.wrappedKey));
    if (key?.status !== "found") {
      undecryptable.push({ path, reason: key ? key.reason : "data key not unwrapped" });
      return null;
    }
    try {
      return openField(value, key.value, aad);
    } catch (error) {
      if (error instanceof FieldNotUtf8) notText.push(path);
      else undecryptable.push({ path, reason: "ciphertext failed authentication" });
      return null;
    }
  });
  return { data, undecryptable, notText };
}

/** The event's data for the `minimal` profile: every sensitive field removed, identifiers kept. */
export const minimalEventData = (event: PlatformEvent): Record<string, unknown> =>
  mapSensitiveFields(event, () => undefined);
