import { describe, expect, it } from "vitest";
import { HoldState, TrustConfig, heldSpans, holdDecision, holdKey, type HoldStateInput } from "@trust-callbacks/schemas";
import { InMemoryHoldStates } from "@trust-callbacks/transform-filter/local";
import { UsageError } from "../lib/command-line.ts";
import { holdEndpoints, holdEvents, resumeEndpoints, untilOf, type HoldRow, type HoldView } from "./holds.ts";

// docs/guarantees.md 10.20, 10.21, 10.25: each case is one state before → the one outcome and state after.

const NOW = new Date("2026-12-05T10:00:00.000Z");
const OPERATOR = "arn:aws:sts::111122223333:assumed-role/operator/bob";
const endpoint = (id: string, extra: object = {}) => ({
  id,
  url: `https://${id}.example.nhs.uk/hooks`,
  eventTypes: ["message.created"],
  payloadProfile: "full",
  auth: { type: "basic", credentialsSecret: `tc/test/credentials/RX1/${id}` },
  signingSecret: `tc/test/signing/RX1/${id}`,
  ...extra,
});
const trustOf = (input: Record<string, unknown> = {}): TrustConfig =>
  TrustConfig.parse({ trustId: "RX1", name: "T", enabled: true, endpoints: [endpoint("ehr")], ...input });

const WINDOW = { from: "2026-12-05T09:00:00.000Z", until: "2026-12-05T12:00:00.000Z", reason: "EPR upgrade CHG1" };
const heldByAlice: HoldStateInput = {
  trustId: "RX1",
  endpointId: "ehr",
  phase: "held",
  source: "adhoc",
  reason: "PAS outage",
  heldAt: "2026-12-05T09:00:00.000Z",
  heldBy: "alice",
  version: 1,
};
const draining: HoldStateInput = { ...heldByAlice, phase: "draining", resumedAt: "2026-12-05T09:50:00.000Z", resumedBy: "alice", drainStartedAt: "2026-12-05T09:50:00.000Z", drained: 40, version: 3 };
const closing: HoldStateInput = { ...draining, phase: "closing", emptyAt: "2026-12-05T09:59:50.000Z", sendFrom: "2026-12-05T10:00:20.000Z", version: 4 };

/** A store where someone else writes the endpoint's item between our read and our write. */
class RacedHoldStates extends InMemoryHoldStates {
  constructor(states: HoldStateInput[], private readonly competitor: HoldStateInput) {
    super(states.map((s) => HoldState.parse(s)));
  }
  override async put(state: HoldState, expectedVersion: number | undefined) {
    const competitor = HoldState.parse(this.competitor);
    this.items.set(holdKey(competitor.trustId, competitor.endpointId), competitor);
    return super.put(state, expectedVersion);
  }
}

const statesWith = (...states: HoldStateInput[]) => new InMemoryHoldStates(states.map((s) => HoldState.parse(s)));
const itemOf = (states: InMemoryHoldStates, id = "ehr") => states.items.get(holdKey("RX1", id));
const outcomes = (rows: HoldRow[]) => rows.map((row) => [row.endpointId, row.outcome]);

