import { describe, expect, it } from "vitest";
import { HOLD_CLOSING_MS, holdKey, type CallbackCloudEvent, type HoldState, type HoldStateInput, type HoldWindow, type SupportDeliveryAnswer } from "@trust-callbacks/schemas";
import { failed } from "@trust-callbacks/runtime";
import { InMemoryHoldStates, InMemoryHoldStore, InMemoryNoticeLog } from "../testing/holds.ts";
import { silentLogger } from "../testing/fakes.ts";
import { DRAIN_EMPTY_SETTLE_MS, drainHolds, type DrainDeps, type DrainPlan, type DrainSender } from "./drain.ts";
import type { EndpointRef } from "./hold-ports.ts";

/**
 * docs/guarantees.md 10.10-10.15: the drain's promises, on a virtual clock, against the shared in-memory stand-ins.
 * The sender stands for the support signer's redrive path (its own test: src/hold-drain.test.ts).
 */

const T0 = Date.parse("2026-03-01T10:00:00.000Z");
const iso = (ms: number) => new Date(ms).toISOString();
const ENDPOINT: EndpointRef = { trustId: "RX1", endpointId: "epr" };

const event = (n: number, endpoint: EndpointRef = ENDPOINT): CallbackCloudEvent => ({
  specversion: "1.0",
  id: `ce-${endpoint.endpointId}-${String(n).padStart(4, "0")}`,
  type: "uk.nhs.trustcallbacks.message.created.v1",
  trustid: endpoint.trustId,
  endpointid: endpoint.endpointId,
  data: { sourceEventId: `ev-${n}` },
});

const holdState = (overrides: Partial<HoldStateInput> = {}): HoldState => ({
  ...ENDPOINT,
  phase: "held",
  source: "adhoc",
  reason: "EPR upgrade CHG1",
  heldAt: iso(T0 - 3_600_000),
  heldBy: "arn:aws:sts::111122223333:assumed-role/support/alice",
  drained: 0,
  version: 1,
  ...overrides,
} as HoldState);

/** A virtual clock: `sleep` advances it; the invocation has 60 s from `start`. */
class Clock {
  constructor(public at: number = T0, private readonly start: number = at) {}
  now = () => new Date(this.at);
  sleep = async (ms: number) => {
    this.at += ms;
  };
  remainingTimeMs = () => 60_000 - (this.at - this.start);
  /** A new invocation at `at`. */
  invocation(at: number) {
    this.at = at;
    return new Clock(at);
  }
}

/** Records each send (events and the clock's time); answers from `answers` by CloudEvent id, else accepted. */
class FakeSender implements DrainSender {
  sends: { at: number; ids: string[] }[] = [];
  answers = new Map<string, { retry: "now" | "later" | "never"; reason: string }>();
  plans = new Map<string, DrainPlan>();
  constructor(private readonly clock: () => number, public spans: HoldWindow[] = [], public ratePerSecond = 5) {}
  async plan(endpoint: EndpointRef): Promise<DrainPlan> {
    return this.plans.get(holdKey(endpoint.trustId, endpoint.endpointId)) ?? { kind: "send", ratePerSecond: this.ratePerSecond, spans: this.spans };
  }
  async send(endpoint: EndpointRef, events: readonly CallbackCloudEvent[]): Promise<SupportDeliveryAnswer[]> {
    this.sends.push({ at: this.clock(), ids: events.map((e) => e.id) });
    return events.map((e) => {
      const answer = this.answers.get(e.id);
      return answer
        ? { status: "failed", endpointId: endpoint.endpointId, cloudEventId: e.id, ...answer }
        : { status: "accepted", endpointId: endpoint.endpointId, cloudEventId: e.id, busEventId: `bus-${e.id}` };
    });
  }
  get sentIds() {
    return this.sends.flatMap((s) => s.ids);
  }
}

function setup(options: { state?: HoldState; held?: number; rate?: number; spans?: HoldWindow[] } = {}) {
  const clock = new Clock();
  const states = new InMemoryHoldStates(options.state ? [options.state] : []);
  const store = new InMemoryHoldStore();
  const notices = new InMemoryNoticeLog();
  const sender = new FakeSender(() => clock.at, options.spans ?? [], options.rate ?? 5);
  const deps = (invocation: Clock = clock, extra: Partial<DrainDeps> = {}): DrainDeps => ({
    states, store, notices, sender, logger: silentLogger(),
    now: invocation.now, sleep: invocation.sleep, remainingTimeMs: invocation.remainingTimeMs, random: () => 0, ...extra,
  });
  return { clock, states, store, notices, sender, deps };
}

