import { privateAppender } from "./private-files.ts";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";

/**
 * The call history: what the pipeline records about each delivery, identifiers only (no content), and how
 * the `history` command turns the records into each delivery's path. The same records come from AWS
 * (the Lambda's "delivery published" and "record quarantined" log lines, the callbacks buses' logs) and
 * from the local pipeline (`.local/history.jsonl`).
 */

/**
 * One step of a bus's processing of an event, in the EventBridge event bus log schema's own field names
 * (EventBridge User Guide, "Amazon EventBridge event bus log schema":
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-logs-schema.html). `event_id` is the
 * PutEvents `EventId` (`busEventId` of the published line).
 */
export interface BusLogRecord {
  event_id: string;
  message_type: string;
  message_timestamp_ms: number;
  error?: { http_status_code?: number; error_message?: string };
  /**
   * Local only: the HTTP status of a successful attempt. EventBridge's record has `error.http_status_code` only when
   * the step failed ("If no error was generated during this step, EventBridge does not include this field").
   */
  http_status_code?: number;
}

/** A record the pipeline quarantined (its "record quarantined" line): no delivery of it went out, or only some did. */
export interface QuarantineRecord {
  trustId?: string;
  sourceEventId?: string;
  recordId: string;
  reason: string;
  at: string;
  /** Its deliveries as reported (endpoint, state, reason). */
  deliveries: { endpointId: string; state: string; reason?: string; cloudEventId?: string }[];
}

/** One line of the local history file. */
export type HistoryLine =
  | ({ source: "lambda"; kind: "published" } & PublishedDelivery)
  | ({ source: "lambda"; kind: "quarantined" } & QuarantineRecord)
  | ({ source: "bus" } & BusLogRecord)
  | ({ source: "support" } & SupportRecord);

/** Appends values to a JSON-lines file, one line each (the local stand-ins for log groups and the stream). */
export function jsonLinesWriter<T>(file: string): (value: T) => void {
  // Owner-only: the stream holds events and the history their ids (docs/guarantees.md 6.1).
  const append = privateAppender(file);
  return (value) => append(`${JSON.stringify(value)}\n`);
}

/** Appends history lines to a JSON-lines file (the local pipeline's stand-in for the log groups). */
export const historyFileWriter = (file: string): ((line: HistoryLine) => void) => jsonLinesWriter<HistoryLine>(file);

export interface HistoryFilter {
  trustId?: string;
  endpointId?: string;
  sourceEventId?: string;
  cloudEventId?: string;
  since: Date;
  until: Date;
  limit: number;
}

/** Identifiers that may be put in a query: anything else is a usage error (so no quoting is ever needed). */
export const SAFE_ID = /^[A-Za-z0-9._:-]{1,200}$/;

/** What the DLQ check found for a CloudEvent id. */
export interface DeadLetterSighting {
  cloudEventId: string;
  endpointId: string;
  errorCode: string;
  retryAttempts: number;
}

/** A redrive, replay or purge of one delivery, as the support CLI records it (its audit line's fields). */
export interface SupportRecord {
  action: "redrive" | "replay" | "purge";
  at: string;
  /** The caller identity string the support CLI records (`operator()` in scripts/support/audit.ts). */
  operator: string;
  trustId: string;
  endpointId: string;
  cloudEventId: string;
  /** The PutEvents `EventId` of the re-published entry (redrive, replay); a purge has none. */
  busEventId?: string;
}

const SUPPORT_ACTIONS = { redrive: "redriven", replay: "replayed", purge: "purged" } as const;

/**
 * The support record an audit line stands for, when it is one: a redrive, replay or purge that happened (outcome
 * `redriven`, `replayed`, `purged`) to a named delivery. Dry runs, failures and skips change no delivery.
 */
