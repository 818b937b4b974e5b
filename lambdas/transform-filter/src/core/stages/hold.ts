import { heldSpans, holdDecision, holdKey, type CallbackCloudEvent, type HoldState, type HoldWindow } from "@trust-callbacks/schemas";
import { describeError, failed, failureOf, type Result } from "@trust-callbacks/runtime";
import type { EndpointRef, HeldDelivery, HoldStateStore, HoldStore } from "../hold-ports.ts";
import type { PublishResult } from "../ports.ts";
import {
  fateOfDeliveries,
  isSettled,
  type DecidedRecord,
  type RoutedRecord,
  type SettledDelivery,
  type SignedDelivery,
  type SignedRecord,
  type StageResult,
} from "./batch.ts";

/**
 * Hold: the deliveries of held endpoints go to their hold stores instead of the bus (docs/adr/0002-holds.md;
 * docs/guarantees.md 10.1-10.7). Between `sign` and `publish`: a held delivery is the very CloudEvent its bus entry
 * carries (same filtering, profile and id), kept unsigned (the drain signs it afresh when it sends it).
 */

/** The hold ports the transform core uses (`ProcessorDeps.holds`). */
export interface HoldDeps {
  states: HoldStateStore;
  store: HoldStore;
}

/** Each endpoint of the batch's hold state, by `holdKey`: found (a hold), not found (none), or failed. */
export type HoldStates = ReadonlyMap<string, Result<HoldState>>;

/**
 * The hold state of every endpoint the routed records go to: what `cached` has at hand, and one `getMany` for the
 * rest (none in a warm batch). A read that throws, or an endpoint the store leaves unanswered, answers failed: the
 * hold stage then sends nothing of its records on a guess (10.6).
 */
export async function readHoldStates(
  records: readonly Pick<RoutedRecord, "event" | "endpoints">[],
  states: HoldStateStore,
): Promise<HoldStates> {
  const answers = new Map<string, Result<HoldState>>();
  const misses: EndpointRef[] = [];
  for (const record of records) {
    const { trustId } = record.event;
    for (const endpoint of record.endpoints) {
      const key = holdKey(trustId, endpoint.id);
      if (answers.has(key)) continue;
      let hit: Result<HoldState> | undefined;
      try {
        hit = states.cached?.({ trustId, endpointId: endpoint.id });
      } catch (error) {
        hit = failureOf(error);
      }
      // A miss is marked with a placeholder, replaced by the read below, so each endpoint is asked for once.
      answers.set(key, hit ?? NOT_READ);
      if (!hit) misses.push({ trustId, endpointId: endpoint.id });
    }
  }
  if (misses.length === 0) return answers;
  let read: Map<string, Result<HoldState>>;
  try {
    read = await states.getMany(misses);
  } catch (error) {
    read = new Map();
    const failure = failureOf(error);
    for (const { trustId, endpointId } of misses) read.set(holdKey(trustId, endpointId), failure);
  }
  for (const { trustId, endpointId } of misses) {
    const key = holdKey(trustId, endpointId);
    answers.set(key, read.get(key) ?? failed("later", "the hold state store did not answer for this endpoint"));
  }
  return answers;
}

const NOT_READ = failed("later", "hold state not read");
const NO_WINDOWS: readonly HoldWindow[] = [];

export interface HoldOptions {
  /** The time every delivery of the batch is decided at (the batch's signing time). */
  now: Date;
  /** Attempts within one invocation for deliveries the store says to append again now (as for PutEvents). */
  publishAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Milliseconds left before the invocation times out; backoff stops when it runs low. */
  remainingTimeMs?: () => number;
}

export interface HoldStageResult extends StageResult<SignedRecord> {
  /** Hold store calls made (one `append` per attempt). */
  holdStoreCalls: number;
}

/** Time kept in hand after the last backoff, to publish, quarantine and report before the invocation times out. */
const TIME_TO_FINISH_MS = 5000;

interface Held {
  record: SignedRecord;
  delivery: SignedDelivery;
  ref: EndpointRef;
}

