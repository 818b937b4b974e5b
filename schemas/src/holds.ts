import { z } from "zod";
import { EndpointId, Instant, OdsCode } from "./common.ts";

/**
 * Holds (docs/guarantees.md section 10; docs/adr/0002-holds.md): an endpoint's deliveries kept, in order, instead of
 * sent, and drained when the hold ends. This file is the contract every reader shares: the windows a trust file
 * schedules, the state an ad-hoc hold (and every drain) keeps in the holds table, and the one reading of both,
 * `holdDecision`, that the transform Lambda, the drain, the local pipeline and the support tools all use.
 */

/** How long an SQS queue keeps a message at most: 14 days (SQS Developer Guide, SetQueueAttributes MessageRetentionPeriod). */
export const HOLD_STORE_RETENTION_SECONDS = 1_209_600;
/**
 * The longest a hold may run: 13 days, one less than the store keeps a message, so the first delivery held is still
 * there when the drain starts, with a day to drain it (a 14-day window would lose it as the window ends).
 */
export const MAX_HOLD_MS = 13 * 24 * 3600 * 1000;
/** The holds table is read through a cache this old at most; a hold or resume reaches every Lambda within it. */
export const HOLD_STATE_MAX_AGE_SECONDS = 20;
/**
 * After the drain finds the store empty it keeps it closing this long before new deliveries go straight to the bus:
 * every Lambda has then read the closing state (cache age + clock skew), so none still queues behind an empty store.
 */
export const HOLD_CLOSING_MS = (HOLD_STATE_MAX_AGE_SECONDS + 10) * 1000;

const HoldReason = z.string().trim().min(1).max(200);

/** One planned window: from `from` (inclusive) to `until` (exclusive), with a reason support and the trust both see. */
export const HoldWindow = z
  .strictObject({
    from: Instant.describe("When the hold starts (ISO 8601 with an offset, e.g. `2027-01-10T20:00:00Z`), inclusive."),
    until: Instant.describe("When the hold ends and its deliveries drain, exclusive; at most 13 days after `from`."),
    /** Shown to support staff and in the trust's notices, e.g. "EPR upgrade, change CHG0012345". */
    reason: HoldReason.describe("Why, for support staff and the trust's notices (e.g. `EPR upgrade, change CHG0012345`); never patient data."),
  })
  .superRefine((window, ctx) => {
    const span = Date.parse(window.until) - Date.parse(window.from);
    if (span <= 0) ctx.addIssue({ code: "custom", path: ["until"], message: "must be after from" });
    else if (span > MAX_HOLD_MS) {
      ctx.addIssue({ code: "custom", path: ["until"], message: "must be at most 13 days after from (the hold store keeps a delivery 14 days; a day is left to drain)" });
    }
  });
export type HoldWindow = z.infer<typeof HoldWindow>;

/** A list of windows: in order, not overlapping. */
export const HoldWindows = z
  .array(HoldWindow)
  .max(20)
  .superRefine((windows, ctx) => {
    windows.forEach((window, index) => {
      const previous = windows[index - 1];
      if (previous && Date.parse(window.from) < Date.parse(previous.until)) {
        ctx.addIssue({ code: "custom", path: [index, "from"], message: "must not be before the previous window's until (list windows in order, without overlap)" });
      }
    });
  });

/**
 * The windows that hold one endpoint: its trust's and its own, merged where they touch or overlap into the spans the
 * endpoint is actually held. Each merged span keeps the reasons of the windows in it.
 */
export function heldSpans(trustWindows: readonly HoldWindow[], endpointWindows: readonly HoldWindow[]): HoldWindow[] {
  const sorted = [...trustWindows, ...endpointWindows].sort((a, b) => Date.parse(a.from) - Date.parse(b.from));
  const spans: HoldWindow[] = [];
  for (const window of sorted) {
    const last = spans.at(-1);
    if (last && Date.parse(window.from) <= Date.parse(last.until)) {
      if (Date.parse(window.until) > Date.parse(last.until)) last.until = window.until;
      if (!last.reason.split("; ").includes(window.reason)) last.reason = `${last.reason}; ${window.reason}`;
    } else {
      spans.push({ ...window });
    }
  }
  return spans;
}

/** The span holding the endpoint at `now`, if any. */
export function activeSpan(spans: readonly HoldWindow[], now: Date): HoldWindow | undefined {
  const at = now.getTime();
  return spans.find((span) => Date.parse(span.from) <= at && at < Date.parse(span.until));
}

