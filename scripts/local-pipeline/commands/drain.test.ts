/**
 * docs/guarantees.md 10.16: `npm run local -- drain` runs one sweep of the hold drain over the local holds files and
 * delivers through the local pipeline to the sample receivers; its report is the drain's, its exit status 1 only when
 * an endpoint's drain stopped on a failure.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FileHoldStates, FileHoldStore, FileNoticeOutbox } from "../../lib/local-holds.ts";
import { drain } from "./drain.ts";

const bleep = { trustId: "RX1", endpointId: "bleep" };
const cloudEvent = (n: number) => ({
  specversion: "1.0" as const, id: `ce-drain-${n}`, type: "uk.nhs.trustcallbacks.message.created.v1", source: "/trust-callbacks/local",
  trustid: "RX1", endpointid: "bleep", time: new Date(Date.UTC(2026, 11, 5, 3, 0, n)).toISOString(), data: { conversationId: "c-1" },
});

describe("local drain command", () => {
  afterEach(() => vi.restoreAllMocks());

  it("drains a resumed endpoint's held deliveries to its receiver and reports it; an empty holds table is no work", async () => {
    const local = mkdtempSync(join(tmpdir(), "local-"));
    const holdsDir = join(local, "holds");
    await new FileHoldStates(holdsDir).put({ ...bleep, phase: "draining", source: "adhoc", reason: "EPR upgrade", heldAt: "2026-12-05T02:00:00.000Z", heldBy: "local-user", resumedAt: "2026-12-05T03:30:00.000Z", resumedBy: "local-user", drained: 0, version: 0 }, undefined);
    await new FileHoldStore(holdsDir).append([1, 2, 3].map((n) => ({ endpoint: bleep, cloudEvent: cloudEvent(n) })));
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    const command = { name: "drain" as const, dlqDir: join(local, "dlq"), secretsFile: join(local, "secrets.json"), json: true };

    expect(await drain(command)).toBe(0);
    const report = JSON.parse(printed.join("\n"));
    expect(report.endpoints).toEqual([expect.objectContaining({ ...bleep, from: "draining", to: "closing", sent: 3, drained: 3 })]);
    expect((await new FileHoldStore(holdsDir).depth(bleep))).toMatchObject({ value: 0 });
    expect(new FileNoticeOutbox(join(local, "notices.ndjson")).read().map((n) => n.kind).sort()).toEqual(["hold-ended", "hold-started"]);

    printed.length = 0;
    const empty = mkdtempSync(join(tmpdir(), "local-"));
    expect(await drain({ ...command, dlqDir: join(empty, "dlq"), json: false })).toBe(0);
    expect(printed).toEqual(["no holds: nothing to drain"]);
  }, 30_000);
});
