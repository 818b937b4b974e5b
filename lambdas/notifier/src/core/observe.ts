import { ODS_CODE_PATTERN } from "@trust-callbacks/schemas";
import type { Cause, Observed } from "./model.ts";

/**
 * AWS events → observations (docs/guarantees.md 10.31). Pure: no AWS SDK, the event as EventBridge hands it to Lambda.
 *
 * CloudWatch "Alarm State Change" (source `aws.cloudwatch`; delivered durably, "CloudWatch guarantees the delivery of
 * alarm state change events to EventBridge": Amazon CloudWatch User Guide, "Alarm events and EventBridge",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html): `detail.alarmName`,
 * `detail.state` and `detail.previousState`, each `{ value: "OK" | "ALARM" | "INSUFFICIENT_DATA", reason, reasonData,
 * timestamp }` (timestamps written like `2019-10-02T17:04:40.989+0000`; `reasonData` a JSON string with
 * `recentDatapoints` for a single-metric alarm).
 *
 * EventBridge connection state events (source `aws.events`, detail-types `Connection Deauthorized`, `Connection
 * Authorized`, `Connection Activated` and the `... Started` ones; `detail.ConnectionName`, `detail.StateReason`,
 * `detail.Timestamp`: Amazon EventBridge User Guide, "Amazon EventBridge events detail reference", Connection state
 * events, https://docs.aws.amazon.com/eventbridge/latest/userguide/event-reference.html#event-detail-connection-state).
 * They are delivered best effort (EventBridge Events Reference, "Amazon EventBridge events",
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-eventbridge.html): a lost one means no notice of a
 * deauthorization, and the dead-letter alarm still tells the trust its deliveries fail. The connection's name also
 * comes from the event's `resources` ARN (`...:connection/<name>/<uuid>`: EventBridge API Reference, Connection,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Connection.html) when the detail lacks it.
 */

export const ALARM_DETAIL_TYPE = "CloudWatch Alarm State Change";
export const DEAD_LETTER_ALARM_SUFFIX = "-dead-letters";
const CONNECTION_FAILING = new Set(["Connection Deauthorized"]);
const CONNECTION_HEALTHY = new Set(["Connection Authorized", "Connection Activated"]);

const ENDPOINT_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

interface RawEvent {
  source?: unknown;
  "detail-type"?: unknown;
  time?: unknown;
  resources?: unknown;
  detail?: Record<string, unknown>;
}

/** `<prefix>-<ODS>-<endpoint>` → the endpoint, or undefined when the name is not one of ours. ODS codes hold no `-`. */
export function endpointOfResourceName(name: string, namePrefix: string): { trustId: string; endpointId: string } | undefined {
  if (!name.startsWith(`${namePrefix}-`)) return undefined;
  const rest = name.slice(namePrefix.length + 1);
  const dash = rest.indexOf("-");
  if (dash < 0) return undefined;
  const trustId = rest.slice(0, dash);
  const endpointId = rest.slice(dash + 1);
  return ODS_CODE_PATTERN.test(trustId) && ENDPOINT_ID.test(endpointId) ? { trustId, endpointId } : undefined;
}

/** An instant as UTC ISO 8601 (`+0000` offsets accepted), or undefined. */
export function isoInstant(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

function deadLettersOf(reasonData: unknown): number | undefined {
  if (typeof reasonData !== "string") return undefined;
  try {
    const points = (JSON.parse(reasonData) as { recentDatapoints?: unknown }).recentDatapoints;
    if (!Array.isArray(points)) return undefined;
    const values = points.filter((point): point is number => typeof point === "number" && Number.isFinite(point) && point >= 0);
    return values.length > 0 ? Math.round(Math.max(...values)) : undefined;
  } catch {
    return undefined;
  }
}

export function observationOf(event: unknown, namePrefix: string): Observed {
  const raw = record(event) as RawEvent | undefined;
  if (!raw) return { ignored: "not an EventBridge event" };
  const detailType = raw["detail-type"];
  const detail = record(raw.detail);
  if (raw.source === "aws.cloudwatch" && detailType === ALARM_DETAIL_TYPE && detail) return alarmObservation(raw, detail, namePrefix);
  if (raw.source === "aws.events" && typeof detailType === "string" && detailType.startsWith("Connection ") && detail) {
    return connectionObservation(raw, detailType, detail, namePrefix);
  }
  return { ignored: `event ${String(raw.source)} / ${String(detailType)} is not a dead-letter alarm or connection state change` };
}

function alarmObservation(raw: RawEvent, detail: Record<string, unknown>, namePrefix: string): Observed {
  const alarmName = typeof detail.alarmName === "string" ? detail.alarmName : "";
  if (!alarmName.endsWith(DEAD_LETTER_ALARM_SUFFIX)) return { ignored: `alarm ${alarmName || "(unnamed)"} is not a dead-letter alarm` };
  const endpoint = endpointOfResourceName(alarmName.slice(0, -DEAD_LETTER_ALARM_SUFFIX.length), namePrefix);
  if (!endpoint) return { ignored: `alarm ${alarmName} is not an endpoint's of ${namePrefix}` };
  const state = record(detail.state);
  const previous = record(detail.previousState);
  const now = state?.value;
  const before = previous?.value;
  const at = isoInstant(state?.timestamp) ?? isoInstant(raw.time);
  if (!at) return { ignored: `alarm ${alarmName} changed at no readable time` };
  if (now === "ALARM" && before === "OK") {
    const deadLetters = deadLettersOf(state?.reasonData);
    return { observation: { ...endpoint, cause: "dead-letters", health: "failing", at, ...(deadLetters === undefined ? {} : { deadLetters }) } };
  }
  if (now === "OK" && before === "ALARM") return { observation: { ...endpoint, cause: "dead-letters", health: "healthy", at } };
  return { ignored: `alarm ${alarmName} went ${String(before)} -> ${String(now)}: not a change between healthy and failing` };
}

function connectionObservation(raw: RawEvent, detailType: string, detail: Record<string, unknown>, namePrefix: string): Observed {
  const health = CONNECTION_FAILING.has(detailType) ? "failing" : CONNECTION_HEALTHY.has(detailType) ? "healthy" : undefined;
  if (!health) return { ignored: `connection event ${detailType} is not a change between authorized and deauthorized` };
  const fromArn = Array.isArray(raw.resources)
    ? raw.resources.map((arn) => (typeof arn === "string" ? /:connection\/([.\-_A-Za-z0-9]+)\//.exec(arn)?.[1] : undefined)).find(Boolean)
    : undefined;
  const name = typeof detail.ConnectionName === "string" ? detail.ConnectionName : fromArn;
  if (!name) return { ignored: `connection event ${detailType} names no connection` };
  const endpoint = endpointOfResourceName(name, namePrefix);
  if (!endpoint) return { ignored: `connection ${name} is not an endpoint's of ${namePrefix}` };
  const at = isoInstant(detail.Timestamp) ?? isoInstant(raw.time);
  if (!at) return { ignored: `connection ${name} changed at no readable time` };
  const cause: Cause = "connection-deauthorized";
  return { observation: { ...endpoint, cause, health, at } };
}
