import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { failed, notFound, PermanentError, TransientError, type Failed, type Result } from "@trust-callbacks/runtime";
import { HoldState, holdKey, type CallbackCloudEvent, type HoldStateInput, type TrustConfig } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "../../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../../testing/fixtures.ts";
import { InMemoryHoldStates, InMemoryHoldStore } from "../../testing/holds.ts";
import { boundConfig } from "../filter.ts";
import type { EndpointRef, HeldDelivery } from "../hold-ports.ts";
import { processBatch, type ProcessorDeps } from "../process-batch.ts";
import type { PublishResult } from "../ports.ts";

/** docs/guarantees.md 10.1-10.7: the transform core's hold path, through `processBatch` with the shared stand-ins. */

const NOW = new Date("2026-11-22T10:00:00Z");
const state = (endpointId: string, overrides: Partial<HoldStateInput> = {}): HoldState =>
  HoldState.parse({
    trustId: "RX1",
    endpointId,
    phase: "held",
    source: "adhoc",
    reason: "EPR upgrade",
    heldAt: "2026-11-22T09:00:00Z",
    heldBy: "arn:aws:sts::123456789012:assumed-role/support/alice",
    version: 1,
    ...overrides,
  });
const window = (from: string, until: string, reason = "EPR upgrade CHG1") => ({ from, until, reason });

function setup(configs: TrustConfig[], states: HoldState[] = []) {
  const keyProvider = new LocalKeyProvider();
  const sealer = new EventSealer(keyProvider);
  const secrets = new InMemorySecrets();
  for (const config of configs) for (const endpoint of config.endpoints) secrets.values.set(endpoint.signingSecret, newSigningSecret());
  const publisher = new RecordingPublisher();
  const quarantine = new MemoryQuarantine();
  const holdStates = new InMemoryHoldStates(states);
  const holdStore = new InMemoryHoldStore();
  const deps: ProcessorDeps = {
    keys: keyProvider,
    subscriptions: new InMemorySubscriptions(configs),
    secrets,
    publisher,
    quarantine,
    logger: silentLogger(),
    sleep: async () => {},
    now: () => NOW,
    holds: { states: holdStates, store: holdStore },
  };
  const send = (trustId = "RX1", count = 1) =>
    Array.from({ length: count }, () => kinesisRecord(sealer.seal(plainMessageCreated(trustId))));
  return { deps, publisher, quarantine, holdStates, holdStore, send };
}

const heldIn = (store: InMemoryHoldStore, endpointId: string, trustId = "RX1"): CallbackCloudEvent[] =>
  (store.queues.get(holdKey(trustId, endpointId)) ?? []).map((delivery) => delivery.cloudEvent);
const busEndpoints = (publisher: RecordingPublisher) => publisher.published.map((entry) => JSON.parse(entry.Detail).event.endpointid as string);

