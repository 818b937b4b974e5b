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
  | ({ source: "bus" } & BusLogRecord);

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

export type DeliveryState = "delivered" | "in retry" | "pending" | "dead-lettered" | "failed" | "quarantined";

export interface DeliveryAttempt {
  at: string;
  outcome: string;
  httpStatus?: number;
  error?: string;
}

/** One delivery's path: published (or not, when quarantined), the bus's attempts, and where it stands. */
export interface DeliveryPath {
  trustId?: string;
  endpointId?: string;
  sourceEventId?: string;
  cloudEventId?: string;
  eventType?: string;
  eventCorrelationId?: string;
  busEventId?: string;
  publishedAt?: string;
  attempts: DeliveryAttempt[];
  state: DeliveryState;
  detail?: string;
}

/** What the DLQ check found for a CloudEvent id. */
export interface DeadLetterSighting {
  cloudEventId: string;
  endpointId: string;
  errorCode: string;
  retryAttempts: number;
}

const ATTEMPT_TYPES = new Set([
  "INVOCATION_ATTEMPT_SUCCESS",
  "INVOCATION_ATTEMPT_RETRYABLE_FAILURE",
  "INVOCATION_ATTEMPT_PERMANENT_FAILURE",
  "INVOCATION_ATTEMPT_THROTTLE",
]);

/**
 * Each delivery's path from the records. A delivery is delivered once the bus logged a successful attempt
 * (`INVOCATION_ATTEMPT_SUCCESS` or `INVOCATION_SUCCESS`); dead-lettered when its CloudEvent id is in its trust's
 * DLQ (or the bus logged `INVOCATION_DLQ`); failed when the bus gave up without a DLQ (`INVOCATION_FAILURE`);
 * in retry after a failed attempt; pending while no attempt is logged. Quarantined records come as their own rows.
 */
export function deliveryPaths(
  published: readonly PublishedDelivery[],
  busLogs: readonly BusLogRecord[],
  deadLetters: readonly DeadLetterSighting[],
  quarantined: readonly QuarantineRecord[],
): DeliveryPath[] {
  const logsByEvent = new Map<string, BusLogRecord[]>();
  for (const log of [...busLogs].sort((a, b) => a.message_timestamp_ms - b.message_timestamp_ms)) {
    logsByEvent.set(log.event_id, [...(logsByEvent.get(log.event_id) ?? []), log]);
  }
  const dead = new Map(deadLetters.map((d) => [`${d.cloudEventId}/${d.endpointId}`, d]));
  const paths: DeliveryPath[] = published.map((p) => {
    const logs = logsByEvent.get(p.busEventId) ?? [];
    const attempts = logs
      .filter((log) => ATTEMPT_TYPES.has(log.message_type))
      .map((log): DeliveryAttempt => ({
        at: new Date(log.message_timestamp_ms).toISOString(),
        outcome: log.message_type.replace("INVOCATION_ATTEMPT_", "").toLowerCase(),
        ...(log.error?.http_status_code !== undefined ? { httpStatus: Number(log.error.http_status_code) } : {}),
        ...(log.error?.error_message ? { error: log.error.error_message } : {}),
      }));
    const types = new Set(logs.map((log) => log.message_type));
    const letter = dead.get(`${p.cloudEventId}/${p.endpointId}`);
    let state: DeliveryState;
    let detail: string | undefined;
    if (types.has("INVOCATION_ATTEMPT_SUCCESS") || types.has("INVOCATION_SUCCESS")) state = "delivered";
    else if (letter || types.has("INVOCATION_DLQ")) {
      state = "dead-lettered";
      detail = letter ? `in the trust's DLQ: ${letter.errorCode} after ${letter.retryAttempts} retries` : "sent to the trust's DLQ (no longer there: redriven or purged)";
    } else if (types.has("INVOCATION_FAILURE")) state = "failed";
    else if (attempts.length > 0) state = "in retry";
    else state = "pending";
    return {
      trustId: p.trustId,
      endpointId: p.endpointId,
      sourceEventId: p.sourceEventId,
      cloudEventId: p.cloudEventId,
      eventType: p.eventType,
      eventCorrelationId: p.eventCorrelationId,
      busEventId: p.busEventId,
      publishedAt: p.publishedAt,
      attempts,
      state,
      ...(detail ? { detail } : {}),
    };
  });
  for (const q of quarantined) {
    const failedDeliveries = q.deliveries.filter((d) => d.state !== "published");
    const rows = failedDeliveries.length > 0 ? failedDeliveries : [undefined];
    for (const d of rows) {
      paths.push({
        ...(q.trustId ? { trustId: q.trustId } : {}),
        ...(d ? { endpointId: d.endpointId } : {}),
        ...(q.sourceEventId ? { sourceEventId: q.sourceEventId } : {}),
        ...(d?.cloudEventId ? { cloudEventId: d.cloudEventId } : {}),
        attempts: [],
        state: "quarantined",
        detail: `${q.at}: ${d?.reason ?? q.reason}`,
      });
    }
  }
  return paths.sort((a, b) => (a.publishedAt ?? "").localeCompare(b.publishedAt ?? ""));
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

/** Human-readable lines for one path. */
export function describePath(path: DeliveryPath): string {
  const head = `${path.trustId ?? "?"}/${path.endpointId ?? "-"}  ${path.state.toUpperCase()}  source ${path.sourceEventId ?? "?"}  cloudevent ${path.cloudEventId ?? "-"}${path.eventType ? `  ${path.eventType}` : ""}`;
  const steps = [
    ...(path.publishedAt ? [`  ${path.publishedAt}  published (bus event ${path.busEventId})`] : []),
    ...path.attempts.map((a) => `  ${a.at}  attempt ${a.outcome}${a.httpStatus !== undefined ? ` HTTP ${a.httpStatus}` : ""}${a.error ? `: ${a.error}` : ""}`),
    ...(path.detail ? [`  ${path.detail}`] : []),
  ];
  return [head, ...steps].join("\n");
}
