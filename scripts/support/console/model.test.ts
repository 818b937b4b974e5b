import { describe, expect, it } from "vitest";
import type { TrustConfig } from "@trust-callbacks/schemas";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import { deliveryStories, type BusLogRecord, type SupportRecord } from "../../lib/call-history.ts";
import { HOURS, PAGE_SIZE, age, endpointHealth, overviewModel, type EndpointHealth } from "./model.ts";

/** Promise 7.24 (docs/guarantees.md): the overview's order, filter and pages; and what each row says. */
const row = (trustId: string, endpointId: string, over: Partial<EndpointHealth> = {}): EndpointHealth => ({
  trustId,
  trustName: `${trustId} NHS Trust`,
  endpointId,
  enabled: true,
  held: false,
  connection: "AUTHORIZED",
  dlqDepth: 0,
  delivered: Array(HOURS).fill(0),
  failed: Array(HOURS).fill(0),
  alarms: [],
  ...over,
});
const failing = (n: number) => [...Array(HOURS - 1).fill(0), n];

describe("overview order: what needs attention first", () => {
  const healthy = row("RAA", "a");
  const fewFailures = row("RAB", "a", { failed: failing(2) });
  const moreFailures = row("RAC", "a", { failed: failing(9) });
  const shallowDlq = row("RAD", "a", { dlqDepth: 1 });
  const deepDlq = row("RAE", "a", { dlqDepth: 40 });
  const deauthorized = row("RAF", "a", { connection: "DEAUTHORIZED" });
  const alarmed = row("RAG", "a", { alarms: ["trust-callbacks-prod-RAG-dlq-not-empty"] });
  const alarmedDeauthorizedDeep = row("RAH", "a", { alarms: ["x"], connection: "DEAUTHORIZED", dlqDepth: 99 });

  it.each([
    ["an alarm in ALARM before a DEAUTHORIZED connection", [deauthorized, alarmed], [alarmed, deauthorized]],
    ["a DEAUTHORIZED connection before a deep DLQ", [deepDlq, deauthorized], [deauthorized, deepDlq]],
    ["a deeper DLQ before a shallower one", [shallowDlq, deepDlq], [deepDlq, shallowDlq]],
    ["any DLQ before failures without one", [moreFailures, shallowDlq], [shallowDlq, moreFailures]],
    ["more failed attempts before fewer", [fewFailures, moreFailures], [moreFailures, fewFailures]],
    ["failures before a healthy endpoint", [healthy, fewFailures], [fewFailures, healthy]],
    ["all of them together before an alarm alone", [alarmed, alarmedDeauthorizedDeep], [alarmedDeauthorizedDeep, alarmed]],
    ["healthy ones by trust, then endpoint id", [row("RB2", "b"), row("RB1", "z"), row("RB2", "a")], [row("RB1", "z"), row("RB2", "a"), row("RB2", "b")]],
  ])("%s", (_, input, expected) => {
    const model = overviewModel(input, { sort: "attention", page: 1 });
    expect(model.rows.map((r) => `${r.trustId}/${r.endpointId}`)).toEqual(expected.map((r) => `${r.trustId}/${r.endpointId}`));
  });

  it("sort=trust ignores attention", () => {
    expect(overviewModel([alarmed, healthy], { sort: "trust", page: 1 }).rows.map((r) => r.trustId)).toEqual(["RAA", "RAG"]);
  });
});

describe("overview filter and pages", () => {
  const many = Array.from({ length: 1000 }, (_, i) => `R${i.toString(36).toUpperCase().padStart(3, "0")}`).flatMap((t) => ["a", "b", "c"].map((e) => row(t, e)));

  it.each([
    [1, PAGE_SIZE, "R000/a"],
    [2, PAGE_SIZE, "R00G/c"],
    [60, PAGE_SIZE, "R0RB/b"], // rows 2951-3000: trust 983 (R0RB), its second endpoint
    [99, PAGE_SIZE, "R0RB/b"], // past the end: the last page
    [0, PAGE_SIZE, "R000/a"], // before the start: the first
  ])("page %i of 3,000 endpoints has %i rows, the first %s", (page, size, first) => {
    const model = overviewModel(many, { sort: "attention", page });
    expect(model.total).toBe(3000);
    expect(model.pages).toBe(60);
    expect(model.rows).toHaveLength(size);
    expect(`${model.rows[0]!.trustId}/${model.rows[0]!.endpointId}`).toBe(first);
  });

  it.each([
    ["ryj", ["RYJ/a", "RYJ/b"]],
    ["RYJ", ["RYJ/a", "RYJ/b"]],
    ["teaching", ["RYJ/a", "RYJ/b"]],
    ["  R0  ", ["R0A/a"]],
    ["nothing", []],
  ])("the trust filter %j matches id or name, any case", (trust, expected) => {
    const rows = [row("RYJ", "a", { trustName: "Example Teaching NHS Trust" }), row("RYJ", "b", { trustName: "Example Teaching NHS Trust" }), row("R0A", "a"), row("RX1", "a")];
    expect(overviewModel(rows, { sort: "attention", page: 1, trust }).rows.map((r) => `${r.trustId}/${r.endpointId}`)).toEqual(expected);
  });

  it("lists each alarm in ALARM once, for the trusts the filter keeps", () => {
    const rows = [row("RYJ", "a", { alarms: ["dlq-RYJ"] }), row("RYJ", "b", { alarms: ["dlq-RYJ"] }), row("R0A", "a", { alarms: ["dlq-R0A"] })];
    expect(overviewModel(rows, { sort: "attention", page: 1, trust: "RYJ" }).alarms).toEqual([{ trustId: "RYJ", name: "dlq-RYJ" }]);
  });
});

