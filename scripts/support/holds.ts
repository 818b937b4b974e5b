import { HoldState, MAX_HOLD_MS, type Notice, heldSpans, holdDecision, holdKey, type Endpoint, type HoldDecision, type TrustConfig } from "@trust-callbacks/schemas";
import type { Result } from "@trust-callbacks/runtime";
import type { HoldStateStore, HoldStore } from "@trust-callbacks/transform-filter";
import { UsageError } from "../lib/command-line.ts";
import { checkEndpoint } from "./target.ts";

/**
 * Ad-hoc hold and resume (docs/guarantees.md 10.20, 10.21, 10.25; docs/adr/0002-holds.md): what the `hold` and
 * `resume` commands and the console write into the holds table. Each endpoint's current hold is read once, decided by
 * the one reading of windows and state (`holdDecision`), and written conditionally on the version read, so a lost
 * race is reported and overwrites nothing. The holds table is read by the transform Lambda through a cache at most
 * `HOLD_STATE_MAX_AGE_SECONDS` old: a hold or resume takes effect within it, with no deploy.
 */

/** `--until`: an instant, or a duration from now. */
export type HoldUntil = { at: Date } | { afterSeconds: number };

/** What happened to one endpoint. */
export interface HoldRow {
  trustId: string;
  endpointId: string;
  outcome: "held" | "would-hold" | "resumed" | "would-resume" | "refused" | "not-held" | "skipped" | "lost-race" | "failed";
  detail: string;
  /** The item as written (or as it is, when nothing was written). */
  state?: HoldState;
  /** A dry run's `would-hold`: the item it would write (its `until` resolved now, for the console's confirm). */
  wouldBe?: HoldState;
}

export interface HoldRequest {
  trust: TrustConfig;
  /** Unset: every endpoint of the trust that is switched on. */
  endpointId?: string;
  reason: string;
  until?: HoldUntil | Date;
  dryRun: boolean;
  operator: string;
  now: Date;
}

export type ResumeRequest = Omit<HoldRequest, "reason" | "until">;

/** The instant `--until` names, or a usage error when it is not in the future or more than 13 days away (`MAX_HOLD_MS`). */
export function untilOf(spec: HoldUntil | Date | undefined, now: Date): Date | undefined {
  if (spec === undefined) return undefined;
  const at = spec instanceof Date ? spec : "at" in spec ? spec.at : new Date(now.getTime() + spec.afterSeconds * 1000);
  if (at.getTime() <= now.getTime()) throw new UsageError(`--until ${at.toISOString()} is not in the future; nothing written`);
  if (at.getTime() - now.getTime() > MAX_HOLD_MS) {
    throw new UsageError(`--until ${at.toISOString()} is more than 13 days away (the hold store keeps a delivery 14 days); nothing written`);
  }
  return at;
}

/** The endpoints a hold or resume acts on; a usage error for an unknown or switched-off endpoint or trust. */
function selected(trust: TrustConfig, endpointId: string | undefined): { endpoint: Endpoint; switchedOff: boolean }[] {
  const off = (what: string) => new UsageError(`${what} is switched off (enabled: false): its events are filtered, not held; nothing written`);
  if (!trust.enabled) throw off(`trust ${trust.trustId}`);
  checkEndpoint({ trusts: [trust] }, trust.trustId, endpointId);
  if (endpointId !== undefined) {
    const endpoint = trust.endpoints.find((e) => e.id === endpointId)!;
    if (!endpoint.enabled) throw off(`${trust.trustId}/${endpointId}`);
    return [{ endpoint, switchedOff: false }];
  }
  return trust.endpoints.map((endpoint) => ({ endpoint, switchedOff: !endpoint.enabled }));
}

interface Current {
  endpoint: Endpoint;
  switchedOff: boolean;
  state?: HoldState;
  decision?: HoldDecision;
  failure?: string;
}

async function current(states: HoldStateStore, trust: TrustConfig, endpointId: string | undefined, now: Date): Promise<Current[]> {
  const endpoints = selected(trust, endpointId);
  const answers = await states.getMany(endpoints.map(({ endpoint }) => ({ trustId: trust.trustId, endpointId: endpoint.id })));
  return endpoints.map(({ endpoint, switchedOff }) => {
    const answer = answers.get(holdKey(trust.trustId, endpoint.id));
    if (!answer || answer.status === "failed") return { endpoint, switchedOff, failure: `cannot read the hold: ${answer?.reason ?? "no answer"}` };
    const state = answer.status === "found" ? answer.value : undefined;
    const decision = holdDecision(heldSpans(trust.holds, endpoint.holds), state, now);
    return { endpoint, switchedOff, ...(state ? { state } : {}), decision };
  });
}

