import type { SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
import { listFailed } from "../redrive.ts";
import { openTarget } from "../target.ts";

/** `show`: a trust's failed deliveries; with --show-content their payloads, each disclosure audited. */
export async function show(command: SupportCommand & { name: "show" }): Promise<number> {
  const queue = openTarget(command.target).queueFor(command.trust);
  const audit = auditTo(command.auditFile);
  const failed = await listFailed(queue, command.selection, command.selection.limit ?? 1000, command.showContent);
  for (const f of failed) {
    console.log(JSON.stringify(f));
    // Full-profile payloads hold clinical content: every disclosure is audited.
    if (command.showContent) audit({ at: new Date().toISOString(), operator: operator(), action: "show-content", trustId: f.trustId, endpointId: f.endpointId, cloudEventId: f.cloudEventId, messageId: f.messageId, outcome: "shown" });
  }
  console.error(`${failed.length} failed deliveries${command.showContent ? " (content shown and audited)" : ""}`);
  return 0;
}