describe("10.1 a delivery to a held endpoint goes to its hold store, never the bus, as the very CloudEvent", () => {
  it("holds ep1's delivery and sends ep2's, in one batch; the held CloudEvent is the one the bus entry would carry", async () => {
    const configs = [trustConfig("RX1", [{}, { payloadProfile: "minimal" }])];
    const held = setup(configs, [state("ep1")]);
    const records = held.send("RX1", 1);
    const result = await processBatch(records, held.deps, TEST_SETTINGS);

    expect(result.outcomes.map((outcome) => outcome.state)).toEqual(["published"]);
    expect(result.outcomes[0]!.deliveries).toEqual([
      expect.objectContaining({ endpointId: "ep1", state: "published", held: true }),
      expect.objectContaining({ endpointId: "ep2", state: "published" }),
    ]);
    expect(result.outcomes[0]!.deliveries[1]!.held).toBeUndefined();
    expect(result.counts).toMatchObject({ deliveriesHeld: 1, deliveriesPublished: 1, published: 1 });
    expect(busEndpoints(held.publisher)).toEqual(["ep2"]);

    // The same record, nothing held: what ep1's bus entry carries is exactly what the store kept.
    const sent = setup(configs);
    await processBatch(records, { ...sent.deps, secrets: held.deps.secrets, keys: held.deps.keys }, TEST_SETTINGS);
    const ep1Entry = sent.publisher.published.map((entry) => JSON.parse(entry.Detail).event).find((event) => event.endpointid === "ep1");
    expect(heldIn(held.holdStore, "ep1")).toEqual([ep1Entry]);
    expect(heldIn(held.holdStore, "ep1")[0]!.data).toMatchObject({ text: "Patient in bay 4 needs review" });
  });

  it("keeps held deliveries in the order of the batch", async () => {
    const { deps, holdStore, send } = setup([trustConfig("RX1")], [state("ep1")]);
    const records = send("RX1", 25);
    await processBatch(records, deps, TEST_SETTINGS);
    const sourceIds = records.map((record) => JSON.parse(Buffer.from(record.data, "base64").toString()).eventId);
    expect(heldIn(holdStore, "ep1").map((event) => (event.data as { sourceEventId: string }).sourceEventId)).toEqual(sourceIds);
  });

  // holdDecision's cases, each the one place its delivery ends (bus or store).
  const cases: [string, Partial<HoldStateInput> | undefined, ReturnType<typeof window>[], "store" | "bus"][] = [
    ["ad-hoc hold", {}, [], "store"],
    ["draining", { phase: "draining", drainStartedAt: "2026-11-22T09:59:00Z" }, [], "store"],
    ["closing before sendFrom", { phase: "closing", emptyAt: "2026-11-22T09:59:50Z", sendFrom: "2026-11-22T10:00:20Z" }, [], "store"],
    ["closing after sendFrom", { phase: "closing", emptyAt: "2026-11-22T09:59:00Z", sendFrom: "2026-11-22T09:59:30Z" }, [], "bus"],
    ["active window", undefined, [window("2026-11-22T09:00:00Z", "2026-11-22T12:00:00Z")], "store"],
    ["window resumed inside it", { phase: "closing", source: "schedule", emptyAt: "2026-11-22T09:30:00Z", sendFrom: "2026-11-22T09:31:00Z", resumedAt: "2026-11-22T09:20:00Z" }, [window("2026-11-22T09:00:00Z", "2026-11-22T12:00:00Z")], "bus"],
    ["window not yet begun", undefined, [window("2026-11-22T11:00:00Z", "2026-11-22T12:00:00Z")], "bus"],
    ["window over", undefined, [window("2026-11-22T08:00:00Z", "2026-11-22T10:00:00Z")], "bus"],
    ["no hold", undefined, [], "bus"],
  ];
  it.each(cases.map(([name, overrides, holds, where]) => [`${name}: the delivery goes to the ${where}`, overrides, holds, where] as const))("%s", async (_name, overrides, holds, where) => {
    const { deps, publisher, holdStore, send } = setup([trustConfig("RX1", [{ holds }])], overrides ? [state("ep1", overrides)] : []);
    const result = await processBatch(send(), deps, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe("published");
    expect({ store: heldIn(holdStore, "ep1").length, bus: publisher.published.length }).toEqual(where === "store" ? { store: 1, bus: 0 } : { store: 0, bus: 1 });
  });

  it("holds every endpoint of a trust whose own windows hold it", async () => {
    const { deps, publisher, holdStore, send } = setup([trustConfig("RX1", [{}, {}], { holds: [window("2026-11-22T09:00:00Z", "2026-11-22T11:00:00Z")] })]);
    await processBatch(send(), deps, TEST_SETTINGS);
    expect([heldIn(holdStore, "ep1").length, heldIn(holdStore, "ep2").length, publisher.published.length]).toEqual([1, 1, 0]);
  });

  it("without holds in its deps holds nothing", async () => {
    const { deps, publisher, send } = setup([trustConfig("RX1")], [state("ep1")]);
    const { holds: _unused, ...withoutHolds } = deps;
    await processBatch(send(), withoutHolds, TEST_SETTINGS);
    expect(publisher.published).toHaveLength(1);
  });
});

/** A store whose append answers come from `plan` (per call); throws when the plan says so. */
class PlannedHoldStore extends InMemoryHoldStore {
  constructor(private readonly plan: (call: number) => Failed | "throw-transient" | "throw-permanent" | "accept") {
    super();
  }
  override async append(deliveries: readonly HeldDelivery[]): Promise<PublishResult[]> {
    const answer = this.plan(this.appendCalls);
    if (answer === "accept") return super.append(deliveries);
    this.appendCalls += 1;
    if (answer === "throw-transient") throw new TransientError("SQS: injected throttling");
    if (answer === "throw-permanent") throw new PermanentError("SQS: QueueDoesNotExist");
    return deliveries.map(() => answer);
  }
}

describe("10.2 each hold-store fault ends the record in one state, as the same PutEvents failure would", () => {
  const rows: [string, (call: number) => Failed | "throw-transient" | "throw-permanent" | "accept", "published" | "retry" | "quarantined", number][] = [
    ["accepted → published (held)", () => "accept", "published", 1],
    ["now, then accepted → published", (call) => (call === 0 ? failed("now", "RequestThrottled") : "accept"), "published", 2],
    ["now on every attempt → retry", () => failed("now", "RequestThrottled"), "retry", TEST_SETTINGS.publishAttempts],
    ["later → retry", () => failed("later", "KmsAccessDenied"), "retry", 1],
    ["never → quarantined", () => failed("never", "InvalidMessageContents"), "quarantined", 1],
    ["throws transient, then accepted → published", (call) => (call === 0 ? "throw-transient" : "accept"), "published", 2],
    ["throws transient every time → retry", () => "throw-transient", "retry", TEST_SETTINGS.publishAttempts],
    ["throws permanent → retry, never quarantined", () => "throw-permanent", "retry", 1],
  ];
  it.each(rows)("%s", async (_name, plan, expected, appendCalls) => {
    const { deps, publisher, quarantine, send } = setup([trustConfig("RX1", [{}, {}])], [state("ep1")]);
    const store = new PlannedHoldStore(plan);
    const result = await processBatch(send(), { ...deps, holds: { states: deps.holds!.states, store } }, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe(expected);
    expect(store.appendCalls).toBe(appendCalls);
    expect(result.batchItemFailures).toHaveLength(expected === "retry" ? 1 : 0);
    expect(quarantine.entries).toHaveLength(expected === "quarantined" ? 1 : 0);
    // A held delivery to retry: nothing of the record goes on the bus now (its retry would repeat it).
    if (expected === "retry") expect(publisher.published).toEqual([]);
    if (expected === "published") expect(busEndpoints(publisher)).toEqual(["ep2"]);
  });

  it("a bus failure of a record with a held delivery ends it like any other record (retry), its held delivery kept once", async () => {
    const { deps, publisher, holdStore, send } = setup([trustConfig("RX1", [{}, {}])], [state("ep1")]);
    publisher.plan = () => ({ errorCode: "AccessDeniedException" });
    const records = send();
    const first = await processBatch(records, deps, TEST_SETTINGS);
    expect(first.outcomes[0]!.state).toBe("retry");
    publisher.plan = () => "accept";
    const second = await processBatch(records, deps, TEST_SETTINGS);
    expect(second.outcomes[0]!.state).toBe("published");
    expect(heldIn(holdStore, "ep1")).toHaveLength(1); // deduplicated by CloudEvent id
  });
});

describe("10.3 a window's first held delivery writes the endpoint's hold state", () => {
  const holds = [window("2026-11-22T09:00:00Z", "2026-11-22T12:00:00Z", "EPR upgrade CHG1")];

  it("writes one schedule state per endpoint per batch, then appends", async () => {
    const { deps, holdStates, holdStore, send } = setup([trustConfig("RX1", [{ holds }])]);
    let puts = 0;
    const put = holdStates.put.bind(holdStates);
    holdStates.put = (...args) => ((puts += 1), put(...args));
    const result = await processBatch(send("RX1", 3), deps, TEST_SETTINGS);
    expect(result.outcomes.map((outcome) => outcome.state)).toEqual(["published", "published", "published"]);
    expect(puts).toBe(1);
    expect(holdStates.items.get("RX1#ep1")).toEqual(
      state("ep1", { source: "schedule", heldBy: "schedule", reason: "EPR upgrade CHG1", heldAt: "2026-11-22T09:00:00Z", until: "2026-11-22T12:00:00Z", version: 1 }),
    );
    expect(heldIn(holdStore, "ep1")).toHaveLength(3);
  });

  it("leaves another writer's state as it is and still holds", async () => {
    const { deps, holdStates, holdStore, send } = setup([trustConfig("RX1", [{ holds }])]);
    const theirs = state("ep1", { reason: "operator" });
    holdStates.put = async () => notFound("RX1#ep1 has a hold already"); // the race lost to an operator's hold
    holdStates.items.set("RX1#ep1", theirs);
    // Read before the operator wrote: the batch sees no state.
    holdStates.getMany = async (endpoints: readonly EndpointRef[]) => new Map(endpoints.map((e) => [holdKey(e.trustId, e.endpointId), notFound("none") as Result<HoldState>]));
    const result = await processBatch(send(), deps, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe("published");
    expect(holdStates.items.get("RX1#ep1")).toEqual(theirs);
    expect(heldIn(holdStore, "ep1")).toHaveLength(1);
  });

  it("retries the record, holding and sending nothing, when the state cannot be written", async () => {
    const { deps, holdStates, holdStore, publisher, send } = setup([trustConfig("RX1", [{ holds }, {}])]);
    holdStates.failNext("put", failed("now", "ThrottlingException"));
    const result = await processBatch(send(), deps, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe("retry");
    expect(holdStore.appendCalls).toBe(0);
    expect(publisher.published).toEqual([]);
  });
});

describe("10.4 hold states are read once per batch for the endpoints not cached; a warm batch reads none", () => {
  it("reads every endpoint of a batch in one getMany", async () => {
    const { deps, holdStates, send } = setup([trustConfig("RX1", [{}, {}]), trustConfig("RX2", [{}])]);
    await processBatch([...send("RX1", 5), ...send("RX2", 5)], deps, TEST_SETTINGS);
    expect(holdStates.getManyCalls).toBe(1);
  });

  it("asks getMany only for what `cached` does not answer, and not at all when it answers every endpoint", async () => {
    const { deps, holdStates, holdStore, send } = setup([trustConfig("RX1", [{}, {}])], [state("ep1")]);
    const asked: string[][] = [];
    const getMany = holdStates.getMany.bind(holdStates);
    holdStates.getMany = (endpoints) => (asked.push(endpoints.map((e) => e.endpointId)), getMany(endpoints));
    Object.assign(holdStates, { cached: (endpoint: EndpointRef) => (endpoint.endpointId === "ep1" ? { status: "found", value: state("ep1") } : undefined) });
    await processBatch(send("RX1", 2), deps, TEST_SETTINGS);
    expect(asked).toEqual([["ep2"]]);
    expect(heldIn(holdStore, "ep1")).toHaveLength(2);

    Object.assign(holdStates, { cached: (endpoint: EndpointRef) => (endpoint.endpointId === "ep1" ? { status: "found", value: state("ep1") } : notFound("none")) });
    await processBatch(send("RX1", 2), deps, TEST_SETTINGS);
    expect(asked).toHaveLength(1);
  });
});

describe("10.5 a switched-off trust or endpoint is filtered, held or not", () => {
  it.each([
    ["trust switched off", trustConfig("RX1", [{}], { enabled: false, holds: [window("2026-11-22T09:00:00Z", "2026-11-22T11:00:00Z")] })],
    ["endpoint switched off", trustConfig("RX1", [{ enabled: false, holds: [window("2026-11-22T09:00:00Z", "2026-11-22T11:00:00Z")] }])],
  ])("%s: filtered, nothing held, no hold state read or written", async (_name, config) => {
    const { deps, holdStates, holdStore, send } = setup([config], [state("ep1")]);
    const result = await processBatch(send(), deps, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe("filtered");
    expect([holdStates.getManyCalls, holdStore.appendCalls]).toEqual([0, 0]);
  });
});

describe("10.6 a hold state that cannot be read hands the record back: nothing sent on a guess", () => {
  it.each([
    ["read failed (later)", (states: InMemoryHoldStates) => states.failNext("getMany", failed("later", "AccessDenied"))],
    ["read failed (never)", (states: InMemoryHoldStates) => states.failNext("getMany", failed("never", "ValidationException"))],
    ["read threw", (states: InMemoryHoldStates) => void (states.getMany = async () => { throw new TransientError("DynamoDB: timeout"); })],
    ["endpoint not answered", (states: InMemoryHoldStates) => void (states.getMany = async () => new Map())],
  ])("%s → retry, nothing on the bus or in the store", async (_name, fault) => {
    const { deps, holdStates, holdStore, publisher, quarantine, send } = setup([trustConfig("RX1", [{}, {}])]);
    fault(holdStates);
    const result = await processBatch(send(), deps, TEST_SETTINGS);
    expect(result.outcomes[0]!.state).toBe("retry");
    expect([publisher.published.length, holdStore.appendCalls, quarantine.entries.length]).toEqual([0, 0, 0]);
  });
});

describe("10.7 windows follow the current document", () => {
  it("a bound conversation's document takes the current trust's and endpoints' windows", () => {
    const bound = trustConfig("RX1", [{}]);
    const current = trustConfig("RX1", [{ holds: [window("2026-11-22T09:00:00Z", "2026-11-22T11:00:00Z", "ep")] }], {
      holds: [window("2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z", "trust")],
    });
    const filtered = boundConfig(bound, current);
    expect(filtered.holds).toEqual(current.holds);
    expect(filtered.endpoints[0]!.holds).toEqual(current.endpoints[0]!.holds);
    expect(boundConfig(current, bound).holds).toEqual([]);
  });
});

describe("10.1, 10.2, 10.6 under random batches: held or sent, one state per record", () => {
  type StoreAnswer = "accept" | "now" | "later" | "never";
  const TRUSTS = ["RX1", "RX2", "RX3"] as const;

  it("ends each record in the one state its deliveries' fates call for; held deliveries never reach the bus, nothing twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(0, 1, 2), { minLength: 1, maxLength: 30 }),
        fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
        fc.array(fc.constantFrom<StoreAnswer>("accept", "accept", "now", "later", "never"), { minLength: 3, maxLength: 3 }),
        fc.boolean(),
        async (trustOfRecord, heldEndpoints, storeAnswers, readFails) => {
          const configs = TRUSTS.map((trust) => trustConfig(trust, [{}, {}]));
          const states = TRUSTS.flatMap((trust, t) =>
            [0, 1].flatMap((e) => (heldEndpoints[t * 2 + e] ? [state(`ep${e + 1}`, { trustId: trust })] : [])),
          );
          const { deps, publisher, quarantine } = setup(configs, states);
          if (readFails) (deps.holds!.states as InMemoryHoldStates).failNext("getMany", failed("later", "injected"));
          const store = new (class extends InMemoryHoldStore {
            override async append(deliveries: readonly HeldDelivery[]): Promise<PublishResult[]> {
              const accepted = await super.append(deliveries.filter((d) => storeAnswers[TRUSTS.indexOf(d.endpoint.trustId as (typeof TRUSTS)[number])] === "accept"));
              let next = 0;
              return deliveries.map((delivery) => {
                const answer = storeAnswers[TRUSTS.indexOf(delivery.endpoint.trustId as (typeof TRUSTS)[number])]!;
                return answer === "accept" ? accepted[next++]! : failed(answer, "injected");
              });
            }
          })();
          const sealer = new EventSealer(deps.keys as LocalKeyProvider);
          const records = trustOfRecord.map((t) => kinesisRecord(sealer.seal(plainMessageCreated(TRUSTS[t]!))));
          const result = await processBatch(records, { ...deps, holds: { states: deps.holds!.states, store } }, TEST_SETTINGS);

          result.outcomes.forEach((outcome, i) => {
            const t = trustOfRecord[i]!;
            const fates = [0, 1].map((e) => {
              if (readFails) return "retry";
              if (!heldEndpoints[t * 2 + e]) return "published";
              const answer = storeAnswers[t]!;
              return answer === "accept" ? "published" : answer === "never" ? "quarantined" : "retry";
            });
            const expected = fates.includes("retry") ? "retry" : fates.includes("quarantined") ? "quarantined" : "published";
            expect(outcome.state, `record ${i} of ${TRUSTS[t]}`).toBe(expected);
          });
          expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(result.outcomes.filter((o) => o.state === "retry").map((o) => o.recordId));
          const onBus = publisher.published.map((entry) => JSON.parse(entry.Detail).event as CallbackCloudEvent);
          expect(new Set(onBus.map((event) => event.id)).size).toBe(onBus.length);
          for (const event of onBus) expect(heldEndpoints[TRUSTS.indexOf(event.trustid as (typeof TRUSTS)[number]) * 2 + (event.endpointid === "ep2" ? 1 : 0)]).toBe(false);
          const inStores = [...store.queues.values()].flat().map((delivery) => delivery.cloudEvent.id);
          expect(new Set(inStores).size).toBe(inStores.length);
          expect(quarantine.entries.map((entry) => entry.eventID).sort()).toEqual(result.outcomes.filter((o) => o.state === "quarantined").map((o) => o.recordId).sort());
          expect(result.counts.deliveriesHeld).toBe(result.outcomes.flatMap((o) => o.deliveries).filter((d) => d.held).length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
