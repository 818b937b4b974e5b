import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import type { DeliveryPath, HistoryLine } from "../lib/call-history.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";
import { parseRedriveArgs, type RedriveCommand } from "./args.ts";
import { history } from "./commands/history.ts";

/** Runs one support command as the CLI would (parsed argv), and returns what it printed to stdout. */
async function runCommand(argv: string[], run: (command: RedriveCommand, signal: AbortSignal) => Promise<number>) {
  const out: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
  const err = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const status = await run(parseRedriveArgs(argv) as RedriveCommand, new AbortController().signal);
    return { status, out: out.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe("support tools on the local pipeline: a run with a flaky and a down endpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "support-"));
  const dlqDir = join(dir, "dlq");
  const historyFile = join(dir, "history.jsonl");
  let pipeline: LocalPipeline;
  let lines: HistoryLine[];

  beforeAll(async () => {
    pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir, historyFile, streamFile: join(dir, "stream.jsonl") });
    const events = pipeline.events(11);
    for (let i = 0; i < 150; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    lines = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as HistoryLine);
  }, 60_000);
  afterAll(() => pipeline.stop());

  const historyOf = async (sourceEventId: string): Promise<DeliveryPath[]> => {
    const { status, out } = await runCommand(["history", "--local", dlqDir, "--history-file", historyFile, "--source-event-id", sourceEventId, "--json"], (c, s) =>
      history(c as RedriveCommand & { name: "history" }, s),
    );
    expect(status).toBe(0);
    return JSON.parse(out).deliveries;
  };
  const publishedTo = (key: string) => lines.filter((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published" && `${l.trustId}/${l.endpointId}` === key);

  it("history shows a flaky endpoint's delivery delivered after its failed attempts, with their HTTP statuses", async () => {
    const retriedBusEvents = new Set(lines.flatMap((l) => (l.source === "bus" && l.message_type === "INVOCATION_ATTEMPT_RETRYABLE_FAILURE" ? [l.event_id] : [])));
    const flaky = publishedTo("R0A/records").find((p) => retriedBusEvents.has(p.busEventId))!;
    expect(flaky).toBeDefined();

    const paths = (await historyOf(flaky.sourceEventId)).filter((p) => p.endpointId === "records");

    expect(paths).toEqual([
      expect.objectContaining({
        trustId: "R0A",
        cloudEventId: flaky.cloudEventId,
        busEventId: flaky.busEventId,
        state: "delivered",
        attempts: [
          expect.objectContaining({ outcome: "retryable_failure", httpStatus: 503 }),
          expect.objectContaining({ outcome: "retryable_failure", httpStatus: 429 }),
          expect.objectContaining({ outcome: "success" }),
        ],
      }),
    ]);
  });

  it("history shows a down endpoint's delivery dead-lettered, found in the trust's DLQ", async () => {
    const down = publishedTo("RYJ/legacy")[0]!;

    const [path] = await historyOf(down.sourceEventId);

    expect(path).toMatchObject({ trustId: "RYJ", endpointId: "legacy", cloudEventId: down.cloudEventId, state: "dead-lettered" });
    expect(path!.attempts.map((a) => a.httpStatus)).toEqual([503, 503, 503, 503]); // the first attempt and 3 retries
    expect(path!.detail).toMatch(/^in the trust's DLQ: ERROR_FROM_TARGET after 3 retries$/);
  });
});
