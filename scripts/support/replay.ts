import type { Logger } from "pino";
import type { TrustConfig } from "@trust-callbacks/schemas";
import {
  DEFAULT_SETTINGS,
  createLogger,
  found,
  notFound,
  processBatch,
  type DataKeyUnwrapper,
  type DeliveryHistory,
  type EventPublisher,
  type PipeKinesisRecord,
  type PublishedDelivery,
  type SigningSecretSource,
} from "@trust-callbacks/transform-filter";
import type { AuditLine } from "./redrive.ts";
import type { StreamReader, StreamWindow } from "./stream.ts";

export interface ReplayOptions {
  trust: TrustConfig;
  /** Only these endpoints of the trust (all of them when unset). */
  endpointIds?: string[];
  window: StreamWindow;
  dryRun: boolean;
  /** Events per second at most. */
  ratePerSecond: number;
  /** What the Lambda has: keys, signing secrets, the bus (for a dry run: a publisher that sends nothing). */
  keys: DataKeyUnwrapper;
  secrets: SigningSecretSource;
  publisher: EventPublisher;
  history?: DeliveryHistory;
  eventBusName: string;
  cloudEventSource: string;
  busSource?: string;
  operator: string;
  audit: (line: AuditLine) => void;
  progress?: (read: number, replayed: number) => void;
  /** Aborting stops before the next group of events; a group in hand is finished (published or reported). */
  signal?: AbortSignal;
  logger?: Logger;
}

export interface ReplaySummary {
  read: number;
  selected: number;
  deliveriesReplayed: number;
  filtered: number;
  skipped: number;
  failed: number;
  stoppedEarly: boolean;
}

/** The platform event's trust id, read without decrypting (the field is plain); undefined when unreadable. */
function trustOf(record: PipeKinesisRecord): string | undefined {
  try {
    const event = JSON.parse(Buffer.from(record.data, "base64").toString("utf8")) as { trustId?: unknown };
    return typeof event.trustId === "string" ? event.trustId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Replays a window of the source stream to one trust (and optionally some of its endpoints) through the same core
 * as the Lambda (`processBatch`): the trust's events only, routed to the selected endpoints only, freshly signed,
 * with the same deterministic CloudEvent ids (receivers dedupe what they already have). Nothing is quarantined by a
 * replay: what the core would quarantine is audited as skipped (it was quarantined, or not, when it first arrived).
 * One audit line per delivery (replayed / would-replay / failed) and per event skipped or filtered.
 */
export async function replay(reader: StreamReader, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { read: 0, selected: 0, deliveriesReplayed: 0, filtered: 0, skipped: 0, failed: 0, stoppedEarly: false };
  const endpoints = options.trust.endpoints.filter((e) => !options.endpointIds || options.endpointIds.includes(e.id));
  const config = { ...options.trust, endpoints };
  const busEventIds = new Map<string, string>();
  const deps = {
    keys: options.keys,
    secrets: options.secrets,
    publisher: options.publisher,
    subscriptions: { get: async (trustId: string) => (trustId === config.trustId ? found({ config, version: "replay" }) : notFound("not the replayed trust")) },
    quarantine: { put: async () => {} },
    logger: options.logger ?? createLogger({ level: "silent" }),
    // Each replayed delivery's new bus event id, for its history record (docs/guarantees.md 8.21).
    history: {
      published: (delivery: PublishedDelivery) => {
        busEventIds.set(`${delivery.cloudEventId}/${delivery.endpointId}`, delivery.busEventId);
        options.history?.published(delivery);
      },
    },
  };
  const settings = { ...DEFAULT_SETTINGS, eventBusName: options.eventBusName, cloudEventSource: options.cloudEventSource, ...(options.busSource ? { busSource: options.busSource } : {}) };
  const audit = (line: Omit<AuditLine, "at" | "operator" | "action" | "trustId">) =>
    options.audit({ at: new Date().toISOString(), operator: options.operator, action: "replay", trustId: config.trustId, ...line });
  // Groups of at most one second's worth of events: the rate limit, and how far a Ctrl-C lets the replay go.
  const groupSize = Math.max(1, Math.min(100, options.ratePerSecond));

  outer: for await (const batch of reader.read(options.window, options.signal)) {
    summary.read += batch.length;
    const selected = batch.filter((record) => trustOf(record) === config.trustId);
    for (let i = 0; i < selected.length; i += groupSize) {
      if (options.signal?.aborted) {
        summary.stoppedEarly = true;
        break outer;
      }
      const started = Date.now();
      const group = selected.slice(i, i + groupSize);
      summary.selected += group.length;
      const result = await processBatch(group, deps, settings);
      for (const outcome of result.outcomes) {
        const event = { ...(outcome.sourceEventId ? { sourceEventId: outcome.sourceEventId } : {}) };
        if (outcome.duplicateOf) continue; // the same event twice in the stream: replayed once
        if (outcome.state === "filtered") {
          summary.filtered += 1;
          audit({ ...event, outcome: "filtered", detail: "no selected endpoint subscribes to it" });
          continue;
        }
        if (outcome.state === "quarantined" && !outcome.deliveries.some((d) => d.state === "published")) {
          summary.skipped += 1;
          audit({ ...event, outcome: "skipped", detail: `would be quarantined: ${outcome.reason ?? ""}` });
          continue;
        }
        for (const delivery of outcome.deliveries) {
          const context = { ...event, endpointId: delivery.endpointId, ...(delivery.cloudEventId ? { cloudEventId: delivery.cloudEventId } : {}) };
          if (delivery.state === "published") {
            summary.deliveriesReplayed += 1;
            const busEventId = options.dryRun ? undefined : busEventIds.get(`${delivery.cloudEventId}/${delivery.endpointId}`);
            audit({ ...context, outcome: options.dryRun ? "would-replay" : "replayed", ...(busEventId ? { busEventId } : {}) });
          } else {
            summary.failed += 1;
            audit({ ...context, outcome: "failed", detail: delivery.reason ?? outcome.reason ?? delivery.state });
          }
        }
        if (outcome.state === "retry" && outcome.deliveries.length === 0) {
          summary.failed += 1;
          audit({ ...event, outcome: "failed", detail: outcome.reason ?? "retry" });
        }
      }
      options.progress?.(summary.read, summary.deliveriesReplayed);
      const wait = (group.length / options.ratePerSecond) * 1000 - (Date.now() - started);
      if (wait > 0 && !options.dryRun) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  return summary;
}

/** A publisher for dry runs: accepts every entry and sends nothing. */
export const dryRunPublisher: EventPublisher = { putEvents: async (entries) => entries.map(() => found({ eventId: "dry-run" })) };
