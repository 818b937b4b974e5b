import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { QuarantinedRecord } from "@trust-callbacks/transform-filter";
import { FileQuarantineStore } from "./quarantine-store.ts";

/** A record the local pipeline quarantined: the local stream's ids restart at 1 on each run. */
const quarantined = (eventId: string, quarantinedAt: string): QuarantinedRecord =>
  ({
    eventID: "shardId-000000000000:49600000000000000000000000001",
    eventId,
    trustId: "RX1",
    reason: "unknown trust RX1",
    quarantinedAt,
    record: { data: Buffer.from(eventId).toString("base64"), partitionKey: eventId },
  }) as unknown as QuarantinedRecord;

const listAll = async (store: FileQuarantineStore) => {
  const found = [];
  for await (const object of store.list({ trustId: "RX1", since: new Date("2026-12-05T00:00:00Z"), until: new Date("2026-12-05T23:59:59Z") })) found.push(object);
  return found;
};

describe("FileQuarantineStore (promise 7.1: a quarantined record is never overwritten)", () => {
  it("keeps both records when a later run quarantines one with the same stream id on the same day", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quarantine-"));
    const first = FileQuarantineStore.write(dir, quarantined("event-from-run-1", "2026-12-05T10:00:00.000Z"));
    const second = FileQuarantineStore.write(dir, quarantined("event-from-run-2", "2026-12-05T11:00:00.000Z"));
    const third = FileQuarantineStore.write(dir, quarantined("event-from-run-3", "2026-12-05T12:00:00.000Z"));

    expect(new Set([first, second, third]).size).toBe(3);
    const listed = await listAll(new FileQuarantineStore(dir));
    expect(listed.map((o) => o.entry.eventId).sort()).toEqual(["event-from-run-1", "event-from-run-2", "event-from-run-3"]);
    expect(listed.map((o) => o.key).sort()).toEqual([first, second, third].sort());
  });

  it("removes exactly the object replayed, leaving the one with the same stream id", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quarantine-"));
    const store = new FileQuarantineStore(dir);
    const first = FileQuarantineStore.write(dir, quarantined("event-from-run-1", "2026-12-05T10:00:00.000Z"));
    FileQuarantineStore.write(dir, quarantined("event-from-run-2", "2026-12-05T11:00:00.000Z"));

    await store.remove(first);

    expect((await listAll(store)).map((o) => o.entry.eventId)).toEqual(["event-from-run-2"]);
  });
});
