/**
 * docs/guarantees.md 10.16: `npm run local` (run) drains the holds that ended once its own records are through, with the
 * hold drain's code over the local holds beside its DLQs, and its summary still accounts for its own records only.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FileHoldStates, FileHoldStore, FileNoticeOutbox } from "../../lib/local-holds.ts";
import { run } from "./run.ts";

const bleep = { trustId: "RX1", endpointId: "bleep" };

describe("local run drains ended holds", () => {
  afterEach(() => vi.restoreAllMocks());

  it("sends a resumed endpoint's held deliveries after the run's records, and the run stays fully accounted", async () => {
    const local = mkdtempSync(join(tmpdir(), "local-"));
    const holdsDir = join(local, "holds");
    await new FileHoldStates(holdsDir).put({ ...bleep, phase: "draining", source: "adhoc", reason: "EPR upgrade", heldAt: "2026-12-05T02:00:00.000Z", heldBy: "local-user", drained: 0, version: 0 }, undefined);
    await new FileHoldStore(holdsDir).append([1, 2].map((n) => ({
      endpoint: bleep,
      cloudEvent: { specversion: "1.0" as const, id: `ce-run-${n}`, type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RX1", endpointid: "bleep", time: "2026-12-05T03:00:00.000Z", data: {} },
    })));
    const printed: string[] = [];
    const errors: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    vi.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));

    const status = await run({ name: "run", count: 20, rate: 1000, seed: 42, dlqDir: join(local, "dlq"), secretsFile: join(local, "secrets.json"), json: true });

    expect(JSON.parse(printed.join("\n")).unaccounted).toBe(0);
    expect(status).toBe(0);
    // The two held before the run, and any of the run's own events to RX1/bleep (held too: its hold is still draining).
    const line = errors.find((e) => e.startsWith("hold RX1/bleep: "));
    const [, sent, drained] = /^hold RX1\/bleep: draining -> closing; sent (\d+), drained (\d+)$/.exec(line ?? "") ?? [];
    expect(Number(sent)).toBeGreaterThanOrEqual(2);
    expect(drained).toBe(sent);
    expect(await new FileHoldStore(holdsDir).depth(bleep)).toMatchObject({ value: 0 });
    expect(new FileNoticeOutbox(join(local, "notices.ndjson")).read().filter((n) => n.kind.startsWith("hold-")).map((n) => n.kind).sort()).toEqual(["hold-ended", "hold-started"]);
  }, 60_000);
});