const hold = (held: number, store: InMemoryHoldStore, endpoint: EndpointRef = ENDPOINT) =>
  store.append(Array.from({ length: held }, (_v, i) => ({ endpoint, cloudEvent: event(i + 1, endpoint) })));
const item = (states: InMemoryHoldStates, endpoint: EndpointRef = ENDPOINT) => states.items.get(holdKey(endpoint.trustId, endpoint.endpointId));
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_v, i) => event(from + i).id);

describe("10.10 a drain sends what was held, in order, re-signed, paced", () => {
  it("sends every held delivery in the order held, at most the drain rate per second, in calls of at most 10", async () => {
    const { store, sender, deps, states } = setup({ state: holdState({ phase: "draining", drainStartedAt: iso(T0) }), rate: 4 });
    await hold(20, store);
    const report = await drainHolds(deps());
    expect(sender.sentIds).toEqual(ids(1, 20));
    expect(sender.sends.every((s) => s.ids.length <= 4)).toBe(true);
    // At most 4 in any second: each call starts at least (its size / rate) after the one before.
    for (let i = 1; i < sender.sends.length; i++) {
      expect(sender.sends[i]!.at - sender.sends[i - 1]!.at).toBeGreaterThanOrEqual((sender.sends[i - 1]!.ids.length * 1000) / 4);
    }
    expect(report.endpoints[0]).toMatchObject({ sent: 20, drained: 20, to: "closing" });
    expect(item(states)?.drained).toBe(20);
  });

  it("calls carry at most 10 deliveries however fast the drain rate", async () => {
    const { store, sender, deps } = setup({ state: holdState({ phase: "draining" }), rate: 300 });
    await hold(35, store);
    await drainHolds(deps());
    expect(sender.sends.map((s) => s.ids.length)).toEqual([10, 10, 10, 5]);
  });

  it("stops starting work when 10 s of the invocation are left; the rest stays held, in order, for the next sweep", async () => {
    const { clock, store, sender, deps, states } = setup({ state: holdState({ phase: "draining" }), rate: 1 });
    await hold(80, store);
    const first = await drainHolds(deps());
    expect(first.endpoints[0]).toMatchObject({ stopped: "time", to: "draining" });
    expect(clock.at - T0).toBeLessThanOrEqual(50_000);
    const sentFirst = sender.sentIds.length;
    expect(sentFirst).toBeGreaterThanOrEqual(45);
    expect(sentFirst).toBeLessThanOrEqual(51);
    expect(item(states)).toMatchObject({ phase: "draining", drained: sentFirst });
    const next = clock.invocation(clock.at + 10_000);
    await drainHolds(deps(next));
    expect(sender.sentIds).toEqual(ids(1, 80));
  });
});

