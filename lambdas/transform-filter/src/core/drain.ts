import pLimit from "p-limit";
import type { Logger } from "pino";
import {
  HOLD_CLOSING_MS,
  activeSpan,
  type HoldState,
  type HoldWindow,
  type Notice,
  type SupportDeliveryAnswer,
} from "@trust-callbacks/schemas";
import { describeError, failureOf, type Result } from "@trust-callbacks/runtime";
import type { CallbackCloudEvent } from "@trust-callbacks/schemas";
import type { EndpointRef, HoldStateStore, HoldStore, NoticeLog, ReceivedDelivery } from "./hold-ports.ts";

/**
 * The drain (docs/adr/0002-holds.md, "The drain"; docs/guarantees.md 10.10-10.15): one sweep over the holds table,
 * one pure step per endpoint. `held` → `draining` when the hold ends; `draining` sends the store's deliveries in
 * order, re-signed, paced at the endpoint's drain rate, deleting each only after the bus accepted it; found empty →
 * `closing`; `closing` past `sendFrom` and empty once more → the item is deleted; a window active again → `held`.
 * Every write is conditional on the version read. Sending is the `DrainSender` port: the support signer's own
 * redrive path (`resignForEndpoint`), so signing and publishing are the core's `signedBusEntry` and `publish`.
 */

/** What the drain may do with an endpoint's held deliveries, by its trust's current document. */
export type DrainPlan =
  /** Send them at `ratePerSecond` (`drainRateOf`); `spans` are the endpoint's windows (`heldSpans`). */
  | { kind: "send"; ratePerSecond: number; spans: HoldWindow[] }
  /** The trust or endpoint is disabled or removed: held deliveries are filtered (docs/guarantees.md 10.0). */
  | { kind: "filter"; reason: string; spans: HoldWindow[] }
  /** The document cannot be read now: nothing is sent or filtered; tried again next sweep. */
  | { kind: "unavailable"; reason: string };

export interface DrainSender {
  plan(endpoint: EndpointRef): Promise<DrainPlan>;
  /** Re-signs each event with a fresh timestamp and publishes them; one answer per event, in order. */
  send(endpoint: EndpointRef, events: readonly CallbackCloudEvent[]): Promise<SupportDeliveryAnswer[]>;
}

export interface DrainDeps {
  states: HoldStateStore;
  store: HoldStore;
  notices: NoticeLog;
  sender: DrainSender;
  logger: Logger;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Milliseconds left in the invocation; the drain stops starting work when `reserveMs` are left. */
  remainingTimeMs: () => number;
  /** Stops the drain before its next step (the local CLI's Ctrl-C; a test's crash between send and delete). */
  signal?: AbortSignal;
  /** Shuffles the sweep's order, so no endpoint is always last when time runs out. */
  random?: () => number;
}

export interface DrainOptions {
  /** Time kept in hand: no receive or send starts with less left (60 s timeout: works at most 50 s). */
  reserveMs?: number;
  /** Endpoints drained at once, each at its own rate. */
  concurrency?: number;
}

export const DRAIN_RESERVE_MS = 10_000;
/**
 * The final pass comes at least this long after the store was first found empty: the hold store's visibility timeout
 * (SqsHoldStore: 60 s). A delivery in flight then (another drain's, or an interrupted one's) has since been deleted
 * or become visible to the final pass's receive, so "empty" does not rest on the approximate depth, which SQS says may
 * lag by a minute (GetQueueAttributes: "may not achieve consistency until at least 1 minute after the producers stop
 * sending messages", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html).
 */
export const DRAIN_EMPTY_SETTLE_MS = 60_000;
export const DRAIN_CONCURRENCY = 25;
/** A store hands back at most 10 deliveries per receive (SQS ReceiveMessage MaxNumberOfMessages). */
const MAX_RECEIVE = 10;

export type DrainStop = "time" | "interrupted" | "receive-failed" | "send-failed" | "delete-failed" | "in-flight";

export interface EndpointDrainReport {
  trustId: string;
  endpointId: string;
  from: HoldState["phase"];
  /** Where the item ended this sweep; `deleted`: the hold is over and its store was empty. */
  to: HoldState["phase"] | "deleted";
  /** Deliveries the bus accepted. */
  sent: number;
  /** Of those, deleted from the store (counted in `drained`). */
  drained: number;
  /** Deleted unsent: the trust or endpoint is disabled or removed. */
  filtered: number;
  stopped?: DrainStop;
  /** Why the item was left as it was (a lost race, a failed write or read). */
  note?: string;
}

export interface DrainReport {
  endpoints: EndpointDrainReport[];
  /** Set when the holds table could not be listed: nothing was done. */
  failed?: string;
}

