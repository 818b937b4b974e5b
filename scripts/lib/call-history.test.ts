import { describe, expect, it } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import {
  busLogQuery,
  deliveryStories,
  lambdaHistoryQuery,
  supportHistoryQuery,
  type BusLogRecord,
  type DeadLetterSighting,
  type DeliveryStory,
  type HistoryFilter,
  type StoryInput,
  type SupportRecord,
} from "./call-history.ts";

const window = { since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), limit: 100 };
const published = (overrides: Partial<PublishedDelivery> = {}): PublishedDelivery => ({
  trustId: "RX1",
  endpointId: "ehr",
  cloudEventId: "ce-1",
  sourceEventId: "src-1",
  eventCorrelationId: "corr-1",
  eventType: "uk.nhs.trustcallbacks.message.created.v1",
  busEventId: "bus-1",
  publishedAt: "2026-11-21T10:30:00.000Z",
  ...overrides,
});
const at = (s: number) => Date.parse("2026-11-21T10:30:00Z") + s * 1000;

describe("lambdaHistoryQuery", () => {
  it.each<[Partial<HistoryFilter>, string[]]>([
    [{ trustId: "RX1" }, ['filter trustId = "RX1"']],
    [{ trustId: "RX1", endpointId: "ehr" }, ['filter trustId = "RX1"', 'filter endpointId = "ehr" or message = "record quarantined"']],
    [{ sourceEventId: "src-1" }, ['filter sourceEventId = "src-1" or eventId = "src-1"']],
    [{ cloudEventId: "ce-1" }, ['filter cloudEventId = "ce-1" or message = "record quarantined"']],
  ])("%j filters with %j", (filter, expected) => {
    const query = lambdaHistoryQuery({ ...window, ...filter });
    const lines = query.split("\n| ");
    expect(lines[0]).toBe("fields @timestamp, @message");
    expect(lines[1]).toBe('filter message = "delivery published" or message = "record quarantined"');
    expect(lines.slice(2, -2)).toEqual(expected);
    expect(lines.slice(-2)).toEqual(["sort @timestamp asc", "limit 100"]);
  });

  it("asks the buses' logs for the invocation steps of exactly the given bus events", () => {
    expect(busLogQuery(["a", "b"])).toBe(
      'fields @timestamp, event_id, message_type, message_timestamp_ms, error.http_status_code, error.error_message\n| filter event_id in ["a", "b"]\n| filter message_type like /^INVOCATION_/\n| sort @timestamp asc\n| limit 10000',
    );
  });
});