describe("endpoint health from the call history, DLQs, connections and alarms", () => {
  const trust = (trustId: string, enabled: boolean, endpoints: [string, boolean][]): TrustConfig =>
    ({ trustId, name: `${trustId} trust`, enabled, endpoints: endpoints.map(([id, on]) => ({ id, enabled: on })) }) as unknown as TrustConfig;
  const now = new Date("2026-12-05T12:00:00Z");
  const at = (hoursAgo: number) => now.getTime() - hoursAgo * 3600_000;
  const published = (busEventId: string, trustId: string, endpointId: string): PublishedDelivery => ({ busEventId, trustId, endpointId, cloudEventId: busEventId, sourceEventId: "s", eventCorrelationId: "c", eventType: "t", publishedAt: now.toISOString() });
  const log = (event_id: string, message_type: string, hoursAgo: number): BusLogRecord => ({ event_id, message_type, message_timestamp_ms: at(hoursAgo) });
  const redrive = (cloudEventId: string, busEventId: string, hoursAgo: number): SupportRecord => ({ action: "redrive", at: new Date(at(hoursAgo)).toISOString(), operator: "alice", trustId: "RYJ", endpointId: "new", cloudEventId, busEventId });

  const health = endpointHealth({
    trusts: [trust("RYJ", true, [["legacy", true], ["new", false]]), trust("RDZ", false, [["ehr", true]])],
    dlqs: new Map([["RYJ", { depth: 4, oldestSentTimestamp: at(2) }]]),
    connections: new Map([["RYJ/legacy", "DEAUTHORIZED"]]),
    alarms: new Map([["RYJ", ["trust-callbacks-prod-RYJ-dlq-not-empty"]]]),
    // The history's own stories of the day's records, as the sources build them.
    stories: deliveryStories({
      published: [published("b1", "RYJ", "legacy"), published("b2", "RYJ", "new"), published("b3", "RYJ", "new")],
      busLogs: [
        log("b1", "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 3.5),
        log("b1", "INVOCATION_ATTEMPT_THROTTLE", 3.2),
        log("b1", "INVOCATION_ATTEMPT_SUCCESS", 0.5),
        log("b1", "INVOCATION_SUCCESS", 0.5), // not an attempt: not counted again
        log("b2", "INVOCATION_ATTEMPT_PERMANENT_FAILURE", 30), // before the window
        log("unknown", "INVOCATION_ATTEMPT_SUCCESS", 1), // no published delivery names it
        log("b3", "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", 6.5),
        log("b3", "INVOCATION_DLQ", 6), // not an attempt
        log("r3", "INVOCATION_ATTEMPT_SUCCESS", 1.5), // the redrive's new bus event: the same delivery's attempt
      ],
      support: [redrive("b3", "r3", 2)],
      deadLetters: [],
      quarantined: [],
    }),
    now,
  });

  it("one row per endpoint, each with its state, connection, its trust's DLQ and alarms", () => {
    expect(health.map((h) => [`${h.trustId}/${h.endpointId}`, h.enabled, h.connection, h.dlqDepth, h.dlqOldestAgeSeconds, h.alarms.length])).toEqual([
      ["RYJ/legacy", true, "DEAUTHORIZED", 4, 7200, 1],
      ["RYJ/new", false, "unknown", 4, 7200, 1],
      ["RDZ/ehr", false, "unknown", 0, undefined, 0], // the trust's kill switch
    ]);
  });

  it("attempts counted per hour: successes as delivered; retryable, permanent and throttled as failed", () => {
    const legacy = health[0]!;
    expect(legacy.delivered.reduce((a, b) => a + b)).toBe(1);
    expect(legacy.delivered[HOURS - 1]).toBe(1);
    expect(legacy.failed[HOURS - 4]).toBe(2);
    expect(legacy.failed.reduce((a, b) => a + b)).toBe(2);
  });

  it("a redriven delivery's new attempts count for its endpoint, in their own hour (7.24)", () => {
    const other = health[1]!;
    expect(other.failed.reduce((a, b) => a + b)).toBe(1);
    expect(other.failed[HOURS - 7]).toBe(1);
    expect(other.delivered.reduce((a, b) => a + b)).toBe(1);
    expect(other.delivered[HOURS - 2]).toBe(1);
  });
});

describe("age of the oldest message", () => {
  it.each([
    [undefined, "–"],
    [0, "0 s"],
    [59, "59 s"],
    [60, "1 min"],
    [3599, "59 min"],
    [3600 * 3 + 20 * 60, "3 h 20 min"],
    [3600 * 47, "47 h 0 min"],
    [3600 * 50, "2 d 2 h"],
  ])("%s s → %s", (seconds, text) => {
    expect(age(seconds)).toBe(text);
  });
});
