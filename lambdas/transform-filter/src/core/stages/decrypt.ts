import type pLimit from "p-limit";
import { decryptEventData, wrappedKeysOf, type UnwrappedKey } from "../event-data.ts";
import type { DataKeyUnwrapper } from "../ports.ts";
import { found } from "@trust-callbacks/runtime";
import { decide, lookupEach, type ReadableRecord, type RoutedRecord, type StageResult } from "./batch.ts";

export interface DecryptResult extends StageResult<ReadableRecord> {
  /** Fields delivered as null because they could not be decrypted. */
  undecryptableFields: number;
}

/**
 * Decrypt: the data keys of the records some endpoint receives in full, each distinct key unwrapped once,
 * then their fields opened. A key that is unavailable for now, or refused by our own configuration (adapters
 * classify those as transient): retry. A key refused for good (a corrupt or foreign wrapped key), or a field that fails
 * authentication: the field is delivered as null and listed (docs/guarantees.md 2.1, 2.2). A field that decrypts to
 * bytes that are not UTF-8: the record is quarantined (3.1). Records only minimal endpoints
 * receive pass on untouched.
 */
export async function decrypt(
  records: readonly RoutedRecord[],
  keys: DataKeyUnwrapper,
  limit: ReturnType<typeof pLimit>,
): Promise<DecryptResult> {
  const needsPlaintext = (record: RoutedRecord) => record.endpoints.some((endpoint) => endpoint.payloadProfile === "full");
  const keysOfRecord = new Map(records.filter(needsPlaintext).map((record) => [record, wrappedKeysOf(record.event)]));
  const requests = new Map([...keysOfRecord.values()].flat().map((request) => [request.cacheKey, request]));
  const unwrapped = await lookupEach(
    requests.keys(),
    limit,
    async (cacheKey) => {
      const request = requests.get(cacheKey)!;
      return found(await keys.unwrap(request.wrappedKey, request.encryptionContext));
    },
    keys.cached &&
      ((cacheKey) => {
        const request = requests.get(cacheKey)!;
        const key = keys.cached!(request.wrappedKey, request.encryptionContext);
        return key && found(key);
      }),
  );
  // Keys refused for good still go in: their fields become null. Keys unavailable for now hold the record back.
  const usable = new Map<string, UnwrappedKey>();
  for (const [cacheKey, key] of unwrapped) {
    if (key.status === "found" || (key.status === "failed" && key.retry === "never")) usable.set(cacheKey, key);
  }

  const result: DecryptResult = { decided: [], next: [], undecryptableFields: 0 };
  for (const record of records) {
    const wanted = keysOfRecord.get(record);
    if (!wanted) {
      result.next.push(record);
      continue;
    }
    const missing = wanted.find((request) => !usable.has(request.cacheKey));
    if (missing) {
      const key = unwrapped.get(missing.cacheKey);
      result.decided.push(decide(record, "retry", `data key unavailable: ${key && key.status !== "found" ? key.reason : "not unwrapped"}`));
      continue;
    }
    const plaintext = decryptEventData(record.event, usable);
    if (plaintext.notText.length > 0) {
      result.decided.push(decide(record, "quarantined", `decrypted text is not valid UTF-8 (in ${plaintext.notText.join(", ")})`));
      continue;
    }
    result.undecryptableFields += plaintext.undecryptable.length;
    // Field by field, not a spread: once per record on the hot path.
    const readable: ReadableRecord = { position: record.position, recordId: record.recordId, record: record.record, event: record.event, endpoints: record.endpoints, plaintext };
    if (record.eventBus) readable.eventBus = record.eventBus;
    result.next.push(readable);
  }
  return result;
}