/**
 * Decides each signed delivery with `holdDecision` (its trust's and endpoint's windows merged, and its hold state):
 * - hold state unavailable: the record is retried, none of its deliveries sent or held (10.6);
 * - held by a window with no hold state: one `schedule` state written per endpoint, conditional on absence, before
 *   anything is appended; if it cannot be written, the record is retried (10.3);
 * - held: appended to its store, all of the batch in one `append` (in batch order), answers read like PutEvents'
 *   (accepted: published, counted held; `now`: appended again with backoff while attempts and time remain, then
 *   retry; `later` or a call that throws for good: retry; `never`: quarantined) (10.2);
 * - a record with a held delivery to retry is decided now and none of its deliveries goes on the bus; every other
 *   record goes on to `publish` with its held deliveries settled.
 */
export async function hold(
  records: readonly SignedRecord[],
  states: HoldStates,
  deps: HoldDeps,
  trustHolds: ReadonlyMap<number, readonly HoldWindow[]>,
  options: HoldOptions,
): Promise<HoldStageResult> {
  const result: HoldStageResult = { decided: [], next: [], holdStoreCalls: 0 };
  const retryReason = new Map<SignedRecord, string>();
  const heldOf = new Map<SignedRecord, Held[]>();
  /** Endpoints a window holds that have no hold state yet: the state to write, and the records waiting on it. */
  const toWrite = new Map<string, { state: HoldState; records: SignedRecord[] }>();

  for (const record of records) {
    const { trustId } = record.event;
    const windows = trustHolds.get(record.position) ?? NO_WINDOWS;
    for (const delivery of record.deliveries) {
      if (isSettled(delivery)) continue;
      const key = holdKey(trustId, delivery.endpoint.id);
      const answer = states.get(key) ?? NOT_READ;
      if (answer.status === "failed") {
        if (!retryReason.has(record)) retryReason.set(record, `hold state of ${key} unavailable: ${answer.reason}`);
        continue;
      }
      const endpointWindows = delivery.endpoint.holds;
      const spans = windows.length === 0 && endpointWindows.length === 0 ? NO_WINDOWS : heldSpans(windows, endpointWindows);
      const state = answer.status === "found" ? answer.value : undefined;
      const decision = holdDecision(spans, state, options.now);
      if (!decision.held) continue;
      const held = heldOf.get(record) ?? [];
      heldOf.set(record, held);
      held.push({ record, delivery, ref: { trustId, endpointId: delivery.endpoint.id } });
      if (decision.because === "window" && !state) {
        const pending = toWrite.get(key);
        if (pending) pending.records.push(record);
        else toWrite.set(key, { state: scheduleState(trustId, delivery.endpoint.id, decision.span), records: [record] });
      }
    }
  }

  // 10.3: the window's hold state, written before anything is held, so the drain knows there is a store to drain.
  await Promise.all(
    [...toWrite].map(async ([key, { state, records: waiting }]) => {
      let written: Result<HoldState>;
      try {
        written = await deps.states.put(state, undefined);
      } catch (error) {
        written = failureOf(error);
      }
      // Not found: another writer (an operator's `hold`, another container's window) got there first; that state stands.
      if (written.status === "failed") {
        for (const record of waiting) if (!retryReason.has(record)) retryReason.set(record, `hold state of ${key} could not be written: ${written.reason}`);
      }
    }),
  );

  // One append for the batch's held deliveries, in batch order; answers read like PutEvents'.
  const settled = new Map<SignedDelivery, SettledDelivery>();
  let pending = records.flatMap((record) => (retryReason.has(record) ? [] : (heldOf.get(record) ?? [])));
  for (let attempt = 1; pending.length > 0; attempt++) {
    result.holdStoreCalls += 1;
    const answers = await append(deps.store, pending);
    const resend: Held[] = [];
    pending.forEach((item, index) => {
      const answer = answers[index] ?? failed("later", "the hold store gave no answer for this delivery");
      if (answer.status === "found") settled.set(item.delivery, { endpoint: item.delivery.endpoint, cloudEventId: item.delivery.cloudEventId, state: "published", held: true });
      else if (answer.retry === "now") resend.push(item);
      else settled.set(item.delivery, settledAs(item.delivery, answer.retry === "never" ? "quarantined" : "retry", answer.reason));
    });
    if (resend.length === 0) break;
    const delay = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + options.random() / 2);
    const outOfTime = options.remainingTimeMs !== undefined && options.remainingTimeMs() < delay + TIME_TO_FINISH_MS;
    if (attempt >= options.publishAttempts || outOfTime) {
      for (const item of resend) settled.set(item.delivery, settledAs(item.delivery, "retry", "hold store asked to append again; attempts or time ran out"));
      break;
    }
    await options.sleep(delay);
    pending = resend;
  }

  for (const record of records) {
    const reason = retryReason.get(record);
    if (reason !== undefined) {
      result.decided.push(decideRetry(record, reason));
      continue;
    }
    if (!heldOf.has(record)) {
      result.next.push(record);
      continue;
    }
    const deliveries = record.deliveries.map((delivery) => (isSettled(delivery) ? delivery : (settled.get(delivery) ?? delivery)));
    const heldRetry = heldOf.get(record)!.map(({ delivery }) => settled.get(delivery)).find((outcome) => outcome?.state === "retry");
    if (heldRetry) {
      result.decided.push(decideRetry({ ...record, deliveries }, heldRetry.reason ?? "hold store refused"));
      continue;
    }
    const next: SignedRecord = { position: record.position, recordId: record.recordId, record: record.record, event: record.event, deliveries };
    if (deliveries.every(isSettled)) result.decided.push(fateOfDeliveries(next, deliveries));
    else result.next.push(next);
  }
  return result;
}