/** Who holds it, since when and why: an operator's or schedule's item, or a trust-file window without one yet. */
function heldBy(decision: HoldDecision & { held: true }): string {
  if (decision.because === "window") return `the trust file's window from ${decision.span.from} until ${decision.span.until} (${decision.span.reason})`;
  const { state } = decision;
  return `${state.heldBy} since ${state.heldAt} (${state.reason})${state.until ? `, until ${state.until}` : ""}`;
}

/** The row of a conditional write's answer. */
function written(trustId: string, endpointId: string, answer: Result<HoldState>, done: HoldRow["outcome"], detail: string, before?: HoldState): HoldRow {
  if (answer.status === "found") return { trustId, endpointId, outcome: done, detail, state: answer.value };
  if (answer.status === "not-found") {
    return { trustId, endpointId, outcome: "lost-race", detail: `the hold changed meanwhile (${answer.reason}); nothing overwritten: look again with \`list\``, ...(before ? { state: before } : {}) };
  }
  return { trustId, endpointId, outcome: "failed", detail: `not written: ${answer.reason}`, ...(before ? { state: before } : {}) };
}

/** `hold` (10.20): each selected endpoint held, unless already held (refused) or switched off (skipped). */
export async function holdEndpoints(states: HoldStateStore, request: HoldRequest): Promise<HoldRow[]> {
  const { trust, now } = request;
  const until = untilOf(request.until, now);
  const rows: HoldRow[] = [];
  for (const { endpoint, switchedOff, state, decision, failure } of await current(states, trust, request.endpointId, now)) {
    const base = { trustId: trust.trustId, endpointId: endpoint.id };
    if (switchedOff) {
      rows.push({ ...base, outcome: "skipped", detail: "switched off (enabled: false): its events are filtered, not held" });
      continue;
    }
    if (failure || !decision) {
      rows.push({ ...base, outcome: "failed", detail: failure ?? "no decision" });
      continue;
    }
    if (decision.held && (decision.because === "held" || decision.because === "window")) {
      rows.push({ ...base, outcome: "refused", detail: `already held by ${heldBy(decision)}; nothing written`, ...(state ? { state } : {}) });
      continue;
    }
    // Not held, or draining / closing: held (again). A drain in progress pauses; new deliveries keep queueing behind.
    const was = decision.held ? `was ${decision.because}: the drain pauses, deliveries keep queueing in order` : "";
    const next = HoldState.parse({
      ...base,
      phase: "held",
      source: "adhoc",
      reason: request.reason,
      heldAt: now.toISOString(),
      heldBy: request.operator,
      ...(until ? { until: until.toISOString() } : {}),
      drained: 0,
      version: state?.version ?? 0,
    });
    const what = `held${until ? ` until ${until.toISOString()}` : " until resume"}${was ? `; ${was}` : ""}`;
    if (request.dryRun) {
      rows.push({ ...base, outcome: "would-hold", detail: `would be ${what}; nothing written`, wouldBe: next, ...(state ? { state } : {}) });
      continue;
    }
    rows.push(written(base.trustId, base.endpointId, await states.put(next, state?.version), "held", what, state));
  }
  return rows;
}

/** `resume` (10.21): each held endpoint draining (an ad-hoc hold, or a trust-file window ended early). */
export async function resumeEndpoints(states: HoldStateStore, request: ResumeRequest): Promise<HoldRow[]> {
  const { trust, now } = request;
  const rows: HoldRow[] = [];
  for (const { endpoint, switchedOff, state, decision, failure } of await current(states, trust, request.endpointId, now)) {
    const base = { trustId: trust.trustId, endpointId: endpoint.id };
    if (switchedOff) {
      rows.push({ ...base, outcome: "skipped", detail: "switched off (enabled: false): not held" });
      continue;
    }
    if (failure || !decision) {
      rows.push({ ...base, outcome: "failed", detail: failure ?? "no decision" });
      continue;
    }
    if (!decision.held) {
      rows.push({ ...base, outcome: "not-held", detail: "not held; nothing to resume", ...(state ? { state } : {}) });
      continue;
    }
    if (decision.because === "draining" || decision.because === "closing") {
      const { state: s } = decision;
      rows.push({ ...base, outcome: "not-held", detail: `not held: ${s.phase} since ${s.drainStartedAt ?? s.emptyAt ?? s.heldAt}, ${s.drained} sent; nothing to resume`, state: s });
      continue;
    }
    // A window with no item yet gets one, so its `resumedAt` ends the window early (`holdDecision`).
    const from: HoldState =
      "state" in decision
        ? decision.state
        : HoldState.parse({ ...base, phase: "held", source: "schedule", reason: decision.span.reason, heldAt: decision.span.from, heldBy: "schedule", until: decision.span.until, version: 0 });
    const next = HoldState.parse({ ...from, phase: "draining", resumedAt: now.toISOString(), resumedBy: request.operator, drainStartedAt: now.toISOString() });
    const what = `resumed (held by ${heldBy(decision)}); the drain sends what the store keeps, in order, within a minute`;
    if (request.dryRun) {
      rows.push({ ...base, outcome: "would-resume", detail: `would be ${what}; nothing written`, ...(state ? { state } : {}) });
      continue;
    }
    rows.push(written(base.trustId, base.endpointId, await states.put(next, state?.version), "resumed", what, state));
  }
  return rows;
}

