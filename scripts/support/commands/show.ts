import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { listFailed } from "../redrive.ts";
import { checkEndpoint, openTarget } from "../target.ts";

/**
 * `show`: a trust's failed deliveries, a table by default, `{ "trustId", "failed": [...] }` with --json; with
 * --show-content their payloads, each disclosure audited (before it is printed).
 */
export async function show(command: SupportCommand & { name: "show" }): Promise<number> {
  const target = openTarget(command.target);
  const queue = target.queueFor(command.trust);
  checkEndpoint(target, command.trust, command.selection.endpointId);
  const trail = command.showContent ? await openAuditTrail(command.target, command.auditFile) : undefined;
  const failed = await listFailed(queue, command.selection, command.selection.limit ?? 1000, command.showContent);
  // Full-profile payloads hold clinical content: every disclosure is audited.
  for (const f of trail ? failed : []) {
    trail!.write({ at: new Date().toISOString(), operator: trail!.operator, action: "show-content", trustId: f.trustId, endpointId: f.endpointId, cloudEventId: f.cloudEventId, messageId: f.messageId, outcome: "shown" });
  }
  await trail?.close();
  if (command.json) {
    console.log(JSON.stringify({ trustId: command.trust, failed }, null, 2));
    return 0;
  }
  const header = ["FIRST FAILED", "ENDPOINT", "TYPE", "ERROR", "RETRIES", "CLOUDEVENT ID"];
  const rows = failed.map((f) => [f.firstFailedAt, f.endpointId, f.eventType, f.errorCode, String(f.retryAttempts), f.cloudEventId]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ");
  if (failed.length > 0) console.log(line(header));
  failed.forEach((f, i) => {
    console.log(line(rows[i]!));
    if (f.content !== undefined) console.log(JSON.stringify(f.content, null, 2).replace(/^/gm, "    "));
  });
  console.error(`${failed.length} failed deliveries in ${command.trust}'s DLQ${command.showContent ? " (content shown and audited)" : ""}`);
  return 0;
}