/** One `append`; a store that throws failed the call as a whole, which says nothing against its deliveries (never "never"). */
async function append(store: HoldStore, items: readonly Held[]): Promise<PublishResult[]> {
  const deliveries: HeldDelivery[] = items.map(({ delivery, ref }) => ({ endpoint: ref, cloudEvent: cloudEventOf(delivery) }));
  try {
    return await store.append(deliveries);
  } catch (error) {
    const failure = failureOf(error);
    const answer = failed(failure.retry === "never" ? "later" : "now", `hold store append failed: ${describeError(error)}`);
    return items.map(() => answer);
  }
}

/** The CloudEvent the bus entry carries: the very event the endpoint would have received (its `detail.event`). */
const cloudEventOf = (delivery: SignedDelivery): CallbackCloudEvent => (JSON.parse(delivery.entry.Detail) as { event: CallbackCloudEvent }).event;

const settledAs = (delivery: SignedDelivery, state: SettledDelivery["state"], reason: string): SettledDelivery => ({
  endpoint: delivery.endpoint,
  cloudEventId: delivery.cloudEventId,
  state,
  reason,
});

/** A record to retry: its deliveries not yet settled are not published now (the retry would repeat them). */
function decideRetry(record: SignedRecord, reason: string): DecidedRecord {
  const deliveries = record.deliveries.map((delivery) =>
    isSettled(delivery) ? delivery : settledAs(delivery, "retry", "held back: another delivery of this record must be retried"),
  );
  const decided = fateOfDeliveries(record, deliveries);
  // The record's own reason first: why it is retried, not that its other deliveries were held back.
  return decided.state === "retry" ? { ...decided, reason } : decided;
}

/** The hold state a window writes for an endpoint that has none (10.3). */
const scheduleState = (trustId: string, endpointId: string, span: HoldWindow): HoldState => ({
  trustId,
  endpointId,
  phase: "held",
  source: "schedule",
  // Merged windows join their reasons; a hold state keeps at most 200 characters of them.
  reason: span.reason.length > 200 ? `${span.reason.slice(0, 199)}…` : span.reason,
  heldAt: span.from,
  heldBy: "schedule",
  until: span.until,
  drained: 0,
  version: 0,
});