describe("10.11 a delivery leaves the store only after the bus accepted it (fault table)", () => {
  const draining = () => holdState({ phase: "draining", drainStartedAt: iso(T0) });

  it("receive fails: store unchanged, item unchanged", async () => {
    const { store, deps, states, sender } = setup({ state: draining() });
    await hold(5, store);
    store.failNext("receive");
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ stopped: "receive-failed", to: "draining", sent: 0 });
    expect(sender.sends).toEqual([]);
    expect((await store.depth(ENDPOINT)).status === "found" && (await store.depth(ENDPOINT))).toMatchObject({ value: 5 });
    expect(item(states)).toEqual(draining());
  });

  it("the bus answers later for one delivery: it stays (sent again next sweep), the accepted ones are deleted and counted", async () => {
    const { store, deps, states, sender, clock } = setup({ state: draining(), rate: 10 });
    await hold(10, store);
    sender.answers.set(event(4).id, { retry: "later", reason: "ThrottlingException" });
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ stopped: "send-failed", to: "draining", sent: 9, drained: 9 });
    expect(store.queues.get(holdKey("RX1", "epr"))!.map((d) => d.cloudEvent.id)).toEqual([event(4).id]);
    expect(item(states)).toMatchObject({ phase: "draining", drained: 9 });
    sender.answers.clear();
    store.release();
    await drainHolds(deps(clock.invocation(clock.at + 60_000)));
    expect(sender.sentIds.filter((id) => id === event(4).id)).toHaveLength(2);
    expect(item(states)).toMatchObject({ phase: "closing", drained: 10 });
  });

  it("the bus answers never: the delivery stays in the store and the hold stays draining", async () => {
    const { store, deps, states, sender } = setup({ state: draining(), rate: 10 });
    await hold(3, store);
    sender.answers.set(event(1).id, { retry: "never", reason: "no signing key active" });
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ stopped: "send-failed", to: "draining", drained: 2 });
    expect(store.queues.get(holdKey("RX1", "epr"))!.map((d) => d.cloudEvent.id)).toEqual([event(1).id]);
    expect(item(states)?.phase).toBe("draining");
  });

  it("delete fails after the bus accepted: they stay and are sent again with the same ids; not counted", async () => {
    const { store, deps, states, sender, clock } = setup({ state: draining(), rate: 5 });
    await hold(5, store);
    store.failNext("delete");
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ stopped: "delete-failed", sent: 5, drained: 0, to: "draining" });
    expect(item(states)).toEqual(draining());
    store.release();
    await drainHolds(deps(clock.invocation(clock.at + 60_000)));
    expect(sender.sentIds).toEqual([...ids(1, 5), ...ids(1, 5)]);
    expect(item(states)).toMatchObject({ phase: "closing", drained: 5 });
  });

  it("the state write fails: what was sent is deleted, the item is unchanged and re-read next sweep", async () => {
    const { store, deps, states } = setup({ state: draining(), rate: 5 });
    await hold(5, store);
    states.failNext("put");
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ drained: 5, to: "draining", note: expect.stringMatching(/state write failed/) });
    expect(store.queues.get(holdKey("RX1", "epr"))).toEqual([]);
    expect(item(states)).toEqual(draining());
  });

  it("an interruption between the bus's answer and the delete: nothing lost, repeats carry the same ids", async () => {
    const { store, deps, sender, clock, states } = setup({ state: draining(), rate: 10 });
    await hold(30, store);
    const abort = new AbortController();
    const send = sender.send.bind(sender);
    sender.send = async (endpoint, events) => {
      const answers = await send(endpoint, events);
      if (sender.sentIds.length >= 20) abort.abort();
      return answers;
    };
    const report = await drainHolds(deps(clock, { signal: abort.signal }));
    expect(report.endpoints[0]).toMatchObject({ stopped: "interrupted", sent: 20, drained: 10 });
    store.release();
    await drainHolds(deps(clock.invocation(clock.at + 60_000)));
    expect(new Set(sender.sentIds)).toEqual(new Set(ids(1, 30)));
    expect(sender.sentIds).toEqual([...ids(1, 20), ...ids(11, 30)]);
    expect(item(states)).toMatchObject({ phase: "closing", drained: 30 });
  });

  it("the trust is disabled (10.0): held deliveries are filtered unsent, and the hold closes", async () => {
    const { store, deps, states, sender } = setup({ state: draining() });
    await hold(12, store);
    sender.plans.set(holdKey("RX1", "epr"), { kind: "filter", reason: "trust RX1 is disabled (kill switch)", spans: [] });
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ filtered: 12, sent: 0, to: "closing" });
    expect(sender.sends).toEqual([]);
    expect(item(states)?.drained).toBe(0);
  });

  it("the document is unavailable: nothing sent or filtered, the item waits", async () => {
    const { store, deps, states, sender } = setup({ state: draining() });
    await hold(2, store);
    sender.plans.set(holdKey("RX1", "epr"), { kind: "unavailable", reason: "S3 timeout" });
    await drainHolds(deps());
    expect(sender.sends).toEqual([]);
    expect(store.queues.get(holdKey("RX1", "epr"))).toHaveLength(2);
    expect(item(states)).toEqual(draining());
  });
});