/**
 * One endpoint's hold, as the holds table keeps it (one item per endpoint; absent: not held and nothing to drain).
 * - `held`: deliveries go to the endpoint's hold store.
 * - `draining`: the hold ended (`resume`, or `until` passed); the drain sends the store's deliveries in order and new
 *   deliveries still queue behind them.
 * - `closing`: the drain found the store empty at `emptyAt`; deliveries still queue until `sendFrom`, when every Lambda
 *   has seen this state; the drain then sends what queued meanwhile and deletes the item.
 * Every write is conditioned on `version` (the one it read), so two writers never both win.
 */
export const HoldState = z.strictObject({
  trustId: OdsCode,
  endpointId: EndpointId,
  phase: z.enum(["held", "draining", "closing"]),
  /** A window of the trust file (`schedule`) or an operator's `hold` (`adhoc`). */
  source: z.enum(["schedule", "adhoc"]),
  reason: HoldReason,
  heldAt: Instant,
  /** The operator's identity (STS ARN, or the local user), or `schedule`. */
  heldBy: z.string().min(1).max(256),
  /** When the hold ends by itself (a window's end, or an ad-hoc hold's `--until`); unset: until `resume`. */
  until: Instant.optional(),
  resumedAt: Instant.optional(),
  resumedBy: z.string().min(1).max(256).optional(),
  /** When the drain started (the hold's end). */
  drainStartedAt: Instant.optional(),
  /** `closing`: when the drain found the store empty, and from when deliveries go straight to the bus again. */
  emptyAt: Instant.optional(),
  sendFrom: Instant.optional(),
  /** Deliveries the drain has sent so far. */
  drained: z.int().min(0).default(0),
  version: z.int().min(0),
});
export type HoldState = z.infer<typeof HoldState>;
export type HoldStateInput = z.input<typeof HoldState>;

/** The holds table's key of one endpoint. */
export const holdKey = (trustId: string, endpointId: string): string => `${trustId}#${endpointId}`;

/**
 * Whether a delivery to the endpoint is held now: the one reading of its windows and its hold state.
 * - A hold state in `held` or `draining`, or `closing` before `sendFrom`: held (nothing overtakes a held delivery).
 * - Otherwise a window of the trust file that is active: held, unless the operator resumed during that very window
 *   (`resumedAt` inside it: `resume` ends a scheduled window early).
 * - Otherwise: sent.
 */
export type HoldDecision =
  | { held: false }
  | { held: true; because: "window"; span: HoldWindow }
  | { held: true; because: HoldState["phase"]; state: HoldState };

export function holdDecision(spans: readonly HoldWindow[], state: HoldState | undefined, now: Date): HoldDecision {
  if (state && (state.phase !== "closing" || (state.sendFrom !== undefined && now.getTime() < Date.parse(state.sendFrom)))) {
    return { held: true, because: state.phase, state };
  }
  const span = activeSpan(spans, now);
  if (!span) return { held: false };
  const resumedAt = state?.resumedAt ? Date.parse(state.resumedAt) : undefined;
  if (resumedAt !== undefined && Date.parse(span.from) <= resumedAt && resumedAt < Date.parse(span.until)) return { held: false };
  return { held: true, because: "window", span };
}

/**
 * The name of an endpoint's hold store, an SQS FIFO queue: `<namePrefix>-<ODS>-<endpoint id>-hold.fifo`. One per
 * endpoint, because a FIFO receive cannot choose a message group: a trust-wide queue would hand the drain of one
 * endpoint the held deliveries of another. At most 80 characters (SQS CreateQueue QueueName); the endpoint name before
 * the suffix is already at most 64 (`endpointResourceName`).
 */
export const holdQueueName = (namePrefix: string, trustId: string, endpointId: string): string =>
  `${namePrefix}-${trustId}-${endpointId}-hold.fifo`;
/** Every delivery of an endpoint is one message group: the store hands them back in the order they were held. */
export const HOLD_MESSAGE_GROUP = "deliveries";

/**
 * Deploy-time check of a trust file's windows (`validate-trusts`, the support CLI; not the Lambda, which must keep
 * reading a document whose windows have since passed): a window must not have ended already.
 */
export function endedWindows(windows: readonly HoldWindow[], now: Date): HoldWindow[] {
  return windows.filter((window) => Date.parse(window.until) <= now.getTime());
}