export function supportRecordOfAuditLine(line: Record<string, unknown>): SupportRecord | undefined {
  const action = line.action;
  if (action !== "redrive" && action !== "replay" && action !== "purge") return undefined;
  if (line.outcome !== SUPPORT_ACTIONS[action]) return undefined;
  const { at, operator, trustId, endpointId, cloudEventId, busEventId } = line;
  if (typeof at !== "string" || typeof trustId !== "string" || typeof endpointId !== "string" || typeof cloudEventId !== "string") return undefined;
  return {
    action,
    at,
    operator: typeof operator === "string" ? operator : "unknown",
    trustId,
    endpointId,
    cloudEventId,
    ...(typeof busEventId === "string" && busEventId ? { busEventId } : {}),
  };
}

/** Where a delivery ended (or stands): the one state `deliveryStories` gives it (docs/guarantees.md 8.20). */
export type StoryState = "DELIVERED" | "FAILED" | "PENDING" | "PURGED" | "QUARANTINED";

export type AttemptOutcome = "success" | "retryable-failure" | "permanent-failure" | "throttled";

/** One step of a delivery's story, in the `history --json` shape (docs/runbook.md, step 9). */
export type StoryStep =
  | { at: string; kind: "published"; busEventId: string }
  | { at: string; kind: "attempt"; busEventId: string; outcome: AttemptOutcome; httpStatus?: number; error?: string }
  | { at: string; kind: "dead-lettered"; busEventId: string }
  | { at: string; kind: "given-up"; busEventId: string }
  | { at: string; kind: "redrive" | "replay"; by: string; busEventId?: string }
  | { at: string; kind: "purge"; by: string }
  | { at: string; kind: "quarantined"; reason: string };

/** One delivery (a CloudEvent to one endpoint) from its publication to where it stands, as data for the CLI and the console. */
export interface DeliveryStory {
  trustId?: string;
  endpointId?: string;
  cloudEventId?: string;
  sourceEventId?: string;
  eventCorrelationId?: string;
  eventType?: string;
  state: StoryState;
  /** Where a FAILED delivery is (DLQ or dropped), or why a record was quarantined. */
  detail?: string;
  steps: StoryStep[];
}

/** What the history sources found; `deliveryStories` joins it. */
export interface StoryInput {
  published: readonly PublishedDelivery[];
  busLogs: readonly BusLogRecord[];
  deadLetters: readonly DeadLetterSighting[];
  quarantined: readonly QuarantineRecord[];
  support: readonly SupportRecord[];
}

const ATTEMPT_OUTCOMES: Record<string, AttemptOutcome> = {
  INVOCATION_ATTEMPT_SUCCESS: "success",
  INVOCATION_ATTEMPT_RETRYABLE_FAILURE: "retryable-failure",
  INVOCATION_ATTEMPT_PERMANENT_FAILURE: "permanent-failure",
  INVOCATION_ATTEMPT_THROTTLE: "throttled",
};

// Steps at the same millisecond keep the order in which they happen.
const STEP_ORDER: StoryStep["kind"][] = ["quarantined", "published", "redrive", "replay", "attempt", "dead-lettered", "given-up", "purge"];
const byTime = (a: StoryStep, b: StoryStep) => a.at.localeCompare(b.at) || STEP_ORDER.indexOf(a.kind) - STEP_ORDER.indexOf(b.kind);

/**
 * Each delivery's story (docs/guarantees.md 8.20): joined by CloudEvent id and endpoint, its publication, the
 * attempts of every bus event that carried it (the first publication, each redrive and replay), dead-lettering,
 * the support actions, in time order, and the one state it ends in. Pure: the CLI and the console render it.
 */