describe("deliveryStories", () => {
  const t = (s: number) => at(s);
  const iso = (s: number) => new Date(at(s)).toISOString();
  const attempt = (busEventId: string, s: number, type: string, status?: number, message?: string): BusLogRecord => ({
    event_id: busEventId,
    message_type: type,
    message_timestamp_ms: t(s),
    ...(status !== undefined || message ? { error: { ...(status !== undefined ? { http_status_code: status } : {}), ...(message ? { error_message: message } : {}) } } : {}),
  });
  const fail503 = (bus: string, s: number) => attempt(bus, s, "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 503, "503 from target");
  const dlq = (bus: string, s: number) => attempt(bus, s, "INVOCATION_DLQ");
  const ok = (bus: string, s: number, status?: number): BusLogRecord => ({ ...attempt(bus, s, "INVOCATION_ATTEMPT_SUCCESS"), ...(status ? { http_status_code: status } : {}) });
  const support = (action: SupportRecord["action"], s: number, busEventId?: string): SupportRecord => ({
    action,
    at: iso(s),
    operator: "alice (profile prod-support)",
    trustId: "RX1",
    endpointId: "ehr",
    cloudEventId: "ce-1",
    ...(busEventId ? { busEventId } : {}),
  });
  const inDlq: DeadLetterSighting = { cloudEventId: "ce-1", endpointId: "ehr", errorCode: "ERROR_FROM_TARGET", retryAttempts: 3 };
  const story = (input: Partial<StoryInput>) =>
    deliveryStories({ published: [published()], busLogs: [], deadLetters: [], quarantined: [], support: [], ...input }).find((s) => s.cloudEventId === "ce-1")!;

  // Each case: the records found → the one state the delivery must end in.
  it.each<[string, Partial<StoryInput>, DeliveryStory["state"]]>([
    ["published, nothing logged yet", {}, "PENDING"],
    ["a failed attempt, EventBridge still retrying", { busLogs: [fail503("bus-1", 1)] }, "PENDING"],
    ["delivered at the first attempt", { busLogs: [ok("bus-1", 1)] }, "DELIVERED"],
    ["delivered after retries (INVOCATION_SUCCESS only, as INFO may log it)", { busLogs: [fail503("bus-1", 1), attempt("bus-1", 2, "INVOCATION_SUCCESS")] }, "DELIVERED"],
    ["dead-lettered by the bus log", { busLogs: [fail503("bus-1", 1), dlq("bus-1", 2)] }, "FAILED"],
    ["in the trust's DLQ, no bus log (logging off)", { deadLetters: [inDlq] }, "FAILED"],
    ["given up without a DLQ", { busLogs: [attempt("bus-1", 1, "INVOCATION_ATTEMPT_PERMANENT_FAILURE", 400), attempt("bus-1", 2, "INVOCATION_FAILURE")] }, "FAILED"],
    ["dead-lettered, redriven, new attempt not logged yet", { busLogs: [fail503("bus-1", 1), dlq("bus-1", 2)], support: [support("redrive", 10, "bus-2")] }, "PENDING"],
    ["dead-lettered, redriven, delivered", { busLogs: [fail503("bus-1", 1), dlq("bus-1", 2), ok("bus-2", 11)], support: [support("redrive", 10, "bus-2")] }, "DELIVERED"],
    ["dead-lettered, redriven, dead-lettered again", { busLogs: [dlq("bus-1", 2), fail503("bus-2", 11), dlq("bus-2", 12)], support: [support("redrive", 10, "bus-2")] }, "FAILED"],
    ["dead-lettered, then purged", { busLogs: [dlq("bus-1", 2)], support: [support("purge", 10)] }, "PURGED"],
    ["purged, then replayed and delivered", { busLogs: [dlq("bus-1", 2), ok("bus-3", 21)], support: [support("purge", 10), support("replay", 20, "bus-3")] }, "DELIVERED"],
    ["delivered, later replayed and that replay dead-lettered: it was delivered", { busLogs: [ok("bus-1", 1), dlq("bus-3", 22)], support: [support("replay", 20, "bus-3")] }, "DELIVERED"],
    ["dead-lettered, then a purge of another delivery's id", { busLogs: [dlq("bus-1", 2)], support: [{ ...support("purge", 10), cloudEventId: "ce-other" }] }, "FAILED"],
  ])("%s → %s", (_case, input, expected) => {
    expect(story(input).state).toBe(expected);
  });

  it("tells the whole story in time order: attempts with their HTTP status or error, the DLQ, the redrive (who, when, new bus event), the new attempt", () => {
    const s = story({
      busLogs: [ok("bus-2", 11, 200), dlq("bus-1", 3), fail503("bus-1", 1), attempt("bus-1", 2, "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", undefined, "connection refused"), attempt("other", 4, "INVOCATION_ATTEMPT_SUCCESS")],
      support: [support("redrive", 10, "bus-2")],
    });
    expect(s).toEqual({
      trustId: "RX1",
      endpointId: "ehr",
      cloudEventId: "ce-1",
      sourceEventId: "src-1",
      eventCorrelationId: "corr-1",
      eventType: "uk.nhs.trustcallbacks.message.created.v1",
      state: "DELIVERED",
      steps: [
        { at: "2026-11-21T10:30:00.000Z", kind: "published", busEventId: "bus-1" },
        { at: iso(1), kind: "attempt", busEventId: "bus-1", outcome: "retryable-failure", httpStatus: 503, error: "503 from target" },
        { at: iso(2), kind: "attempt", busEventId: "bus-1", outcome: "retryable-failure", error: "connection refused" },
        { at: iso(3), kind: "dead-lettered", busEventId: "bus-1" },
        { at: iso(10), kind: "redrive", by: "alice (profile prod-support)", busEventId: "bus-2" },
        { at: iso(11), kind: "attempt", busEventId: "bus-2", outcome: "success", httpStatus: 200 },
      ],
    });
  });

  it("shows a replay once: the replay's own published line (same bus event) is folded into the replay step", () => {
    const replayed = published({ busEventId: "bus-3", publishedAt: iso(20) });
    const s = deliveryStories({ published: [published(), replayed], busLogs: [ok("bus-3", 21, 204)], deadLetters: [], quarantined: [], support: [support("replay", 20, "bus-3")] });
    expect(s).toHaveLength(1);
    expect(s[0]!.steps.map((step) => step.kind)).toEqual(["published", "replay", "attempt"]);
  });

  it("shows one success when TRACE logs both INVOCATION_SUCCESS and INVOCATION_ATTEMPT_SUCCESS, whichever comes first in the answer", () => {
    const both = [attempt("bus-1", 2, "INVOCATION_SUCCESS"), ok("bus-1", 2)];
    expect(story({ busLogs: both }).steps.map((step) => step.kind)).toEqual(["published", "attempt"]);
    expect(story({ busLogs: [...both].reverse() }).steps.map((step) => step.kind)).toEqual(["published", "attempt"]);
  });

  it("shows a support action once when its record was written twice (the audit line shipped to the group by two writers)", () => {
    const s = story({ busLogs: [dlq("bus-1", 2), ok("bus-2", 11)], support: [support("redrive", 10, "bus-2"), support("redrive", 10, "bus-2")] });
    expect(s.steps.map((step) => step.kind)).toEqual(["published", "dead-lettered", "redrive", "attempt"]);
  });

  it("says where a FAILED delivery is: in the DLQ (redrivable) or dropped", () => {
    expect(story({ deadLetters: [inDlq] }).detail).toBe("in the trust's DLQ: ERROR_FROM_TARGET after 3 retries");
    expect(story({ busLogs: [dlq("bus-1", 2)] }).detail).toBe("sent to the trust's DLQ, no longer there: redriven or purged without a history record");
    expect(story({ busLogs: [attempt("bus-1", 2, "INVOCATION_FAILURE")] }).detail).toBe("given up without a DLQ: replay it from the stream");
  });

  it("keeps a support action on a delivery whose publication is outside the window, and a quarantined record as its own story", () => {
    const stories = deliveryStories({
      published: [],
      busLogs: [ok("bus-2", 11)],
      deadLetters: [],
      quarantined: [{ trustId: "RX1", sourceEventId: "src-9", recordId: "shard:9", reason: "unknown trust", at: iso(30), deliveries: [] }],
      support: [support("redrive", 10, "bus-2")],
    });
    expect(stories.map((s) => [s.cloudEventId ?? s.sourceEventId, s.state])).toEqual([
      ["ce-1", "DELIVERED"],
      ["src-9", "QUARANTINED"],
    ]);
    expect(stories[1]!.steps).toEqual([{ at: iso(30), kind: "quarantined", reason: "unknown trust" }]);
  });
});

describe("supportHistoryQuery", () => {
  it("asks the support audit log group for the redrives, replays and purges of exactly the given CloudEvent ids", () => {
    expect(supportHistoryQuery(["ce-1", "ce-2"])).toBe(
      'fields @timestamp, @message\n| filter action in ["redrive", "replay", "purge"] and outcome in ["redriven", "replayed", "purged"]\n| filter cloudEventId in ["ce-1", "ce-2"]\n| sort @timestamp asc\n| limit 10000',
    );
  });
});
