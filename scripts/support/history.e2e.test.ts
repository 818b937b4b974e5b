import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { DeliveryStory, StoryStep } from "../lib/call-history.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";
import { parseSupportArgs, type SupportCommand } from "./args.ts";
import { history } from "./commands/history.ts";
import { purge } from "./commands/purge.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { replayCommand } from "./commands/replay.ts";

/** Runs one support command as the CLI would (parsed argv) and returns what it printed to stdout. */
async function run(argv: string[]): Promise<{ status: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const command = parseSupportArgs(argv) as SupportCommand;
    const signal = new AbortController().signal;
    const status =
      command.name === "redrive"
        ? await redriveCommand(command, signal)
        : command.name === "history"
          ? await history(command, signal)
          : command.name === "replay"
            ? await replayCommand(command, signal)
            : command.name === "purge"
              ? await purge(command)
              : Number.NaN;
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
  let since: Date;
  let until: Date;

  beforeAll(async () => {
    since = new Date();
    const pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir,
      historyFile: join(dir, "history.jsonl"),
      streamFile: join(dir, "stream.jsonl"),
      masterKeyFile: join(dir, "master.key"),
    });
    const events = pipeline.events(7, ["RYJ"]);
    for (let i = 0; i < 30; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
    until = new Date();

    const redrive = await run(["redrive", "--local", dlqDir, "--trust", "RYJ", "--rate", "1000", "--audit-file", auditFile, "--json"]);
    expect(redrive.status).toBe(0);
    redriven = JSON.parse(redrive.out).actions.filter((line: { outcome: string }) => line.outcome === "redriven");

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

  it("a later replay of the window shows as a replay (who, the new bus event) with its own attempt, joined to the same delivery", async () => {
    const replay = await run(["replay", "--local", dlqDir, "--trust", "RYJ", "--endpoint", "legacy", "--since", since.toISOString(), "--until", until.toISOString(), "--rate", "1000", "--audit-file", auditFile, "--json"]);
    expect(replay.status).toBe(0);
    const replayed = JSON.parse(replay.out).actions.filter((line: { outcome: string }) => line.outcome === "replayed");
    expect(replayed.length).toBe(redriven.length);

    const shown = await run(["history", "--local", dlqDir, "--trust", "RYJ", "--endpoint", "legacy", "--json"]);
    const after: DeliveryStory[] = JSON.parse(shown.out).deliveries;
    expect(after).toHaveLength(redriven.length); // one story per delivery, however often it went out
    for (const line of replayed) {
      const story = after.find((s) => s.cloudEventId === line.cloudEventId)!;
      expect(story.state).toBe("DELIVERED");
      const replayStep = story.steps.find((s) => s.kind === "replay");
      expect(replayStep).toEqual({ at: line.at, kind: "replay", by: line.operator, busEventId: line.busEventId });
      expect(line.busEventId).toBeTruthy();
      expect(story.steps.filter((s) => s.kind === "published")).toHaveLength(1);
      expect(story.steps.at(-1)).toMatchObject({ kind: "attempt", busEventId: line.busEventId, outcome: "success", httpStatus: 200 });
    }
  }, 120_000);
});

describe("history after a purge, on the local pipeline", () => {
  it("shows each purged delivery PURGED, with who purged it after it was dead-lettered", async () => {
    const dir = mkdtempSync(join(tmpdir(), "history-purge-"));
    const dlqDir = join(dir, "dlq");
    const pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir, historyFile: join(dir, "history.jsonl"), masterKeyFile: join(dir, "master.key") });
    const events = pipeline.events(7, ["RYJ"]);
    for (let i = 0; i < 12; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
    const deadLettered = pipeline.summary().endpoints.find((e) => e.trustId === "RYJ" && e.endpointId === "legacy")!.deadLettered;
    expect(deadLettered).toBeGreaterThan(0);

    expect((await run(["purge", "--local", dlqDir, "--trust", "RYJ", "--confirm", "RYJ", "--audit-file", join(dir, "audit.ndjson")])).status).toBe(0);
    const shown = await run(["history", "--local", dlqDir, "--trust", "RYJ", "--endpoint", "legacy", "--json"]);

    const stories: DeliveryStory[] = JSON.parse(shown.out).deliveries;
    expect(stories).toHaveLength(deadLettered);
    for (const story of stories) {
      expect(story.state).toBe("PURGED");
      expect(story.steps.slice(-2).map((s) => s.kind)).toEqual(["dead-lettered", "purge"]);
      expect(story.steps.at(-1)).toMatchObject({ kind: "purge", by: expect.any(String) });
    }
  }, 120_000);
});
