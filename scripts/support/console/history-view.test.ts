import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { FileDeadLetterQueue } from "../../lib/dead-letter-queue.ts";
import type { HistoryLine } from "../../lib/call-history.ts";
import { parseSupportArgs, type SupportCommand } from "../args.ts";
import { history } from "../commands/history.ts";
import { COOKIE, consoleApp } from "./server.ts";
import { localSource } from "./source.ts";

/**
 * Promise 7.26 (docs/guarantees.md): the trace tells a delivery's story as `history` does: published, each attempt
 * with its HTTP status, the DLQ, each redrive or purge by whom (with the new bus event), the new attempts, and the one
 * final state; a FAILED delivery in the DLQ links to the redrive, one given up to the replay. Read through the
 * console's own routes over a local run's files (history file, DLQ folder), as an operator would see it.
 */
const NOW = new Date("2026-12-05T12:00:00.000Z");
const ms = (time: string) => Date.parse(`2026-12-05T${time}Z`);

const published = (n: number): HistoryLine => ({
  source: "lambda",
  kind: "published",
  trustId: "RYJ",
  endpointId: "legacy",
  cloudEventId: `ce-${n}`,
  sourceEventId: `src-${n}`,
  eventCorrelationId: `src-${n}`,
  eventType: "uk.nhs.trustcallbacks.message.created.v1",
  busEventId: `bus-${n}`,
  publishedAt: `2026-12-05T10:00:0${n}.000Z`,
});
const attempt = (busEventId: string, time: string, status: number): HistoryLine => ({
  source: "bus",
  event_id: busEventId,
  message_type: status < 300 ? "INVOCATION_ATTEMPT_SUCCESS" : "INVOCATION_ATTEMPT_RETRYABLE_FAILURE",
  message_timestamp_ms: ms(time),
  ...(status < 300 ? { http_status_code: status } : { error: { http_status_code: status } }),
});
const step = (busEventId: string, time: string, message_type: "INVOCATION_DLQ" | "INVOCATION_FAILURE"): HistoryLine => ({ source: "bus", event_id: busEventId, message_type, message_timestamp_ms: ms(time) });
const support = (action: "redrive" | "purge", time: string, by: string, busEventId?: string, endpointId = "legacy"): HistoryLine => ({
  source: "support",
  action,
  at: `2026-12-05T${time}.000Z`,
  operator: by,
  trustId: "RYJ",
  endpointId,
  cloudEventId: "ce-1",
  ...(busEventId ? { busEventId } : {}),
});
/** Each delivery's first publication: a 503, then the DLQ (ce-1 and ce-2 alike). */
const firstRun = (n: number): HistoryLine[] => [published(n), attempt(`bus-${n}`, `10:00:1${n}`, 503), step(`bus-${n}`, `10:05:0${n}`, "INVOCATION_DLQ")];