const ref = (state: HoldState): EndpointRef => ({ trustId: state.trustId, endpointId: state.endpointId });

/** One sweep over every hold item. Never throws for a port's failure: each endpoint's report says what happened. */
export async function drainHolds(deps: DrainDeps, options: DrainOptions = {}): Promise<DrainReport> {
  let listed: Result<HoldState[]>;
  try {
    listed = await deps.states.list();
  } catch (error) {
    listed = failureOf(error);
  }
  if (listed.status !== "found") {
    const reason = listed.status === "failed" ? listed.reason : "holds table not found";
    deps.logger.warn({ reason }, "holds table unreadable: nothing drained");
    return { endpoints: [], failed: reason };
  }
  const items = [...listed.value];
  const random = deps.random ?? Math.random;
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  const limit = pLimit(options.concurrency ?? DRAIN_CONCURRENCY);
  const endpoints = await Promise.all(items.map((state) => limit(() => stepEndpoint(state, deps, options))));
  return { endpoints };
}

const noticeId = (kind: Notice["kind"], state: HoldState) => `${kind}#${state.trustId}#${state.endpointId}#${state.heldAt}`;

/** Records a notice; a failure is logged and left to the next sweep (the same id: still one notice). */
async function record(deps: DrainDeps, notice: Notice): Promise<boolean> {
  let answer: Result<Notice>;
  try {
    answer = await deps.notices.record(notice);
  } catch (error) {
    answer = failureOf(error);
  }
  if (answer.status === "found") return true;
  deps.logger.warn({ noticeId: notice.id, reason: answer.status === "failed" ? answer.reason : "not recorded" }, "notice not recorded: retried next sweep");
  return false;
}

const startedNotice = (state: HoldState): Notice => ({
  id: noticeId("hold-started", state),
  kind: "hold-started",
  trustId: state.trustId,
  endpointId: state.endpointId,
  at: state.heldAt,
  reason: state.reason,
  ...(state.until ? { until: state.until } : {}),
});

/** A `resume` inside the span ended it early: the span holds no more. */
const resumedInside = (state: HoldState, span: HoldWindow): boolean => {
  if (!state.resumedAt) return false;
  const at = Date.parse(state.resumedAt);
  return Date.parse(span.from) <= at && at < Date.parse(span.until);
};

async function write(deps: DrainDeps, next: HoldState, expectedVersion: number): Promise<HoldState | string> {
  let answer: Result<HoldState>;
  try {
    answer = await deps.states.put(next, expectedVersion);
  } catch (error) {
    answer = failureOf(error);
  }
  if (answer.status === "found") return answer.value;
  const note = answer.status === "not-found" ? `lost the race: ${answer.reason}` : `state write failed: ${answer.reason}`;
  deps.logger.warn({ trustId: next.trustId, endpointId: next.endpointId, phase: next.phase, note }, "hold state not written: re-read next sweep");
  return note;
}

async function depthOf(deps: DrainDeps, endpoint: EndpointRef): Promise<number | undefined> {
  try {
    const answer = await deps.store.depth(endpoint);
    return answer.status === "found" ? answer.value : undefined;
  } catch {
    return undefined;
  }
}