export function deliveryStories(input: StoryInput): DeliveryStory[] {
  const stories = new Map<string, DeliveryStory>();
  const keyOf = (cloudEventId: string, endpointId: string) => `${cloudEventId}/${endpointId}`;
  const storyOf = (key: string, head: Omit<DeliveryStory, "state" | "steps">) => {
    let story = stories.get(key);
    if (!story) stories.set(key, (story = { ...head, state: "PENDING", steps: [] }));
    return story;
  };
  // Bus events re-published by support actions: their own "published" lines (a local replay writes them) are the action.
  const supportBusEvents = new Set(input.support.flatMap((s) => (s.busEventId ? [s.busEventId] : [])));
  const storyOfBusEvent = new Map<string, DeliveryStory>();
  for (const p of [...input.published].sort((a, b) => a.publishedAt.localeCompare(b.publishedAt))) {
    const story = storyOf(keyOf(p.cloudEventId, p.endpointId), {
      trustId: p.trustId,
      endpointId: p.endpointId,
      cloudEventId: p.cloudEventId,
      sourceEventId: p.sourceEventId,
      eventCorrelationId: p.eventCorrelationId,
      eventType: p.eventType,
    });
    if (storyOfBusEvent.has(p.busEventId)) continue;
    storyOfBusEvent.set(p.busEventId, story);
    if (!supportBusEvents.has(p.busEventId)) story.steps.push({ at: p.publishedAt, kind: "published", busEventId: p.busEventId });
  }
  const seen = new Set<string>();
  for (const s of input.support) {
    const identity = JSON.stringify([s.action, s.at, s.cloudEventId, s.endpointId, s.busEventId ?? ""]);
    if (seen.has(identity)) continue;
    seen.add(identity);
    const story = storyOf(keyOf(s.cloudEventId, s.endpointId), { trustId: s.trustId, endpointId: s.endpointId, cloudEventId: s.cloudEventId });
    if (s.action === "purge") story.steps.push({ at: s.at, kind: "purge", by: s.operator });
    else {
      story.steps.push({ at: s.at, kind: s.action, by: s.operator, ...(s.busEventId ? { busEventId: s.busEventId } : {}) });
      if (s.busEventId) storyOfBusEvent.set(s.busEventId, story);
    }
  }
  // INVOCATION_SUCCESS stands for the successful attempt only where that attempt's own record is not there (at INFO).
  const attemptSucceeded = new Set(input.busLogs.flatMap((log) => (log.message_type === "INVOCATION_ATTEMPT_SUCCESS" ? [log.event_id] : [])));
  for (const log of [...input.busLogs].sort((a, b) => a.message_timestamp_ms - b.message_timestamp_ms)) {
    const story = storyOfBusEvent.get(log.event_id);
    if (!story) continue;
    const at = new Date(log.message_timestamp_ms).toISOString();
    const busEventId = log.event_id;
    const outcome = ATTEMPT_OUTCOMES[log.message_type] ?? (log.message_type === "INVOCATION_SUCCESS" && !attemptSucceeded.has(busEventId) ? "success" : undefined);
    if (outcome) {
      // EventBridge logs `error.http_status_code` for failures only; the local API destination also records a success's status.
      const httpStatus = log.error?.http_status_code ?? log.http_status_code;
      story.steps.push({
        at,
        kind: "attempt",
        busEventId,
        outcome,
        ...(httpStatus !== undefined ? { httpStatus: Number(httpStatus) } : {}),
        ...(log.error?.error_message ? { error: log.error.error_message } : {}),
      });
    } else if (log.message_type === "INVOCATION_DLQ") story.steps.push({ at, kind: "dead-lettered", busEventId });
    else if (log.message_type === "INVOCATION_FAILURE") story.steps.push({ at, kind: "given-up", busEventId });
  }
  const dead = new Map(input.deadLetters.map((d) => [keyOf(d.cloudEventId, d.endpointId), d]));
  for (const [key, story] of stories) {
    story.steps.sort(byTime);
    const ending = finalState(story.steps, dead.get(key));
    story.state = ending.state;
    if (ending.detail) story.detail = ending.detail;
  }
  const result = [...stories.values()];
  for (const q of input.quarantined) {
    const failedDeliveries = q.deliveries.filter((d) => d.state !== "published");
    for (const d of failedDeliveries.length > 0 ? failedDeliveries : [undefined]) {
      const reason = d?.reason ?? q.reason;
      result.push({
        ...(q.trustId ? { trustId: q.trustId } : {}),
        ...(d ? { endpointId: d.endpointId } : {}),
        ...(d?.cloudEventId ? { cloudEventId: d.cloudEventId } : {}),
        ...(q.sourceEventId ? { sourceEventId: q.sourceEventId } : {}),
        state: "QUARANTINED",
        detail: reason,
        steps: [{ at: q.at, kind: "quarantined", reason }],
      });
    }
  }
  const startOf = (s: DeliveryStory) => s.steps[0]?.at ?? "";
  return result.sort((a, b) => startOf(a).localeCompare(startOf(b)));
}

