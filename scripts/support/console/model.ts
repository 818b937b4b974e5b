import type { TrustConfig } from "@trust-callbacks/schemas";
import type { DeliveryStory } from "../../lib/call-history.ts";

/**
 * The console's view models: pure functions from what the sources read (trust files, DLQ stats, connection
 * states, alarms, the call history) to what the pages show. Table-tested in model.test.ts.
 */

/** EventBridge connection states (DescribeConnection / ListConnections `ConnectionState`), or not known here. */
export type ConnectionState = "CREATING" | "UPDATING" | "DELETING" | "AUTHORIZED" | "DEAUTHORIZED" | "AUTHORIZING" | "DEAUTHORIZING" | "ACTIVE" | "FAILED_CONNECTIVITY" | "unknown";

export interface DlqStats {
  depth: number;
  oldestSentTimestamp?: number;
}

/** What a source read about the deployment, before any view is made of it. */
export interface HealthInputs {
  trusts: TrustConfig[];
  dlqs: Map<string, DlqStats>;
  /** By `<trustId>/<endpointId>`; absent: unknown. */
  connections: Map<string, ConnectionState>;
  /** Alarm names in ALARM, by trust id. */
  alarms: Map<string, string[]>;
  /**
   * The window's delivery stories (`deliveryStories`, the history's own join): each attempt step is counted, those of
   * a redriven or replayed delivery's new bus events as well as the first publication's.
   */
  stories: DeliveryStory[];
  now: Date;
}

export const HOURS = 24;

export interface EndpointHealth {
  trustId: string;
  trustName: string;
  endpointId: string;
  enabled: boolean;
  /** Issue #25 ("held": deliveries kept back for the trust) is not built yet: always false until it is. */
  held: false;
  connection: ConnectionState;
  /** The trust's DLQ (one per trust, shared by its endpoints). */
  dlqDepth: number;
  dlqOldestAgeSeconds?: number;
  /** Per hour of the last 24 (oldest first): successful attempts, and failed attempts (retryable, permanent, throttled). */
  delivered: number[];
  failed: number[];
  alarms: string[];
}

/** Every endpoint of every trust, with its health over the 24 hours before `now`. */
export function endpointHealth(inputs: HealthInputs): EndpointHealth[] {
  const start = inputs.now.getTime() - HOURS * 3600_000;
  const series = new Map<string, { delivered: number[]; failed: number[] }>();
  for (const story of inputs.stories) {
    for (const step of story.steps) {
      if (step.kind !== "attempt") continue;
      const hour = Math.floor((Date.parse(step.at) - start) / 3600_000);
      if (hour < 0 || hour >= HOURS) continue;
      const key = `${story.trustId}/${story.endpointId}`;
      const entry = series.get(key) ?? { delivered: Array(HOURS).fill(0), failed: Array(HOURS).fill(0) };
      entry[step.outcome === "success" ? "delivered" : "failed"][hour] += 1;
      series.set(key, entry);
    }
  }
  return inputs.trusts.flatMap((trust) => {
    const dlq = inputs.dlqs.get(trust.trustId) ?? { depth: 0 };
    return trust.endpoints.map((endpoint): EndpointHealth => {
      const key = `${trust.trustId}/${endpoint.id}`;
      const s = series.get(key) ?? { delivered: Array(HOURS).fill(0), failed: Array(HOURS).fill(0) };
      return {
        trustId: trust.trustId,
        trustName: trust.name,
        endpointId: endpoint.id,
        enabled: endpoint.enabled && trust.enabled,
        held: false,
        connection: inputs.connections.get(key) ?? "unknown",
        dlqDepth: dlq.depth,
        ...(dlq.oldestSentTimestamp !== undefined ? { dlqOldestAgeSeconds: Math.max(0, Math.round((inputs.now.getTime() - dlq.oldestSentTimestamp) / 1000)) } : {}),
        delivered: s.delivered,
        failed: s.failed,
        alarms: inputs.alarms.get(trust.trustId) ?? [],
      };
    });
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/**
 * What needs attention first: an alarm in ALARM, then a connection that is not authorized (an enabled endpoint
 * cannot deliver), then a deeper DLQ, then more failed attempts in 24 h; then by trust and endpoint id.
 */
export function attentionOrder(a: EndpointHealth, b: EndpointHealth): number {
  return (
    Number(b.alarms.length > 0) - Number(a.alarms.length > 0) ||
    Number(b.connection === "DEAUTHORIZED") - Number(a.connection === "DEAUTHORIZED") ||
    b.dlqDepth - a.dlqDepth ||
    sum(b.failed) - sum(a.failed) ||
    a.trustId.localeCompare(b.trustId) ||
    a.endpointId.localeCompare(b.endpointId)
  );
}

export const PAGE_SIZE = 50;

export interface OverviewQuery {
  /** Trust id or name, any part, any case. */
  trust?: string;
  sort: "attention" | "trust";
  page: number;
}

export interface OverviewModel {
  rows: (EndpointHealth & { deliveredTotal: number; failedTotal: number })[];
  query: OverviewQuery;
  total: number;
  pages: number;
  alarms: { trustId: string; name: string }[];
}

/** The overview's one page: filtered by trust, sorted, `PAGE_SIZE` rows. A page past the end shows the last. */
export function overviewModel(endpoints: EndpointHealth[], query: OverviewQuery): OverviewModel {
  const needle = query.trust?.trim().toLowerCase();
  const matching = needle ? endpoints.filter((e) => e.trustId.toLowerCase().includes(needle) || e.trustName.toLowerCase().includes(needle)) : endpoints;
  const sorted = [...matching].sort(query.sort === "trust" ? (a, b) => a.trustId.localeCompare(b.trustId) || a.endpointId.localeCompare(b.endpointId) : attentionOrder);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page), pages);
  const alarms = [...new Map(matching.flatMap((e) => e.alarms.map((name) => [name, { trustId: e.trustId, name }]))).values()];
  return {
    rows: sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((e) => ({ ...e, deliveredTotal: sum(e.delivered), failedTotal: sum(e.failed) })),
    query: { ...query, page },
    total: sorted.length,
    pages,
    alarms,
  };
}

/** "3 h 20 min", "45 s": the age of a DLQ's oldest message. */
export function age(seconds: number | undefined): string {
  if (seconds === undefined) return "–";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