async function stepEndpoint(initial: HoldState, deps: DrainDeps, options: DrainOptions): Promise<EndpointDrainReport> {
  const endpoint = ref(initial);
  const report: EndpointDrainReport = { ...endpoint, from: initial.phase, to: initial.phase, sent: 0, drained: 0, filtered: 0 };
  const logger = deps.logger.child(endpoint);
  let state = initial;
  let plan: DrainPlan;
  try {
    plan = await deps.sender.plan(endpoint);
  } catch (error) {
    plan = { kind: "unavailable", reason: describeError(error) };
  }
  const spans = plan.kind === "unavailable" ? undefined : plan.spans;
  const now = deps.now();

  // A window active again, not ended early by a resume inside it: a new hold (10.14).
  const span = spans ? activeSpan(spans, now) : undefined;
  if (state.phase !== "held" && span && !resumedInside(state, span)) {
    const { drainStartedAt: _d, emptyAt: _e, sendFrom: _s, resumedAt: _r, resumedBy: _b, ...rest } = state;
    const written = await write(deps, { ...rest, phase: "held", source: "schedule", reason: span.reason, heldAt: now.toISOString(), heldBy: "schedule", until: span.until, drained: 0 }, state.version);
    if (typeof written === "string") return { ...report, note: written };
    await record(deps, startedNotice(written));
    logger.info({ from: state.phase, heldAt: written.heldAt }, "window active again: held");
    return { ...report, to: "held" };
  }

  if (state.phase === "held") {
    await record(deps, startedNotice(state));
    // A window of the trust file still holding the endpoint keeps it held past an ad-hoc `until` (no end, then a new start).
    const windowHolds = span !== undefined && !resumedInside(state, span);
    const ended = !windowHolds && ((state.until !== undefined && now.getTime() >= Date.parse(state.until))
      || (state.source === "schedule" && spans !== undefined && span === undefined));
    if (!ended) return report;
    const written = await write(deps, { ...state, phase: "draining", drainStartedAt: now.toISOString() }, state.version);
    if (typeof written === "string") return { ...report, note: written };
    logger.info({ heldAt: state.heldAt }, "hold ended: draining");
    state = written;
  }

  // Draining or closing: the hold's start and end are told (again: the same ids) until both are recorded (10.15).
  let told = await record(deps, startedNotice(state));
  {
    const depth = await depthOf(deps, endpoint);
    told = (await record(deps, {
      id: noticeId("hold-ended", state),
      kind: "hold-ended",
      trustId: state.trustId,
      endpointId: state.endpointId,
      at: state.drainStartedAt ?? state.resumedAt ?? now.toISOString(),
      reason: state.reason,
      ...(depth !== undefined ? { counts: { held: depth } } : {}),
    })) && told;
  }

  if (plan.kind === "unavailable") {
    logger.warn({ reason: plan.reason }, "trust document unavailable: nothing drained this sweep");
    return { ...report, to: state.phase, note: plan.reason };
  }
  // Closing: its final pass starts after `sendFrom`, when every Lambda has read the closing state.
  const finalPass = state.phase === "closing" && state.sendFrom !== undefined && now.getTime() >= Date.parse(state.sendFrom)
    && (state.emptyAt === undefined || now.getTime() >= Date.parse(state.emptyAt) + DRAIN_EMPTY_SETTLE_MS);
  const pass = await drainPass(endpoint, plan, deps, options, logger);
  Object.assign(report, { sent: pass.sent, drained: pass.drained, filtered: pass.filtered, ...(pass.stopped ? { stopped: pass.stopped } : {}) });
  const drained = state.drained + pass.drained;
  const at = deps.now();

  if (state.phase === "draining") {
    const next: HoldState = pass.empty
      ? { ...state, drained, phase: "closing", drainStartedAt: state.drainStartedAt ?? now.toISOString(), emptyAt: at.toISOString(), sendFrom: new Date(at.getTime() + HOLD_CLOSING_MS).toISOString() }
      : { ...state, drained, drainStartedAt: state.drainStartedAt ?? now.toISOString() };
    if (!pass.empty && pass.drained === 0 && state.drainStartedAt) return { ...report, to: "draining" };
    const written = await write(deps, next, state.version);
    if (typeof written === "string") return { ...report, to: "draining", note: written };
    if (pass.empty) logger.info({ drained, sendFrom: written.sendFrom }, "hold store empty: closing");
    return { ...report, to: written.phase };
  }

  // closing
  if (finalPass && pass.empty) {
    const noticed = await record(deps, {
      id: noticeId("hold-drained", state),
      kind: "hold-drained",
      trustId: state.trustId,
      endpointId: state.endpointId,
      at: at.toISOString(),
      reason: state.reason,
      counts: { drained },
    });
    // A resume inside a window that is still active: the item stays (closing, sendFrom passed) so the window does not hold again.
    const overridden = span !== undefined && resumedInside(state, span);
    if (noticed && told && !overridden) {
      let deleted: Result<EndpointRef>;
      try {
        deleted = await deps.states.delete(endpoint, state.version);
      } catch (error) {
        deleted = failureOf(error);
      }
      if (deleted.status === "found") {
        logger.info({ drained }, "hold drained: item deleted");
        return { ...report, to: "deleted" };
      }
      const note = deleted.status === "not-found" ? `lost the race: ${deleted.reason}` : `state delete failed: ${deleted.reason}`;
      logger.warn({ note }, "hold item not deleted: re-read next sweep");
      if (pass.drained === 0) return { ...report, note };
    }
  }
  if (pass.drained === 0) return report;
  const written = await write(deps, { ...state, drained }, state.version);
  return typeof written === "string" ? { ...report, note: written } : report;
}

interface PassResult {
  sent: number;
  drained: number;
  filtered: number;
  /** The store was found empty: nothing to receive and a depth of 0 (which counts deliveries in flight). */
  empty: boolean;
  stopped?: DrainStop;
}

