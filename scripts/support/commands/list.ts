import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { holdViews, type HoldView } from "../holds.ts";
import { openTarget } from "../target.ts";

/** One trust's DLQ in `list --json` (docs/support-cli.md). */
export interface QueueRow {
  trustId: string;
  depth: number;
  /** When the oldest message was dead-lettered; null when the queue is empty (or SQS does not say). */
  oldestSentAt: string | null;
  location: string;
}

/**
 * `list`: every trust's DLQ, its depth and the age of its oldest message, then every held or draining endpoint (phase,
 * since, by, reason, until, its hold store's depth: docs/guarantees.md 10.23); a table, or `{ "queues": [...],
 * "holds": [...] }` with --json (`holds` is null, with a note on stderr, when the outputs name no holds table).
 */
export async function list(command: SupportCommand & { name: "list" }, now: () => Date = () => new Date()): Promise<number> {
  const target = openTarget(command.target);
  const rows: QueueRow[] = [];
  for (const [trustId, queue] of target.queues) {
    const { depth, oldestSentTimestamp } = await queue.stats();
    rows.push({ trustId, depth, oldestSentAt: oldestSentTimestamp ? new Date(oldestSentTimestamp).toISOString() : null, location: queue.location });
  }
  let holds: HoldView[] | null = null;
  try {
    holds = await holdViews(target.trusts, target.holds(), now());
  } catch (error) {
    // Holds are beside the DLQs, not in their way: an environment without a holds table still lists its DLQs.
    if (!(error instanceof UsageError)) throw error;
    console.error(`note: holds not shown: ${error.message}`);
  }
  if (command.json) {
    console.log(JSON.stringify({ queues: rows, holds }, null, 2));
    return 0;
  }
  if (rows.length === 0) console.log(`no DLQs ${command.target.kind === "local" ? `under ${command.target.root} (nothing dead-lettered yet)` : "in the outputs"}`);
  else {
    console.log(`${"TRUST".padEnd(8)}  ${"DEPTH".padStart(6)}  ${"OLDEST".padStart(8)}  WHERE`);
    for (const row of rows) {
      const age = row.oldestSentAt ? `${Math.round((now().getTime() - Date.parse(row.oldestSentAt)) / 60000)} min` : "-";
      console.log(`${row.trustId.padEnd(8)}  ${String(row.depth).padStart(6)}  ${age.padStart(8)}  ${row.location}`);
    }
  }
  if (holds && holds.length > 0) {
    console.log("");
    console.log(["HELD".padEnd(HOLD_WIDTHS[0]), "PHASE".padEnd(HOLD_WIDTHS[1]), "STORE".padStart(6), "SINCE".padEnd(24), "UNTIL".padEnd(24), "BY", "REASON"].join("  "));
    for (const hold of holds) console.log(holdLine(hold));
  } else if (holds) console.log("no endpoint held or draining");
  return 0;
}

/** One held endpoint as a table row: where, phase, depth (and drained so far), since, until, by, reason. */
export function holdLine(hold: HoldView): string {
  const depth = hold.depth === null ? "?" : String(hold.depth);
  const phase = hold.phase === "draining" || hold.phase === "closing" ? `${hold.phase} (${hold.drained} sent)` : hold.phase;
  return [`${hold.trustId}/${hold.endpointId}`.padEnd(HOLD_WIDTHS[0]), phase.padEnd(HOLD_WIDTHS[1]), depth.padStart(6), hold.since.padEnd(24), (hold.until ?? "resume").padEnd(24), hold.by, hold.reason].join("  ");
}

/** ODS (3-5) + "/" + endpoint id (at most 32); a phase with the drain's count. */
const HOLD_WIDTHS = [20, 18] as const;
