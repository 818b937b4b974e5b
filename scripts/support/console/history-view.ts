import { existsSync, readFileSync } from "node:fs";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import { deliveryPaths, type BusLogRecord, type DeliveryPath, type HistoryFilter, type HistoryLine } from "../../lib/call-history.ts";
import { sightings } from "../commands/history.ts";
import type { HistorySource } from "../history-source.ts";
import type { AuditLine } from "../redrive.ts";
import type { Target } from "../target.ts";

/**
 * The console's one door to the call history (today's `history` code: a HistorySource, the trusts' DLQs and
 * `deliveryPaths`). When the history grows each delivery's full story, it is swapped here and nowhere else.
 */

/** A redrive of a dead letter, as the support tools audited it: the bus event it became, when and by whom. */
export interface RedriveStep {
  at: string;
  operator: string;
  busEventId?: string;
}

/** One delivery's story for the trace page: the history's path, and what support did to it since. */
export interface DeliveryStory extends DeliveryPath {
  redrives: (RedriveStep & { attempts: DeliveryPath["attempts"]; state: DeliveryPath["state"] })[];
  /** Where the delivery stands after its redrives (the path's own state when there were none). */
  finalState: DeliveryPath["state"];
}

export interface HistoryView {
  /** The stories of the deliveries the filter selects, oldest first. */
  stories(filter: HistoryFilter, signal?: AbortSignal): Promise<{ stories: DeliveryStory[]; notes: string[] }>;
}

export interface HistoryViewOptions {
  source: HistorySource;
  target: Target;
  /** The support tools' audit file: redrives of dead letters, and the bus events they became. */
  auditFile: string;
  /** The bus's log records of given bus events (the redriven ones); locally the history file, in AWS the buses' log group. */
  busLogsOf(busEventIds: string[], filter: HistoryFilter, signal?: AbortSignal): Promise<BusLogRecord[]>;
}

export function historyView(options: HistoryViewOptions): HistoryView {
  return {
    async stories(filter, signal) {
      const records = await options.source.find(filter, signal);
      const deadLetters = await sightings(options.target, new Set(records.published.map((p) => p.trustId)));
      const paths = deliveryPaths(records.published, records.busLogs, deadLetters, records.quarantined);
      const redrives = redrivesIn(options.auditFile);
      const redriven = paths.flatMap((p) => redrives.get(`${p.cloudEventId}/${p.endpointId}`) ?? []);
      const ids = redriven.flatMap((r) => (r.busEventId ? [r.busEventId] : []));
      const logs = ids.length > 0 ? await options.busLogsOf(ids, filter, signal) : [];
      const stories = paths.map((path): DeliveryStory => {
        const steps = (redrives.get(`${path.cloudEventId}/${path.endpointId}`) ?? []).map((step) => {
          // The redriven delivery is the same delivery on a new bus event: its attempts are read like the first one's.
          const again: PublishedDelivery = {
            trustId: path.trustId ?? "",
            endpointId: path.endpointId ?? "",
            cloudEventId: path.cloudEventId ?? "",
            sourceEventId: path.sourceEventId ?? "",
            eventCorrelationId: path.eventCorrelationId ?? "",
            eventType: path.eventType ?? "",
            busEventId: step.busEventId ?? "",
            publishedAt: step.at,
          };
          const [after] = step.busEventId ? deliveryPaths([again], logs, [], []) : [];
          return { ...step, attempts: after?.attempts ?? [], state: after?.state ?? "pending" };
        });
        return { ...path, redrives: steps, finalState: steps.at(-1)?.state ?? path.state };
      });
      return { stories, notes: records.notes };
    },
  };
}

/** Redriven dead letters in the audit file, by `<cloudEventId>/<endpointId>`, oldest first. */
function redrivesIn(auditFile: string): Map<string, RedriveStep[]> {
  const found = new Map<string, RedriveStep[]>();
  if (!existsSync(auditFile)) return found;
  for (const text of readFileSync(auditFile, "utf8").split("\n")) {
    if (!text) continue;
    let line: AuditLine;
    try {
      line = JSON.parse(text) as AuditLine;
    } catch {
      continue; // a line cut short by a crash: the others still count
    }
    if (line.action !== "redrive" || line.outcome !== "redriven" || !line.cloudEventId) continue;
    const key = `${line.cloudEventId}/${line.endpointId}`;
    found.set(key, [...(found.get(key) ?? []), { at: line.at, operator: line.operator, ...(line.busEventId ? { busEventId: line.busEventId } : {}) }]);
  }
  return found;
}

/** The local pipeline's bus records of the given bus events, from its history file. */
export function localBusLogs(historyFile: string): HistoryViewOptions["busLogsOf"] {
  return async (ids) => {
    if (!existsSync(historyFile)) return [];
    const wanted = new Set(ids);
    return readFileSync(historyFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((text) => JSON.parse(text) as HistoryLine)
      .filter((line): line is HistoryLine & BusLogRecord & { source: "bus" } => line.source === "bus" && wanted.has(line.event_id));
  };
}