describe("10.12 no new delivery overtakes a held one: closing before delete", () => {
  it("found empty → closing with sendFrom = emptyAt + HOLD_CLOSING_MS; what queued meanwhile is sent; deleted only after sendFrom and the settle time, empty again", async () => {
    const { store, deps, states, sender, clock, notices } = setup({ state: holdState({ phase: "draining", drainStartedAt: iso(T0) }), rate: 10 });
    await hold(3, store);
    await drainHolds(deps());
    const closing = item(states)!;
    expect(closing).toMatchObject({ phase: "closing", drained: 3 });
    expect(Date.parse(closing.sendFrom!) - Date.parse(closing.emptyAt!)).toBe(HOLD_CLOSING_MS);

    // Before sendFrom: a delivery the Lambdas still queued is sent; the item stays.
    await store.append([{ endpoint: ENDPOINT, cloudEvent: event(4) }]);
    await drainHolds(deps(clock.invocation(Date.parse(closing.sendFrom!) - 1000)));
    expect(sender.sentIds).toEqual(ids(1, 4));
    expect(item(states)?.phase).toBe("closing");
    expect([...notices.notices.values()].filter((n) => n.kind === "hold-drained")).toEqual([]);

    // After sendFrom but within the store's visibility timeout of emptyAt: not yet (a delivery in flight then may come back).
    await store.append([{ endpoint: ENDPOINT, cloudEvent: event(5) }]);
    await drainHolds(deps(clock.invocation(Date.parse(closing.sendFrom!) + 1000)));
    expect(sender.sentIds).toEqual(ids(1, 5));
    expect(item(states)?.phase).toBe("closing");

    // After sendFrom and DRAIN_EMPTY_SETTLE_MS, empty once more: the item is deleted.
    await store.append([{ endpoint: ENDPOINT, cloudEvent: event(6) }]);
    const final = await drainHolds(deps(clock.invocation(Date.parse(closing.emptyAt!) + DRAIN_EMPTY_SETTLE_MS)));
    expect(final.endpoints[0]).toMatchObject({ to: "deleted" });
    expect(sender.sentIds).toEqual(ids(1, 6));
    expect(item(states)).toBeUndefined();
  });

  it("deliveries in flight elsewhere are not 'empty': the item stays draining", async () => {
    const { store, deps, states } = setup({ state: holdState({ phase: "draining" }) });
    await hold(2, store);
    await store.receive(ENDPOINT, 10); // another drain holds them in flight
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ stopped: "in-flight", to: "draining" });
    expect(item(states)?.phase).toBe("draining");
  });

  it("a resume inside a window still active keeps the item (closing, sendFrom passed) until the window ends", async () => {
    const span = { from: iso(T0 - 7_200_000), until: iso(T0 + 7_200_000), reason: "planned" };
    const { deps, states, clock } = setup({
      spans: [span],
      state: holdState({ source: "schedule", phase: "closing", resumedAt: iso(T0 - 600_000), resumedBy: "alice", emptyAt: iso(T0 - 60_000), sendFrom: iso(T0 - 30_000) }),
    });
    await drainHolds(deps());
    expect(item(states)?.phase).toBe("closing");
    await drainHolds(deps(clock.invocation(T0 + 7_200_000 + 1000)));
    expect(item(states)).toBeUndefined();
  });
});

describe("held → draining: when a hold ends", () => {
  const cases: { name: string; state: Partial<HoldStateInput>; spans: HoldWindow[]; at: number; phase: HoldState["phase"] }[] = [
    { name: "ad-hoc with until passed", state: { until: iso(T0 - 1) }, spans: [], at: T0, phase: "closing" },
    { name: "ad-hoc with until ahead", state: { until: iso(T0 + 60_000) }, spans: [], at: T0, phase: "held" },
    { name: "ad-hoc without until", state: {}, spans: [], at: T0, phase: "held" },
    { name: "schedule whose window is over", state: { source: "schedule", heldBy: "schedule" }, spans: [{ from: iso(T0 - 7_200_000), until: iso(T0 - 1), reason: "planned" }], at: T0, phase: "closing" },
    { name: "schedule whose window is active", state: { source: "schedule", heldBy: "schedule" }, spans: [{ from: iso(T0 - 7_200_000), until: iso(T0 + 1), reason: "planned" }], at: T0, phase: "held" },
    { name: "ad-hoc with until passed inside an active window", state: { until: iso(T0 - 1) }, spans: [{ from: iso(T0 - 7_200_000), until: iso(T0 + 60_000), reason: "planned" }], at: T0, phase: "held" },
  ];
  it.each(cases)("$name → $phase", async ({ state, spans, phase }) => {
    const { deps, states } = setup({ state: holdState(state), spans });
    await drainHolds(deps());
    expect(item(states)?.phase).toBe(phase);
  });
});

describe("10.13 every transition is a conditional write; two drains never both act", () => {
  it("two drains at once send each delivery once", async () => {
    const { store, deps, sender } = setup({ state: holdState({ phase: "draining" }), rate: 10 });
    await hold(40, store);
    await Promise.all([drainHolds(deps()), drainHolds(deps())]);
    expect(sender.sentIds).toEqual(ids(1, 40));
  });

  it("a transition that loses the race leaves the winner's item", async () => {
    const { deps, states } = setup({ state: holdState({ until: iso(T0 - 1) }) });
    const put = states.put.bind(states);
    states.put = async (next, expected) => {
      // An operator's write lands between the drain's read and its write.
      await put({ ...item(states)!, reason: "extended by alice", until: iso(T0 + 3_600_000) }, item(states)!.version);
      states.put = put;
      return put(next, expected);
    };
    const report = await drainHolds(deps());
    expect(report.endpoints[0]).toMatchObject({ to: "held", note: expect.stringMatching(/lost the race/) });
    expect(item(states)).toMatchObject({ phase: "held", reason: "extended by alice", version: 2 });
  });
});

