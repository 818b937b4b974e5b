import { MAX_SUPPORT_REQUEST_BYTES, SUPPORT_REPLAY_MAX_RECORDS, type TrustConfig } from "@trust-callbacks/schemas";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";
import type { AuditLine } from "./redrive.ts";
import { newCorrelationId, type SupportSigner } from "./support-signer.ts";
import type { StreamReader, StreamWindow } from "./stream.ts";

export interface ReplayOptions {
  trust: TrustConfig;
  /** Only this endpoint of the trust (all of them when unset). */
  endpointId?: string;
  window: StreamWindow;
  dryRun: boolean;
  /** Events per second at most. */
  ratePerSecond: number;
  /**
   * Decrypts, signs and publishes (docs/guarantees.md 5.20): the support signer function on AWS, the same code
   * in-process locally. The operator's own credentials never read a signing key or unwrap a data key.
   */
  signer: SupportSigner;
  operator: string;
  audit: (line: AuditLine) => void;
  progress?: (read: number, replayed: number) => void;
  /** Aborting stops before the next group of events; a group in hand is finished (published or reported). */
  signal?: AbortSignal;
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

/** A plain field of the platform event (`trustId`, `eventId`), read without decrypting; undefined when unreadable. */
function plainField(record: PipeKinesisRecord, field: "trustId" | "eventId"): string | undefined {
  try {
    const event = JSON.parse(Buffer.from(record.data, "base64").toString("utf8")) as Record<string, unknown>;
    return typeof event[field] === "string" ? event[field] : undefined;
  } catch {
    return undefined;
  }
}
const trustOf = (record: PipeKinesisRecord) => plainField(record, "trustId");

/** What a signer request may spend on records: its bound, less room for the rest of the request. */
const REQUEST_BYTES_FOR_RECORDS = MAX_SUPPORT_REQUEST_BYTES - 64 * 1024;

/**
 * Consecutive groups of at most `count` records whose JSON together stays within `bytes`, so no signer request is
 * refused for its size (a record alone larger than that is a group of its own, which the signer refuses with a reason).
 */
export function groupsOf(records: readonly PipeKinesisRecord[], count: number, bytes: number): PipeKinesisRecord[][] {
  const groups: PipeKinesisRecord[][] = [];
  let group: PipeKinesisRecord[] = [];
  let size = 0;
  for (const record of records) {
    const recordBytes = Buffer.byteLength(JSON.stringify(record)) + 1;
    if (group.length > 0 && (group.length >= count || size + recordBytes > bytes)) {
      groups.push(group);
      group = [];
      size = 0;
    }
    group.push(record);
    size += recordBytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Replays a window of the source stream to one trust (and optionally one of its endpoints) through the support signer,
 * which runs the Lambda's core (`processBatch`) on each group: the trust's events only, routed to the selected endpoints only, freshly signed,
 * with the same deterministic CloudEvent ids (receivers dedupe what they already have). Nothing is quarantined by a
 * replay: what the core would quarantine is audited as skipped (it was quarantined, or not, when it first arrived).
 * One audit line per delivery (replayed / would-replay / failed) and per event skipped or filtered.
 */
export async function replay(reader: StreamReader, options: ReplayOptions): Promise<ReplaySummary> {
  const summary: ReplaySummary = { read: 0, selected: 0, deliveriesReplayed: 0, filtered: 0, skipped: 0, failed: 0, stoppedEarly: false };
  const config = options.trust;
  const audit = (line: Omit<AuditLine, "at" | "operator" | "action" | "trustId">) =>
    options.audit({ at: new Date().toISOString(), operator: options.operator, action: "replay", trustId: config.trustId, ...line });
  // Groups of at most one second's worth of events (and at most one signer request's): the rate limit, and how far
  // a Ctrl-C lets the replay go.
  const groupSize = Math.max(1, Math.min(SUPPORT_REPLAY_MAX_RECORDS, options.ratePerSecond));

  outer: for await (const batch of reader.read(options.window, options.signal)) {
    summary.read += batch.length;
    const selected = batch.filter((record) => trustOf(record) === config.trustId);
    for (const group of groupsOf(selected, groupSize, REQUEST_BYTES_FOR_RECORDS)) {
      if (options.signal?.aborted) {
        summary.stoppedEarly = true;
        break outer;
      }
      const started = Date.now();
      summary.selected += group.length;
      let answer;
      try {
        answer = await options.signer.sign({
          kind: "replay",
          trustId: config.trustId,
          ...(options.endpointId ? { endpointId: options.endpointId } : {}),
          dryRun: options.dryRun,
          records: group,
          operator: options.operator,
          correlationId: newCorrelationId(),
        });
        if (answer.kind === "refused") throw new Error(`the support signer refused: ${answer.reason}`);
      } catch (error) {
        // Nothing of the group is known to be published: each of its events is reported failed.
        for (const record of group) {
          summary.failed += 1;
          const sourceEventId = plainField(record, "eventId");
          audit({ ...(sourceEventId ? { sourceEventId } : {}), outcome: "failed", detail: (error as Error).message });
        }
        continue;
      }
      for (const outcome of answer.records) {
        const event = { ...(outcome.sourceEventId ? { sourceEventId: outcome.sourceEventId } : {}) };
        if (outcome.duplicateOf) continue; // the same event twice in the stream: replayed once
        if (outcome.state === "filtered") {
          summary.filtered += 1;
          audit({ ...event, outcome: "filtered", detail: "no selected endpoint subscribes to it" });
          continue;
        }
        if (outcome.state === "quarantined" && !outcome.deliveries.some((d) => d.status === "accepted")) {
          summary.skipped += 1;
          audit({ ...event, outcome: "skipped", detail: `would be quarantined: ${outcome.reason ?? ""}` });
          continue;
        }
        for (const delivery of outcome.deliveries) {
          const context = { ...event, endpointId: delivery.endpointId, ...(delivery.cloudEventId ? { cloudEventId: delivery.cloudEventId } : {}) };
          if (delivery.status === "accepted") {
            summary.deliveriesReplayed += 1;
            audit({ ...context, outcome: options.dryRun ? "would-replay" : "replayed", ...(options.dryRun ? {} : { busEventId: delivery.busEventId }) });
          } else {
            summary.failed += 1;
            audit({ ...context, outcome: "failed", detail: delivery.reason });
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
