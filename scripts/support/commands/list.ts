import type { SupportCommand } from "../args.ts";
import { openTarget } from "../target.ts";

/** One trust's DLQ in `list --json` (docs/support-cli.md). */
export interface QueueRow {
  trustId: string;
  depth: number;
  /** When the oldest message was dead-lettered; null when the queue is empty (or SQS does not say). */
  oldestSentAt: string | null;
  location: string;
}

/** `list`: every trust's DLQ, its depth and the age of its oldest message; a table, or `{ "queues": [...] }` with --json. */
export async function list(command: SupportCommand & { name: "list" }): Promise<number> {
  const target = openTarget(command.target);
  const rows: QueueRow[] = [];
  for (const [trustId, queue] of target.queues) {
    const { depth, oldestSentTimestamp } = await queue.stats();
    rows.push({ trustId, depth, oldestSentAt: oldestSentTimestamp ? new Date(oldestSentTimestamp).toISOString() : null, location: queue.location });
  }
  if (command.json) {
    console.log(JSON.stringify({ queues: rows }, null, 2));
    return 0;
  }
  if (rows.length === 0) {
    console.log(`no DLQs ${command.target.kind === "local" ? `under ${command.target.root} (nothing dead-lettered yet)` : "in the outputs"}`);
    return 0;
  }
  console.log(`${"TRUST".padEnd(8)}  ${"DEPTH".padStart(6)}  ${"OLDEST".padStart(8)}  WHERE`);
  for (const row of rows) {
    const age = row.oldestSentAt ? `${Math.round((Date.now() - Date.parse(row.oldestSentAt)) / 60000)} min` : "-";
    console.log(`${row.trustId.padEnd(8)}  ${String(row.depth).padStart(6)}  ${age.padStart(8)}  ${row.location}`);
  }
  return 0;
}