/** Receives, sends and deletes in order until the store is empty, something fails, or time runs low. */
async function drainPass(endpoint: EndpointRef, plan: Exclude<DrainPlan, { kind: "unavailable" }>, deps: DrainDeps, options: DrainOptions, logger: Logger): Promise<PassResult> {
  const result: PassResult = { sent: 0, drained: 0, filtered: 0, empty: false };
  const reserveMs = options.reserveMs ?? DRAIN_RESERVE_MS;
  const rate = plan.kind === "send" ? plan.ratePerSecond : Number.POSITIVE_INFINITY;
  const chunk = Math.min(MAX_RECEIVE, plan.kind === "send" ? Math.max(1, Math.floor(rate)) : MAX_RECEIVE);
  const stop = (stopped: DrainStop) => ({ ...result, stopped });
  for (;;) {
    if (deps.signal?.aborted) return stop("interrupted");
    if (deps.remainingTimeMs() < reserveMs) return stop("time");
    let received: Result<ReceivedDelivery[]>;
    try {
      received = await deps.store.receive(endpoint, chunk);
    } catch (error) {
      received = failureOf(error);
    }
    if (received.status !== "found") {
      logger.warn({ reason: received.status === "failed" ? received.reason : "no store" }, "hold store receive failed: retried next sweep");
      return stop("receive-failed");
    }
    const deliveries = received.value;
    if (deliveries.length === 0) {
      // Nothing handed out: empty, or another drain (or an interrupted one) has deliveries in flight. In a FIFO queue,
      // received-and-not-deleted messages block the rest of their message group until deleted or their visibility
      // timeout ends (https://repost.aws/knowledge-center/sqs-fifo-messages-not-returned;
      // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html):
      // this is also why two drains never both send one endpoint's deliveries (10.13).
      const depth = await depthOf(deps, endpoint);
      if (depth === 0) return { ...result, empty: true };
      return stop("in-flight");
    }

    if (plan.kind === "filter") {
      for (const delivery of deliveries) logger.info({ cloudEventId: delivery.cloudEvent.id, reason: plan.reason }, "held delivery filtered");
      const deleted = await remove(deps, endpoint, deliveries.map((d) => d.receipt), logger);
      if (deleted === undefined) return stop("delete-failed");
      result.filtered += deleted;
      continue;
    }

    const startedAt = deps.now().getTime();
    let answers: SupportDeliveryAnswer[];
    try {
      answers = await deps.sender.send(endpoint, deliveries.map((d) => d.cloudEvent));
    } catch (error) {
      const reason = `send failed: ${describeError(error)}`;
      answers = deliveries.map((d) => ({ status: "failed", endpointId: endpoint.endpointId, cloudEventId: d.cloudEvent.id, retry: "later", reason }));
    }
    const accepted = deliveries.filter((_d, index) => answers[index]?.status === "accepted");
    result.sent += accepted.length;
    // A crash between the bus's answer and the delete: the deliveries come back and are sent again, same ids (10.11).
    if (deps.signal?.aborted) return stop("interrupted");
    if (accepted.length > 0) {
      const deleted = await remove(deps, endpoint, accepted.map((d) => d.receipt), logger);
      if (deleted === undefined) return stop("delete-failed");
      result.drained += deleted;
    }
    const refused = answers.flatMap((answer) => (answer.status === "failed" ? [answer] : []));
    if (refused.length > 0 || accepted.length < deliveries.length) {
      for (const answer of refused) {
        const fields = { cloudEventId: answer.cloudEventId, retry: answer.retry, reason: answer.reason };
        if (answer.retry === "never") logger.error(fields, "held delivery refused: kept in the hold store");
        else logger.warn(fields, "held delivery not accepted: sent again next sweep");
      }
      return stop("send-failed");
    }
    // Paced: the next call starts no sooner than this one's share of a second at the drain rate (10.10).
    const wait = startedAt + (deliveries.length * 1000) / rate - deps.now().getTime();
    if (wait > 0) {
      if (deps.remainingTimeMs() - wait < reserveMs) return stop("time");
      await deps.sleep(wait);
    }
  }
}

/** Deletes received deliveries; the count deleted, or undefined when the store refused (they come back: sent again). */
async function remove(deps: DrainDeps, endpoint: EndpointRef, receipts: string[], logger: Logger): Promise<number | undefined> {
  let answer: Result<number>;
  try {
    answer = await deps.store.delete(endpoint, receipts);
  } catch (error) {
    answer = failureOf(error);
  }
  if (answer.status === "found") return answer.value;
  logger.warn({ reason: answer.status === "failed" ? answer.reason : "no store", receipts: receipts.length }, "hold store delete failed: those deliveries are sent again");
  return undefined;
}
