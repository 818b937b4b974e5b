import type { AuditLine } from "./redrive.ts";
import type { QuarantineSelection, QuarantineStore } from "../lib/quarantine-store.ts";
import type { StreamWriter } from "./stream.ts";

export interface ReplayQuarantineOptions {
  selection: QuarantineSelection;
  dryRun: boolean;
  ratePerSecond: number;
  operator: string;
  audit: (line: AuditLine) => void;
  progress?: (done: number) => void;
  /** Aborting stops before the next object: each object is either back on the stream and removed, or untouched. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface ReplayQuarantineSummary {
  selected: number;
  replayed: number;
  failed: number;
  skipped: number;
  stoppedEarly: boolean;
}

/**
 * Puts a trust's quarantined records back on the source stream, once their cause is fixed (a trust file deployed
 * late, a signing secret created): the pipeline then processes each as new. An object is removed only after the
 * stream accepted its record; one the stream refused stays, and is audited as failed. Deliveries that had gone out
 * before the record was quarantined (`publishedEndpoints`) go out again with the same CloudEvent id: receivers dedupe.
 */
export async function replayQuarantine(store: QuarantineStore, stream: StreamWriter, options: ReplayQuarantineOptions): Promise<ReplayQuarantineSummary> {
  const now = options.now ?? (() => new Date());
  const summary: ReplayQuarantineSummary = { selected: 0, replayed: 0, failed: 0, skipped: 0, stoppedEarly: false };
  const interval = 1000 / options.ratePerSecond;
  let nextSlot = 0;
  for await (const { key, entry } of store.list(options.selection)) {
    if (options.signal?.aborted) {
      summary.stoppedEarly = true;
      break;
    }
    summary.selected += 1;
    const audit = (line: Pick<AuditLine, "outcome" | "detail">) =>
      options.audit({
        at: now().toISOString(),
        operator: options.operator,
        action: "replay-quarantine",
        trustId: options.selection.trustId,
        quarantineKey: key,
        ...(entry.eventId ? { sourceEventId: entry.eventId } : {}),
        ...line,
      });
    const record = entry.record as { data?: unknown; partitionKey?: unknown } | undefined;
    if (typeof record?.data !== "string" || typeof record.partitionKey !== "string" || record.partitionKey === "") {
      summary.skipped += 1;
      audit({ outcome: "skipped", detail: "the quarantined object holds no Kinesis record (data and partition key)" });
      continue;
    }
    if (options.dryRun) {
      audit({ outcome: "would-replay", detail: entry.reason });
      continue;
    }
    const wait = nextSlot - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    nextSlot = Math.max(Date.now(), nextSlot) + interval;
    const [answer] = await stream.put([{ data: Buffer.from(record.data, "base64"), partitionKey: record.partitionKey }]);
    if (!answer?.accepted) {
      summary.failed += 1;
      audit({ outcome: "failed", detail: answer ? answer.reason : "no answer" });
      continue;
    }
    await store.remove(key);
    summary.replayed += 1;
    audit({ outcome: "replayed", detail: `was quarantined: ${entry.reason}` });
    options.progress?.(summary.replayed + summary.failed);
  }
  return summary;
}