/** Exit status of a hold or resume: 0 when nothing was refused, lost or failed. */
export const holdExitCode = (rows: readonly HoldRow[]): number => (rows.some((row) => ["refused", "lost-race", "failed"].includes(row.outcome)) ? 1 : 0);

/** One endpoint with a hold or a drain, as `list`, `history` and the console show it (docs/guarantees.md 10.23). */
export interface HoldView {
  trustId: string;
  endpointId: string;
  /** `held` (an operator's or a window's item), `window` (a trust-file window, no delivery held yet), `draining`, `closing`. */
  phase: HoldState["phase"] | "window";
  source: HoldState["source"];
  since: string;
  by: string;
  reason: string;
  until: string | null;
  resumedAt: string | null;
  resumedBy: string | null;
  drainStartedAt: string | null;
  drained: number;
  /** Deliveries in the endpoint's hold store; null when the store could not be read (`depthError` says why). */
  depth: number | null;
  depthError?: string;
}

/**
 * Every endpoint of the trusts that is held now or still draining: the holds table's items (one scan) read with the
 * trusts' windows by `holdDecision`, each with its store's depth.
 */
export async function holdViews(trusts: readonly TrustConfig[], holds: { states: HoldStateStore; store: HoldStore }, now: Date): Promise<HoldView[]> {
  const listed = await holds.states.list();
  if (listed.status === "failed") throw new Error(`cannot read the holds table: ${listed.reason}`);
  const items = new Map((listed.status === "found" ? listed.value : []).map((state) => [holdKey(state.trustId, state.endpointId), state]));
  const views: HoldView[] = [];
  for (const trust of trusts) {
    for (const endpoint of trust.endpoints) {
      const state = items.get(holdKey(trust.trustId, endpoint.id));
      const decision = holdDecision(heldSpans(trust.holds, endpoint.holds), state, now);
      if (!decision.held && !state) continue;
      const depth = await holds.store.depth({ trustId: trust.trustId, endpointId: endpoint.id });
      const span = decision.held && decision.because === "window" ? decision.span : undefined;
      views.push({
        trustId: trust.trustId,
        endpointId: endpoint.id,
        phase: span ? "window" : state!.phase,
        source: span ? "schedule" : state!.source,
        since: span?.from ?? state!.heldAt,
        by: span ? "schedule" : state!.heldBy,
        reason: span?.reason ?? state!.reason,
        until: span?.until ?? state?.until ?? null,
        resumedAt: state?.resumedAt ?? null,
        resumedBy: state?.resumedBy ?? null,
        drainStartedAt: state?.drainStartedAt ?? null,
        drained: state?.drained ?? 0,
        depth: depth.status === "found" ? depth.value : null,
        ...(depth.status === "found" ? {} : { depthError: depth.reason }),
      });
    }
  }
  return views;
}

/** One event of a hold in `history` (docs/guarantees.md 10.24). */
export interface HoldEvent {
  at: string;
  trustId: string;
  endpointId: string;
  /**
   * `held` / `resumed`: an operator's hold or resume (the audit trail); `started`: a trust-file window began holding;
   * `drain-started`: the hold ended and the drain began; `drained`: the store was empty, deliveries go straight again.
   */
  event: "held" | "resumed" | "started" | "drain-started" | "drained";
  by: string;
  reason?: string;
  until?: string;
  /** `drained`: deliveries the drain sent. */
  drained?: number;
}

