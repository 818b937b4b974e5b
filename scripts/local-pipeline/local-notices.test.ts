import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalDeliveryNotices } from "./local-notices.ts";

// docs/guarantees.md 10.36: a trust is told of a change once, also across runs of the local pipeline (as on AWS,
// where the notices table keeps the episodes between invocations).
describe("local delivery notices across runs", () => {
  it("an endpoint still failing in the next run is not told again; its recovery in a later run is told once", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "notices-")), "notices.ndjson");
    const run = async (health: "failing" | "healthy", at: string) => {
      const notices = new LocalDeliveryNotices(file); // a new process: nothing in memory
      notices.report("RYJ", "legacy", health, new Date(at));
      await notices.idle();
      expect(notices.failures).toEqual([]);
      return notices.outbox.read().map((notice) => notice.kind);
    };
    expect(await run("failing", "2026-12-05T07:00:00Z")).toEqual(["deliveries-failing"]);
    expect(await run("failing", "2026-12-05T07:05:00Z")).toEqual(["deliveries-failing"]);
    expect(await run("healthy", "2026-12-05T07:10:00Z")).toEqual(["deliveries-failing", "deliveries-recovered"]);
  });
});
