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
  if (failed.length > 0) {
    console.log(["FIRST FAILED             ", "ENDPOINT    ", "TYPE                  ", "ERROR                 ", "RETRIES", "CLOUDEVENT ID"].join("  "));
  }
  for (const f of failed) {
    console.log([f.firstFailedAt.padEnd(25), f.endpointId.padEnd(12), f.eventType.padEnd(22), f.errorCode.padEnd(22), String(f.retryAttempts).padStart(7), f.cloudEventId].join("  "));
    if (f.content !== undefined) console.log(JSON.stringify(f.content, null, 2).replace(/^/gm, "    "));
  }
  console.error(`${failed.length} failed deliveries in ${command.trust}'s DLQ${command.showContent ? " (content shown and audited)" : ""}`);
  return 0;
}