/** The state the steps end in (the table of docs/guarantees.md 8.20), and where a FAILED delivery is. */
function finalState(steps: readonly StoryStep[], inDeadLetterQueue: DeadLetterSighting | undefined): { state: StoryState; detail?: string } {
  if (steps.some((step) => step.kind === "attempt" && step.outcome === "success")) return { state: "DELIVERED" };
  // The dead letter is in the queue now: whatever was logged before, that is where it stands.
  if (inDeadLetterQueue) return { state: "FAILED", detail: `in the trust's DLQ: ${inDeadLetterQueue.errorCode} after ${inDeadLetterQueue.retryAttempts} retries` };
  let ending: { state: StoryState; detail?: string } = { state: "PENDING" };
  for (const step of steps) {
    if (step.kind === "published" || step.kind === "redrive" || step.kind === "replay") ending = { state: "PENDING" };
    else if (step.kind === "dead-lettered") ending = { state: "FAILED", detail: "sent to the trust's DLQ, no longer there: redriven or purged without a history record" };
    else if (step.kind === "given-up") ending = { state: "FAILED", detail: "given up without a DLQ: replay it from the stream" };
    else if (step.kind === "purge") ending = { state: "PURGED" };
  }
  return ending;
}

/** Whether a record matches the filter (the local reader; the AWS reader filters in its queries). */
export function selectsPublished(p: PublishedDelivery, f: HistoryFilter): boolean {
  const at = Date.parse(p.publishedAt);
  return (
    at >= f.since.getTime() &&
    at <= f.until.getTime() &&
    (!f.trustId || p.trustId === f.trustId) &&
    (!f.endpointId || p.endpointId === f.endpointId) &&
    (!f.sourceEventId || p.sourceEventId === f.sourceEventId) &&
    (!f.cloudEventId || p.cloudEventId === f.cloudEventId)
  );
}

export function selectsQuarantined(q: QuarantineRecord, f: HistoryFilter): boolean {
  const at = Date.parse(q.at);
  return (
    at >= f.since.getTime() &&
    at <= f.until.getTime() &&
    (!f.trustId || q.trustId === f.trustId) &&
    (!f.endpointId || q.deliveries.length === 0 || q.deliveries.some((d) => d.endpointId === f.endpointId)) &&
    (!f.sourceEventId || q.sourceEventId === f.sourceEventId) &&
    (!f.cloudEventId || q.deliveries.some((d) => d.cloudEventId === f.cloudEventId))
  );
}

/** The Lambda's message for a quarantined record (core/stages/report.ts). */
export const QUARANTINED_MESSAGE = "record quarantined";
export const PUBLISHED_MESSAGE = "delivery published";

/**
 * The Logs Insights query over the Lambda's log group for the filter: its "delivery published" lines and
 * its "record quarantined" lines (which name the source event id `eventId`). Values are SAFE_ID, so they
 * are quoted as they are. CloudWatch Logs User Guide, "CloudWatch Logs Insights language query syntax"
 * (fields, filter, sort, limit; `=` and `or`): https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
export function lambdaHistoryQuery(f: HistoryFilter): string {
  const lines = [
    "fields @timestamp, @message",
    `filter message = "${PUBLISHED_MESSAGE}" or message = "${QUARANTINED_MESSAGE}"`,
  ];
  if (f.trustId) lines.push(`filter trustId = "${f.trustId}"`);
  // A quarantine line names its endpoints inside `deliveries`: it is kept here and matched by the reader.
  if (f.endpointId) lines.push(`filter endpointId = "${f.endpointId}" or message = "${QUARANTINED_MESSAGE}"`);
  if (f.sourceEventId) lines.push(`filter sourceEventId = "${f.sourceEventId}" or eventId = "${f.sourceEventId}"`);
  if (f.cloudEventId) lines.push(`filter cloudEventId = "${f.cloudEventId}" or message = "${QUARANTINED_MESSAGE}"`);
  lines.push("sort @timestamp asc", `limit ${f.limit}`);
  return lines.join("\n| ");
}

/**
 * The Logs Insights query over the buses' log group for the given bus event ids: the invocation steps
 * (message types INVOCATION_*), with the HTTP status when the record carries one (`error.http_status_code`).
 */