describe("hold (10.20): each state before → the one outcome and item after", () => {
  const until = new Date("2026-12-05T18:00:00.000Z");
  const expectedHeld = { trustId: "RX1", endpointId: "ehr", phase: "held", source: "adhoc", reason: "EPR down", heldAt: NOW.toISOString(), heldBy: OPERATOR, until: until.toISOString(), drained: 0 };

  it.each<[string, { states: InMemoryHoldStates; trust?: TrustConfig; dryRun?: boolean }, { outcome: HoldRow["outcome"]; detail?: RegExp; item: object | undefined }]>([
    ["not held, no window", { states: statesWith() }, { outcome: "held", item: { ...expectedHeld, version: 1 } }],
    ["not held: --dry-run writes nothing", { states: statesWith(), dryRun: true }, { outcome: "would-hold", item: undefined }],
    [
      "held by an operator: refused, naming who, since when and why",
      { states: statesWith(heldByAlice) },
      { outcome: "refused", detail: /^already held by alice since 2026-12-05T09:00:00.000Z \(PAS outage\)/, item: HoldState.parse(heldByAlice) },
    ],
    [
      "held by an operator, --dry-run: still refused",
      { states: statesWith(heldByAlice), dryRun: true },
      { outcome: "refused", detail: /^already held by alice/, item: HoldState.parse(heldByAlice) },
    ],
    [
      "held by a trust-file window (no item yet): refused, naming the window",
      { states: statesWith(), trust: trustOf({ holds: [WINDOW] }) },
      { outcome: "refused", detail: /^already held by the trust file's window from 2026-12-05T09:00:00.000Z until 2026-12-05T12:00:00.000Z \(EPR upgrade CHG1\)/, item: undefined },
    ],
    [
      "held by an endpoint window (no item yet): refused",
      { states: statesWith(), trust: trustOf({ endpoints: [endpoint("ehr", { holds: [WINDOW] })] }) },
      { outcome: "refused", detail: /trust file's window/, item: undefined },
    ],
    [
      "draining: held again, the drain pauses (version moves on)",
      { states: statesWith(draining) },
      { outcome: "held", detail: /was draining/, item: { ...expectedHeld, version: 4 } },
    ],
    ["closing: held again", { states: statesWith(closing) }, { outcome: "held", detail: /was closing/, item: { ...expectedHeld, version: 5 } }],
    [
      "someone else holds it between our read and our write: lost race, nothing overwritten",
      { states: new RacedHoldStates([], heldByAlice) },
      { outcome: "lost-race", detail: /changed meanwhile/, item: HoldState.parse(heldByAlice) },
    ],
    ["the write fails", { states: statesWith().failNext("put", { status: "failed", retry: "later", reason: "ProvisionedThroughputExceeded" }) }, { outcome: "failed", detail: /ProvisionedThroughputExceeded/, item: undefined }],
    ["the read fails: nothing written", { states: statesWith().failNext("getMany") }, { outcome: "failed", item: undefined }],
  ])("%s", async (_case, given, expected) => {
    const rows = await holdEndpoints(given.states, { trust: given.trust ?? trustOf(), endpointId: "ehr", reason: "EPR down", until, dryRun: given.dryRun ?? false, operator: OPERATOR, now: NOW });
    expect(rows).toEqual([expect.objectContaining({ trustId: "RX1", endpointId: "ehr", outcome: expected.outcome, ...(expected.detail ? { detail: expect.stringMatching(expected.detail) } : {}) })]);
    const item = itemOf(given.states);
    if (expected.item === undefined) expect(item).toBeUndefined();
    else expect(item).toEqual(expected.item);
  });

  it("a held endpoint's deliveries are held from the write on (holdDecision reads the item)", async () => {
    const states = statesWith();
    await holdEndpoints(states, { trust: trustOf(), endpointId: "ehr", reason: "EPR down", dryRun: false, operator: OPERATOR, now: NOW });
    expect(holdDecision([], itemOf(states), new Date(NOW.getTime() + 1000))).toMatchObject({ held: true, because: "held" });
  });

  it("without --endpoint holds every endpoint switched on, and says which it skipped", async () => {
    const states = statesWith({ ...heldByAlice, endpointId: "pas" });
    const trust = trustOf({ endpoints: [endpoint("ehr"), endpoint("legacy", { enabled: false }), endpoint("pas")] });
    const rows = await holdEndpoints(states, { trust, reason: "EPR down", dryRun: false, operator: OPERATOR, now: NOW });
    expect(outcomes(rows)).toEqual([["ehr", "held"], ["legacy", "skipped"], ["pas", "refused"]]);
    expect(itemOf(states, "legacy")).toBeUndefined();
  });

  it.each<[string, TrustConfig, string | undefined, string]>([
    ["an unknown endpoint", trustOf(), "nope", "trust RX1 has no endpoint nope; it has ehr"],
    ["a switched-off endpoint", trustOf({ endpoints: [endpoint("ehr", { enabled: false })] }), "ehr", "RX1/ehr is switched off (enabled: false): its events are filtered, not held; nothing written"],
    ["a switched-off trust", trustOf({ enabled: false }), undefined, "trust RX1 is switched off (enabled: false): its events are filtered, not held; nothing written"],
  ])("%s is a usage error (10.25) and nothing is written", async (_case, trust, endpointId, message) => {
    const states = statesWith();
    await expect(holdEndpoints(states, { trust, ...(endpointId ? { endpointId } : {}), reason: "r", dryRun: false, operator: OPERATOR, now: NOW })).rejects.toThrow(new UsageError(message));
    expect(states.items.size).toBe(0);
  });
});

describe("--until (10.25): an ISO time or a duration, in the future, at most 13 days away", () => {
  it.each<[string, { at: Date } | { afterSeconds: number }, string]>([
    ["a duration", { afterSeconds: 8 * 3600 }, "2026-12-05T18:00:00.000Z"],
    ["an ISO time", { at: new Date("2026-12-06T07:00:00Z") }, "2026-12-06T07:00:00.000Z"],
    ["exactly 13 days", { afterSeconds: 13 * 86400 }, "2026-12-18T10:00:00.000Z"],
  ])("%s", (_case, spec, expected) => {
    expect(untilOf(spec, NOW)?.toISOString()).toBe(expected);
  });

  it.each<[string, { at: Date } | { afterSeconds: number }, RegExp]>([
    ["in the past", { at: new Date("2026-12-05T09:59:59Z") }, /^--until 2026-12-05T09:59:59.000Z is not in the future; nothing written$/],
    ["now", { afterSeconds: 0 }, /is not in the future/],
    ["more than 13 days away", { afterSeconds: 13 * 86400 + 1 }, /^--until .* is more than 13 days away \(the hold store keeps a delivery 14 days\); nothing written$/],
  ])("%s is a usage error", (_case, spec, message) => {
    expect(() => untilOf(spec, NOW)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});

describe("resume (10.21): each state before → the one outcome and item after", () => {
  const resumed = { resumedAt: NOW.toISOString(), resumedBy: OPERATOR, drainStartedAt: NOW.toISOString(), phase: "draining" };

  it.each<[string, { states: InMemoryHoldStates; trust?: TrustConfig; dryRun?: boolean }, { outcome: HoldRow["outcome"]; detail?: RegExp; item: object | undefined }]>([
    ["held by an operator: draining", { states: statesWith(heldByAlice) }, { outcome: "resumed", item: HoldState.parse({ ...heldByAlice, ...resumed, version: 2 }) }],
    ["held by an operator, --dry-run: nothing written", { states: statesWith(heldByAlice), dryRun: true }, { outcome: "would-resume", item: HoldState.parse(heldByAlice) }],
    [
      "held by a window with its item: draining",
      { states: statesWith({ ...heldByAlice, source: "schedule", heldBy: "schedule", reason: WINDOW.reason, until: WINDOW.until }), trust: trustOf({ holds: [WINDOW] }) },
      { outcome: "resumed", item: HoldState.parse({ ...heldByAlice, source: "schedule", heldBy: "schedule", reason: WINDOW.reason, until: WINDOW.until, ...resumed, version: 2 }) },
    ],
    [
      "held by a window, no item yet: one is written, draining, so the window ends early",
      { states: statesWith(), trust: trustOf({ holds: [WINDOW] }) },
      {
        outcome: "resumed",
        item: HoldState.parse({ trustId: "RX1", endpointId: "ehr", source: "schedule", reason: WINDOW.reason, heldAt: WINDOW.from, heldBy: "schedule", until: WINDOW.until, ...resumed, version: 1 }),
      },
    ],
    ["draining already: not held, nothing written", { states: statesWith(draining) }, { outcome: "not-held", detail: /draining since 2026-12-05T09:50:00.000Z, 40 sent/, item: HoldState.parse(draining) }],
    ["not held at all", { states: statesWith() }, { outcome: "not-held", detail: /^not held/, item: undefined }],
    [
      "someone else resumed between our read and our write: lost race",
      { states: new RacedHoldStates([heldByAlice], { ...draining, version: 2 }) },
      { outcome: "lost-race", item: HoldState.parse({ ...draining, version: 2 }) },
    ],
    ["the write fails", { states: statesWith(heldByAlice).failNext("put") }, { outcome: "failed", item: HoldState.parse(heldByAlice) }],
  ])("%s", async (_case, given, expected) => {
    const rows = await resumeEndpoints(given.states, { trust: given.trust ?? trustOf(), endpointId: "ehr", dryRun: given.dryRun ?? false, operator: OPERATOR, now: NOW });
    expect(rows).toEqual([expect.objectContaining({ trustId: "RX1", endpointId: "ehr", outcome: expected.outcome, ...(expected.detail ? { detail: expect.stringMatching(expected.detail) } : {}) })]);
    const item = itemOf(given.states);
    if (expected.item === undefined) expect(item).toBeUndefined();
    else expect(item).toEqual(expected.item);
  });

  it("a resume inside a window ends it: once the drain has closed, the window no longer holds", async () => {
    const trust = trustOf({ holds: [WINDOW] });
    const states = statesWith();
    await resumeEndpoints(states, { trust, endpointId: "ehr", dryRun: false, operator: OPERATOR, now: NOW });
    const item = itemOf(states)!;
    // The drain closes the item (store empty); after sendFrom, still inside the window, deliveries go straight.
    const closed = { ...item, phase: "closing" as const, emptyAt: "2026-12-05T10:01:00.000Z", sendFrom: "2026-12-05T10:01:30.000Z" };
    const spans = heldSpans(trust.holds, trust.endpoints[0]!.holds);
    expect(holdDecision(spans, closed, new Date("2026-12-05T11:00:00Z"))).toEqual({ held: false });
  });
});

describe("holdEvents (10.24): audit lines, notices and current holds → the trust's hold events, each once, oldest first", () => {
  const view = (over: Partial<HoldView>): HoldView => ({
    trustId: "RX1", endpointId: "ehr", phase: "held", source: "adhoc", since: "2026-12-05T09:00:00.000Z", by: "alice", reason: "PAS outage", until: null,
    resumedAt: null, resumedBy: null, drainStartedAt: null, drained: 0, depth: 0, ...over,
  });
  const window = { trustId: "RX1", since: new Date("2026-12-05T00:00:00Z"), until: new Date("2026-12-06T00:00:00Z") };
  const line = (over: object) => ({ at: "2026-12-05T09:00:00.000Z", operator: "alice", action: "hold", trustId: "RX1", endpointId: "ehr", outcome: "held", reason: "PAS outage", ...over });

  it.each<[string, Parameters<typeof holdEvents>[0], Partial<Parameters<typeof holdEvents>[1]>, [string, string, string][]]>([
    ["an operator's hold and resume (audit)", { actions: [line({}), line({ at: "2026-12-05T10:00:00.000Z", action: "resume", outcome: "resumed", operator: "bob" })], notices: [], states: [] }, {}, [["09:00", "held", "alice"], ["10:00", "resumed", "bob"]]],
    ["refused, dry-run and failed lines are not events", { actions: [line({ outcome: "refused" }), line({ outcome: "would-hold" }), line({ action: "resume", outcome: "failed" }), line({ action: "redrive", outcome: "redriven" })], notices: [], states: [] }, {}, []],
    ["a line with no valid time is not an event", { actions: [line({ at: "yesterday" }), line({ at: 7 })], notices: [], states: [] }, {}, []],
    [
      "a window's hold and its until passing (holds table), the drain's notices (outbox), the same start once",
      {
        actions: [],
        notices: [
          { id: "a", kind: "hold-started", trustId: "RX1", endpointId: "ehr", at: "2026-12-05T09:00:00.000Z", reason: WINDOW.reason },
          { id: "b", kind: "hold-drained", trustId: "RX1", endpointId: "ehr", at: "2026-12-05T12:05:00.000Z", counts: { drained: 12 } },
          { id: "c", kind: "deliveries-failing", trustId: "RX1", endpointId: "ehr", at: "2026-12-05T11:00:00.000Z" },
        ],
        states: [view({ source: "schedule", by: "schedule", phase: "closing", reason: WINDOW.reason, until: WINDOW.until, drainStartedAt: "2026-12-05T12:00:00.000Z" })],
      },
      {},
      [["09:00", "started", "schedule"], ["12:00", "drain-started", "drain"], ["12:05", "drained", "drain"]],
    ],
    [
      "an operator's resume and the drain's hold-ended notice of it: one event, naming the operator",
      {
        actions: [line({ at: "2026-12-05T10:00:00.000Z", action: "resume", outcome: "resumed", operator: "bob" })],
        notices: [{ id: "e", kind: "hold-ended", trustId: "RX1", endpointId: "ehr", at: "2026-12-05T10:00:00.000Z" }],
        states: [view({ phase: "draining", resumedAt: "2026-12-05T10:00:00.000Z", resumedBy: "bob", drainStartedAt: "2026-12-05T10:00:00.000Z" })],
      },
      {},
      [["10:00", "resumed", "bob"]],
    ],
    [
      "an operator's hold and the drain's notice of it: one event, naming the operator",
      { actions: [line({})], notices: [{ id: "a", kind: "hold-started", trustId: "RX1", endpointId: "ehr", at: "2026-12-05T09:00:00.000Z", reason: "PAS outage" }], states: [view({})] },
      {},
      [["09:00", "held", "alice"]],
    ],
    ["another trust's, another endpoint's (with --endpoint) and those outside the window are left out", { actions: [line({ trustId: "RX2" }), line({ endpointId: "bleep" }), line({ at: "2026-12-04T23:59:59.000Z" })], notices: [], states: [] }, { endpointId: "ehr" }, []],
  ])("%s", (_case, sources, filter, expected) => {
    expect(holdEvents(sources, { ...window, ...filter }).map((e) => [e.at.slice(11, 16), e.event, e.by])).toEqual(expected);
  });
});
