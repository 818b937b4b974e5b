import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { DeliveryStory, StoryStep } from "../lib/call-history.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";
import { parseSupportArgs, type SupportCommand } from "./args.ts";
import { history } from "./commands/history.ts";
import { redriveCommand } from "./commands/redrive.ts";

/** Runs one support command as the CLI would (parsed argv) and returns what it printed to stdout. */
async function run(argv: string[]): Promise<{ status: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const command = parseSupportArgs(argv) as SupportCommand;
    const signal = new AbortController().signal;
    const status =
      command.name === "redrive" ? await redriveCommand(command, signal) : command.name === "history" ? await history(command, signal) : Number.NaN;
    return { status, out: out.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

type Attempt = StoryStep & { kind: "attempt" };

// docs/guarantees.md 8.21, 8.22: a run with RYJ/legacy down (HTTP 503), then `redrive --trust RYJ` (into a pipeline whose
// endpoints recovered), then `history --trust RYJ --json`.
describe("history after a redrive, on the local pipeline", () => {
  const dir = mkdtempSync(join(tmpdir(), "history-e2e-"));
  const dlqDir = join(dir, "dlq");
  const auditFile = join(dir, "audit.ndjson");
  let redriven: { cloudEventId: string; busEventId?: string; operator: string }[];
  let stories: DeliveryStory[];

  beforeAll(async () => {
    const pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir,
      historyFile: join(dir, "history.jsonl"),
      masterKeyFile: join(dir, "master.key"),
    });
    const events = pipeline.events(7, ["RYJ"]);
    for (let i = 0; i < 30; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();

    const redrive = await run(["redrive", "--local", dlqDir, "--trust", "RYJ", "--rate", "1000", "--audit-file", auditFile]);
    expect(redrive.status).toBe(0);
    redriven = redrive.out
      .split("\n")
      .map((line) => JSON.parse(line))
      .filter((line) => line.outcome === "redriven");

    const shown = await run(["history", "--local", dlqDir, "--trust", "RYJ", "--json"]);
    expect(shown.status).toBe(0);
    stories = JSON.parse(shown.out).deliveries;
  }, 120_000);

  it("history tells a redriven delivery's whole story: failed attempts with HTTP 5xx, the redrive, the new attempt with HTTP 2xx, DELIVERED", () => {
    expect(redriven.length).toBeGreaterThan(0);
    for (const { cloudEventId, busEventId, operator } of redriven) {
      const story = stories.find((s) => s.cloudEventId === cloudEventId && s.endpointId === "legacy")!;
      expect(story).toBeDefined();
      expect(story.state).toBe("DELIVERED");
      const kinds = story.steps.map((s) => s.kind);
      // published, the first attempt and 3 retries, the DLQ, the redrive, one attempt of the new bus event
      expect(kinds).toEqual(["published", "attempt", "attempt", "attempt", "attempt", "dead-lettered", "redrive", "attempt"]);
      const [published, ...rest] = story.steps as [StoryStep & { kind: "published" }, ...StoryStep[]];
      const failed = rest.slice(0, 4) as Attempt[];
      expect(failed.every((a) => a.busEventId === published.busEventId && a.outcome === "retryable-failure" && a.httpStatus! >= 500 && a.httpStatus! < 600)).toBe(true);
      const redrive = rest[5] as StoryStep & { kind: "redrive" };
      expect(redrive).toMatchObject({ by: operator, busEventId });
      expect(busEventId).toBeTruthy();
      expect(busEventId).not.toBe(published.busEventId);
      const delivered = rest[6] as Attempt;
      expect(delivered).toMatchObject({ busEventId, outcome: "success" });
      expect(delivered.httpStatus! >= 200 && delivered.httpStatus! < 300).toBe(true);
    }
  });

  it("leaves no delivery of RYJ/legacy dead-lettered or pending once every dead letter was redriven", () => {
    const legacy = stories.filter((s) => s.endpointId === "legacy");
    expect(legacy.length).toBe(redriven.length);
    expect(legacy.map((s) => s.state)).toEqual(legacy.map(() => "DELIVERED"));
  });
});
