import type { BusEntry } from "./ports.ts";

/** PutEvents accepts at most this many entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;

/**
 * An entry's size as EventBridge counts it against the request limit: the UTF-8 bytes of Source,
 * DetailType and Detail (no Time, no Resources are set here; EventBusName does not count).
 */
export const entrySize = (entry: BusEntry): number =>
  Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);

/**
 * Greedy, order-keeping packing into PutEvents calls of at most `maxEntries` entries and `maxBytes`
 * bytes. Every item must fit alone (the caller quarantines the ones that do not).
 */
export function packEntries<T extends { size: number }>(
  items: readonly T[],
  maxBytes: number,
  maxEntries: number = MAX_ENTRIES_PER_PUT,
): T[][] {
  const calls: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (item.size > maxBytes) throw new RangeError(`entry of ${item.size} bytes exceeds the ${maxBytes}-byte limit`);
    if (current.length === maxEntries || bytes + item.size > maxBytes) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.size;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}