describe("10.14 a window active again holds again", () => {
  const span = { from: iso(T0 - 60_000), until: iso(T0 + 3_600_000), reason: "second window" };
  it.each(["draining", "closing"] as const)("%s → held, with a new heldAt", async (phase) => {
    const { store, deps, states, sender, notices } = setup({ state: holdState({ phase, sendFrom: iso(T0 + 10_000), emptyAt: iso(T0 - 20_000) }), spans: [span] });
    await hold(3, store);
    await drainHolds(deps());
    expect(sender.sends).toEqual([]);
    expect(item(states)).toMatchObject({ phase: "held", source: "schedule", heldAt: iso(T0), until: span.until, reason: "second window" });
    expect(notices.notices.get(`hold-started#RX1#epr#${iso(T0)}`)).toBeDefined();
  });

  it("not when a resume inside that window ended it early", async () => {
    const { deps, states } = setup({ state: holdState({ phase: "draining", resumedAt: iso(T0 - 30_000), resumedBy: "alice" }), spans: [span] });
    await drainHolds(deps());
    expect(item(states)?.phase).not.toBe("held");
  });
});

describe("10.15 each change of a hold is one notice", () => {
  it("started, ended and drained are each recorded once however many sweeps observe them, naming trust, endpoint, counts and times", async () => {
    const heldAt = iso(T0 - 3_600_000);
    const until = iso(T0 + 120_000);
    const { store, deps, notices, clock, states } = setup({ state: holdState({ until }), rate: 10 });
    await hold(7, store);
    await drainHolds(deps());
    await drainHolds(deps(clock.invocation(T0 + 60_000)));
    let sweepAt = T0 + 180_000;
    for (let sweep = 0; sweep < 5 && item(states); sweep++, sweepAt += 60_000) await drainHolds(deps(clock.invocation(sweepAt)));
    expect(item(states)).toBeUndefined();
    const kinds = [...notices.notices.values()].map((n) => n.kind);
    expect(kinds.sort()).toEqual(["hold-drained", "hold-ended", "hold-started"]);
    expect(notices.notices.get(`hold-started#RX1#epr#${heldAt}`)).toMatchObject({ trustId: "RX1", endpointId: "epr", at: heldAt, until, reason: "EPR upgrade CHG1" });
    expect(notices.notices.get(`hold-ended#RX1#epr#${heldAt}`)).toMatchObject({ at: iso(T0 + 180_000), counts: { held: 7 } });
    expect(notices.notices.get(`hold-drained#RX1#epr#${heldAt}`)).toMatchObject({ counts: { drained: 7 } });
  });

  it("a failed notice write keeps the transition and is recorded at the next sweep, still once", async () => {
    const { deps, notices, clock } = setup({ state: holdState({ until: iso(T0 - 1) }) });
    notices.failNext(failed("later", "throttled")).failNext(failed("later", "throttled")).failNext(failed("later", "throttled"));
    await drainHolds(deps());
    await drainHolds(deps(clock.invocation(T0 + 60_000)));
    const started = [...notices.notices.values()].filter((n) => n.kind === "hold-started");
    const ended = [...notices.notices.values()].filter((n) => n.kind === "hold-ended");
    expect(started).toHaveLength(1);
    expect(ended).toHaveLength(1);
  });

  it("notices never carry content", async () => {
    const { store, deps, notices, clock } = setup({ state: holdState({ until: iso(T0 - 1) }), rate: 10 });
    await hold(2, store);
    await drainHolds(deps());
    await drainHolds(deps(clock.invocation(T0 + HOLD_CLOSING_MS + 60_000)));
    const text = JSON.stringify([...notices.notices.values()]);
    expect(text).not.toMatch(/ev-1|ce-epr/);
  });
});

describe("a sweep over many endpoints", () => {
  it("drains each endpoint's store into its own deliveries only, and a table it cannot list does nothing", async () => {
    const other: EndpointRef = { trustId: "RX2", endpointId: "pas" };
    const { store, deps, states, sender } = setup({ state: holdState({ phase: "draining" }), rate: 10 });
    await states.put(holdState({ ...other, phase: "draining" }), undefined);
    await hold(3, store);
    await hold(3, store, other);
    states.failNext("list");
    expect(await drainHolds(deps())).toMatchObject({ endpoints: [], failed: "injected" });
    await drainHolds(deps());
    expect(sender.sentIds.sort()).toEqual([...ids(1, 3), ...[1, 2, 3].map((n) => event(n, other).id)].sort());
  });
});