/**
 * The audit lines, current holds and notices that tell a trust's holds, as events in the window, oldest first, each
 * once (the first source that tells it wins: the audit names the operator, the holds table the schedule).
 */
export function holdEvents(
  sources: { actions: readonly Record<string, unknown>[]; notices: readonly Notice[]; states: readonly HoldView[] },
  filter: { trustId: string; endpointId?: string; since: Date; until: Date },
): HoldEvent[] {
  const events: HoldEvent[] = [];
  const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
  for (const line of sources.actions) {
    if ((line.action !== "hold" || line.outcome !== "held") && (line.action !== "resume" || line.outcome !== "resumed")) continue;
    const [at, trustId, endpointId, reason, until] = [text(line.at), text(line.trustId), text(line.endpointId), text(line.reason), text(line.until)];
    if (!at || Number.isNaN(Date.parse(at)) || !trustId || !endpointId) continue;
    events.push({ at, trustId, endpointId, event: line.outcome, by: text(line.operator) ?? "unknown", ...(reason ? { reason } : {}), ...(until ? { until } : {}) });
  }
  for (const state of sources.states) {
    if (state.source === "schedule") events.push({ at: state.since, trustId: state.trustId, endpointId: state.endpointId, event: "started", by: "schedule", reason: state.reason, ...(state.until ? { until: state.until } : {}) });
    // A drain not started by a resume: the hold's `until` passed.
    if (state.drainStartedAt && !state.resumedAt) events.push({ at: state.drainStartedAt, trustId: state.trustId, endpointId: state.endpointId, event: "drain-started", by: "drain" });
  }
  for (const notice of sources.notices) {
    if (!notice.endpointId) continue;
    const event = ({ "hold-started": "started", "hold-ended": "drain-started", "hold-drained": "drained" } as const)[notice.kind as "hold-started"];
    if (!event) continue;
    events.push({ at: notice.at, trustId: notice.trustId, endpointId: notice.endpointId, event, by: "drain", ...(notice.reason ? { reason: notice.reason } : {}), ...(notice.until ? { until: notice.until } : {}), ...(notice.counts?.drained !== undefined ? { drained: notice.counts.drained } : {}) });
  }
  const seen = new Set<string>();
  return events
    .filter((e) => e.trustId === filter.trustId && (!filter.endpointId || e.endpointId === filter.endpointId))
    .filter((e) => Date.parse(e.at) >= filter.since.getTime() && Date.parse(e.at) <= filter.until.getTime())
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.endpointId.localeCompare(b.endpointId))
    .filter((e) => {
      // An operator's hold and the drain's notice of it are one start, a resume and the drain's `hold-ended` one end
      // (the audit line's `at` is the item's `heldAt` / `resumedAt`, which the drain's notices carry).
      const kind = { held: "start", started: "start", resumed: "end", "drain-started": "end", drained: "drained" }[e.event];
      const key = `${e.endpointId}|${kind}|${Date.parse(e.at)}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/** A hold event as one line of `history`. */
export function describeHoldEvent(e: HoldEvent): string {
  const what = {
    held: `held by ${e.by}${e.reason ? ` (${e.reason})` : ""}${e.until ? ` until ${e.until}` : " until resume"}`,
    resumed: `resumed by ${e.by}: drain starts`,
    started: `held by the trust file's window${e.reason ? ` (${e.reason})` : ""}${e.until ? ` until ${e.until}` : ""}`,
    "drain-started": "hold ended: drain started",
    drained: `drained${e.drained !== undefined ? ` (${e.drained} sent)` : ""}: new deliveries go straight again`,
  }[e.event];
  return `HOLD ${e.at}  ${e.trustId}/${e.endpointId}  ${what}`;
}

/**
 * Logs Insights over the support audit log group: a trust's hold and resume audit lines that took effect. `filter`
 * combines conditions with `and` and tests set membership with `in [...]` on the JSON fields Logs Insights discovers
 * (CloudWatch Logs User Guide, "filter": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Filter.html).
 * Ids reach it only after the CLI's SAFE_ID check (`history --trust`/`--endpoint`), so no quote can end a string early.
 */
export function holdActionsQuery(trustId: string, endpointId?: string): string {
  return [
    "fields @timestamp, @message",
    `filter action in ["hold", "resume"] and outcome in ["held", "resumed"] and trustId = "${trustId}"${endpointId ? ` and endpointId = "${endpointId}"` : ""}`,
    "sort @timestamp asc",
    "limit 10000",
  ].join("\n| ");
}
