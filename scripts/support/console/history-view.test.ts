import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import type { BusLogRecord } from "../../lib/call-history.ts";
import type { HistorySource } from "../history-source.ts";
import type { AuditLine } from "../redrive.ts";
import type { Target } from "../target.ts";
import { historyView } from "./history-view.ts";

/** Promise 7.26 (docs/guarantees.md): a redriven dead letter's story goes on past the DLQ, to its final state. */
const published = (n: number): PublishedDelivery => ({
  trustId: "RYJ",
  endpointId: "legacy",
  cloudEventId: `ce-${n}`,
  sourceEventId: `src-${n}`,
  eventCorrelationId: `src-${n}`,
  eventType: "uk.nhs.trustcallbacks.message.created.v1",
  busEventId: `bus-${n}`,
  publishedAt: `2026-12-05T10:00:0${n}.000Z`,
});
const log = (event_id: string, message_type: string, ms: number, status?: number): BusLogRecord => ({
  event_id,
  message_type,
  message_timestamp_ms: Date.parse("2026-12-05T10:00:00Z") + ms,
  ...(status ? { error: { http_status_code: status } } : {}),
});
const deadLettered = (id: string) => [log(id, "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 100, 503), log(id, "INVOCATION_DLQ", 200)];
const redriven = (n: number, busEventId: string | undefined, at = "2026-12-05T11:00:00.000Z"): AuditLine => ({
  at,
  operator: "alice",
  action: "redrive",
  trustId: "RYJ",
  endpointId: "legacy",
  cloudEventId: `ce-${n}`,
  outcome: "redriven",
  ...(busEventId ? { busEventId } : {}),
});

function storiesOf(audit: AuditLine[], busLogs: BusLogRecord[], redriveLogs: BusLogRecord[]) {
  const dir = mkdtempSync(join(tmpdir(), "history-view-"));
  const auditFile = join(dir, "audit.ndjson");
  writeFileSync(auditFile, audit.map((l) => `${JSON.stringify(l)}\n`).join("") + '{"cut short');
  const source: HistorySource = { find: async () => ({ published: [1, 2, 3].map(published), busLogs, quarantined: [], notes: [] }) };
  const target = { trusts: [], queues: new Map(), redriveInto: async () => Promise.reject(new Error("unused")), queueFor: () => Promise.reject(new Error("unused")) } as unknown as Target;
  const asked: string[][] = [];
  const view = historyView({ source, target, auditFile, busLogsOf: async (ids) => (asked.push(ids), redriveLogs.filter((l) => ids.includes(l.event_id))) });
  return { asked, run: () => view.stories({ since: new Date(0), until: new Date(), limit: 100 }) };
}

describe("history view: a dead letter's story after a redrive", () => {
  const history = [...deadLettered("bus-1"), ...deadLettered("bus-2"), ...deadLettered("bus-3")];

  it.each([
    ["never redriven: the history's own state", [], [], "dead-lettered", []],
    ["redriven, and the redriven delivery succeeded: DELIVERED", [redriven(1, "re-1")], [log("re-1", "INVOCATION_ATTEMPT_SUCCESS", 3600_500)], "delivered", ["success"]],
    [
      "redriven into a receiver still failing: in retry, with the new attempts' HTTP statuses",
      [redriven(1, "re-1")],
      [log("re-1", "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 3600_500, 503)],
      "in retry",
      ["retryable_failure 503"],
    ],
    ["redriven, nothing logged yet: pending", [redriven(1, "re-1")], [], "pending", []],
    [
      "redriven twice, dead-lettered again then delivered: the last redrive decides",
      [redriven(1, "re-1"), redriven(1, "re-2", "2026-12-05T12:00:00.000Z")],
      [log("re-1", "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 3600_500, 503), log("re-1", "INVOCATION_DLQ", 3600_600), log("re-2", "INVOCATION_ATTEMPT_SUCCESS", 7200_500)],
      "delivered",
      ["retryable_failure 503", "success"],
    ],
    ["a dry run (would-redrive) is not a redrive", [{ ...redriven(1, undefined), outcome: "would-redrive" as const }], [], "dead-lettered", []],
    ["a redrive of another endpoint's delivery with the same CloudEvent id is not this one's", [{ ...redriven(1, "re-1"), endpointId: "other" }], [log("re-1", "INVOCATION_ATTEMPT_SUCCESS", 3600_500)], "dead-lettered", []],
  ] as const)("%s", async (_, audit, redriveLogs, finalState, attempts) => {
    const { run } = storiesOf([...audit], history, [...redriveLogs]);
    const { stories } = await run();
    const story = stories.find((s) => s.cloudEventId === "ce-1")!;
    expect(story.state).toBe("dead-lettered"); // the first delivery's path is kept as it was
    expect(story.finalState).toBe(finalState);
    expect(story.redrives.flatMap((r) => r.attempts.map((a) => `${a.outcome}${a.httpStatus ? ` ${a.httpStatus}` : ""}`))).toEqual(attempts);
    // The others are untouched.
    expect(stories.filter((s) => s.cloudEventId !== "ce-1").map((s) => s.finalState)).toEqual(["dead-lettered", "dead-lettered"]);
  });

  it("each redrive step says when, by whom and which bus event it became", async () => {
    const { run, asked } = storiesOf([redriven(2, "re-9")], history, [log("re-9", "INVOCATION_ATTEMPT_SUCCESS", 3600_500)]);
    const story = (await run()).stories.find((s) => s.cloudEventId === "ce-2")!;
    expect(story.redrives).toEqual([{ at: "2026-12-05T11:00:00.000Z", operator: "alice", busEventId: "re-9", attempts: [expect.objectContaining({ outcome: "success" })], state: "delivered" }]);
    expect(asked).toEqual([["re-9"]]); // only the redriven bus events are looked up
  });
});