export function busLogQuery(busEventIds: readonly string[]): string {
  const ids = busEventIds.map((id) => `"${id}"`).join(", ");
  return [
    "fields @timestamp, event_id, message_type, message_timestamp_ms, error.http_status_code, error.error_message",
    `filter event_id in [${ids}]`,
    "filter message_type like /^INVOCATION_/",
    "sort @timestamp asc",
    "limit 10000",
  ].join("\n| ");
}

/**
 * The Logs Insights query over the support audit log group for the redrives, replays and purges (that happened) of
 * the given CloudEvent ids: the records `supportRecordOfAuditLine` reads. Ids are SAFE_ID (CloudEvent ids are UUIDs).
 */
export function supportHistoryQuery(cloudEventIds: readonly string[]): string {
  const quoted = (values: readonly string[]) => values.map((v) => `"${v}"`).join(", ");
  return [
    "fields @timestamp, @message",
    `filter action in [${quoted(Object.keys(SUPPORT_ACTIONS))}] and outcome in [${quoted(Object.values(SUPPORT_ACTIONS))}]`,
    `filter cloudEventId in [${quoted(cloudEventIds)}]`,
    "sort @timestamp asc",
    "limit 10000",
  ].join("\n| ");
}

/** A quarantine log line (`eventID`, `eventId`, `trustId`, `reason`, `deliveries`, `time`) as a QuarantineRecord. */
export function quarantineRecordOfLogLine(line: Record<string, unknown>): QuarantineRecord {
  return {
    ...(typeof line.trustId === "string" ? { trustId: line.trustId } : {}),
    ...(typeof line.eventId === "string" ? { sourceEventId: line.eventId } : {}),
    recordId: String(line.eventID ?? ""),
    reason: String(line.reason ?? ""),
    at: String(line.time ?? ""),
    deliveries: Array.isArray(line.deliveries) ? (line.deliveries as QuarantineRecord["deliveries"]) : [],
  };
}

/** Human-readable lines for one story: a head line (trust/endpoint, state, ids), then one line per step. */
export function describeStory(story: DeliveryStory): string {
  const head = `${story.trustId ?? "?"}/${story.endpointId ?? "-"}  ${story.state}  source ${story.sourceEventId ?? "?"}  cloudevent ${story.cloudEventId ?? "-"}${story.eventType ? `  ${story.eventType}` : ""}`;
  const line = (step: StoryStep): string => {
    switch (step.kind) {
      case "published":
        return `published (bus event ${step.busEventId})`;
      case "attempt":
        return `attempt ${step.outcome}${step.httpStatus !== undefined ? ` HTTP ${step.httpStatus}` : ""}${step.error ? `: ${step.error}` : ""}`;
      case "dead-lettered":
        return "sent to the trust's DLQ";
      case "given-up":
        return "given up (no DLQ)";
      case "redrive":
      case "replay":
        return `${step.kind} by ${step.by}${step.busEventId ? ` (bus event ${step.busEventId})` : ""}`;
      case "purge":
        return `purged from the DLQ by ${step.by}`;
      case "quarantined":
        return `quarantined: ${step.reason}`;
    }
  };
  return [head, ...story.steps.map((step) => `  ${step.at}  ${line(step)}`), ...(story.detail && story.state !== "QUARANTINED" ? [`  ${story.detail}`] : [])].join("\n");
}