function deadLetter(queue: FileDeadLetterQueue, n: number) {
  const event = { specversion: "1.0", id: `ce-${n}`, source: "/trust-callbacks/local", type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RYJ", endpointid: "legacy", data: {} };
  queue.send(JSON.stringify({ source: "trust-callbacks", "detail-type": event.type, detail: { webhook: { id: event.id, timestamp: "1", signature: "v1,x" }, event } }), {
    ERROR_CODE: "ERROR_FROM_TARGET",
    ERROR_MESSAGE: "503",
    RETRY_ATTEMPTS: "3",
    RULE_ARN: "arn:aws:events:eu-west-2:123456789012:rule/bus/trust-callbacks-local-RYJ-legacy",
    TARGET_ARN: "arn:aws:events:eu-west-2:123456789012:api-destination/x/y",
  });
}

/** A local run's files: the history file, and the RYJ DLQ holding ce-2 always and ce-1 when `inDlq`. */
function localRun(lines: HistoryLine[], inDlq: boolean) {
  const dir = mkdtempSync(join(tmpdir(), "history-view-"));
  const dlq = join(dir, "dlq");
  mkdirSync(dlq);
  writeFileSync(join(dir, "history.jsonl"), lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
  const queue = new FileDeadLetterQueue(dlq, "RYJ");
  if (inDlq) deadLetter(queue, 1);
  deadLetter(queue, 2);
  return { dir, dlq };
}

/** The trace page of one CloudEvent id, as the operator reads it: per delivery, its heading, steps, final line, links. */
async function trace(dlq: string, cloudEventId: string) {
  const made = consoleApp(localSource({ kind: "local", root: dlq }, join(dlq, "..", "audit.ndjson")), { token: "k", now: () => NOW });
  made.setOrigin("http://127.0.0.1:1");
  const answer = await made.app.request(`http://127.0.0.1:1/trace?by=cloudevent&q=${cloudEventId}`, { headers: { host: "127.0.0.1:1", cookie: `${COOKIE}=k` } });
  const page = await answer.text();
  const text = (fragment: string) => fragment.replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim();
  return [...page.matchAll(/<article class="story"[\s\S]*?<\/article>/g)].map(([article]) => ({
    heading: text(/<h2>([\s\S]*?)<\/h2>/.exec(article)?.[1] ?? ""),
    steps: [...article.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map(([, li]) => text(li ?? "")),
    links: [...article.matchAll(/<a href="([^"]+)"/g)].map(([, href]) => href),
  }));
}

const FIRST = ["2026-12-05T10:00:01.000Z published to the bus (bus event bus-1)", "2026-12-05T10:00:11.000Z attempt: HTTP 503 · retryable failure", "2026-12-05T10:05:01.000Z sent to the trust's DLQ"];
const REDRIVE_LINK = "/trusts/RYJ#dlq-h";
const REPLAY_LINK = "/trusts/RYJ#replay-h";

describe("console trace: a delivery's story, redrives included (7.26)", () => {
  it.each([
    ["never redriven, still in the DLQ: FAILED, with the redrive link", [], true, "RYJ/legacy FAILED", FIRST, [REDRIVE_LINK]],
    [
      "redriven, and the new attempt succeeded: DELIVERED",
      [support("redrive", "11:00:00", "alice", "re-1"), attempt("re-1", "11:00:01", 200)],
      false,
      "RYJ/legacy DELIVERED",
      [...FIRST, "2026-12-05T11:00:00.000Z redriven from the DLQ by alice (new bus event re-1)", "2026-12-05T11:00:01.000Z attempt: HTTP 200 · success"],
      [],
    ],
    [
      "redriven into a receiver still failing, back in the DLQ: FAILED, with the new attempt's status",
      [support("redrive", "11:00:00", "alice", "re-1"), attempt("re-1", "11:00:01", 503), step("re-1", "11:05:00", "INVOCATION_DLQ")],
      true,
      "RYJ/legacy FAILED",
      [...FIRST, "2026-12-05T11:00:00.000Z redriven from the DLQ by alice (new bus event re-1)", "2026-12-05T11:00:01.000Z attempt: HTTP 503 · retryable failure", "2026-12-05T11:05:00.000Z sent to the trust's DLQ"],
      [REDRIVE_LINK],
    ],
    [
      "redriven, nothing logged yet: PENDING",
      [support("redrive", "11:00:00", "alice", "re-1")],
      false,
      "RYJ/legacy PENDING",
      [...FIRST, "2026-12-05T11:00:00.000Z redriven from the DLQ by alice (new bus event re-1)"],
      [],
    ],
    [
      "redriven twice, dead-lettered again, then delivered: DELIVERED",
      [
        support("redrive", "11:00:00", "alice", "re-1"),
        attempt("re-1", "11:00:01", 503),
        step("re-1", "11:05:00", "INVOCATION_DLQ"),
        support("redrive", "11:30:00", "bob", "re-2"),
        attempt("re-2", "11:30:01", 204),
      ],
      false,
      "RYJ/legacy DELIVERED",
      [
        ...FIRST,
        "2026-12-05T11:00:00.000Z redriven from the DLQ by alice (new bus event re-1)",
        "2026-12-05T11:00:01.000Z attempt: HTTP 503 · retryable failure",
        "2026-12-05T11:05:00.000Z sent to the trust's DLQ",
        "2026-12-05T11:30:00.000Z redriven from the DLQ by bob (new bus event re-2)",
        "2026-12-05T11:30:01.000Z attempt: HTTP 204 · success",
      ],
      [],
    ],
    ["purged from the DLQ: PURGED, no redrive link", [support("purge", "11:00:00", "carol")], false, "RYJ/legacy PURGED", [...FIRST, "2026-12-05T11:00:00.000Z purged from the DLQ by carol"], []],
    [
      "a redrive of another endpoint's delivery with the same CloudEvent id is not this one's",
      [support("redrive", "11:00:00", "alice", "re-1", "other"), attempt("re-1", "11:00:01", 200)],
      true,
      "RYJ/legacy FAILED",
      FIRST,
      [REDRIVE_LINK],
    ],
  ] as const)("%s", async (_, after, inDlq, heading, steps, links) => {
    const { dlq } = localRun([...firstRun(1), ...firstRun(2), ...after], inDlq);
    const stories = await trace(dlq, "ce-1");
    const legacy = stories.find((s) => s.heading.startsWith("RYJ/legacy"))!;
    expect(legacy.heading).toBe(heading);
    expect(legacy.steps).toEqual(steps);
    expect(legacy.links).toEqual(links);
    // The other dead letter's story is its own.
    expect((await trace(dlq, "ce-2")).map((s) => [s.heading, s.steps.length])).toEqual([["RYJ/legacy FAILED", 3]]);
  });

  it("given up with no DLQ: FAILED, with the link to replay it from the stream, not to the DLQ", async () => {
    const { dlq } = localRun([published(1), attempt("bus-1", "10:00:11", 503), step("bus-1", "10:05:00", "INVOCATION_FAILURE")], false);
    const [story] = await trace(dlq, "ce-1");
    expect(story).toEqual({
      heading: "RYJ/legacy FAILED",
      steps: [FIRST[0], FIRST[1], "2026-12-05T10:05:00.000Z given up (no DLQ: replay it from the stream)"],
      links: [REPLAY_LINK],
    });
  });

  it("tells the same stories as `history --json` over the same files (one history code path)", async () => {
    const { dir, dlq } = localRun([...firstRun(1), ...firstRun(2), support("redrive", "11:00:00", "alice", "re-1"), attempt("re-1", "11:00:01", 200)], false);
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((text: string) => void printed.push(text));
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const argv = ["history", "--local", dlq, "--history-file", join(dir, "history.jsonl"), "--trust", "RYJ", "--since", "2026-12-04T12:00:00.000Z", "--until", NOW.toISOString(), "--json"];
      expect(await history(parseSupportArgs(argv) as SupportCommand & { name: "history" }, new AbortController().signal)).toBe(0);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
    const cli = JSON.parse(printed.join("\n")) as { deliveries: unknown[] };
    const console_ = await localSource({ kind: "local", root: dlq }, join(dir, "audit.ndjson")).history.stories({ trustId: "RYJ", since: new Date("2026-12-04T12:00:00.000Z"), until: NOW, limit: 1000 });
    expect(console_.stories).toEqual(cli.deliveries);
    expect(console_.stories.map((s) => s.state)).toEqual(["DELIVERED", "FAILED"]);
  });
});
