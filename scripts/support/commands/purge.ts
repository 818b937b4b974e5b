import { createInterface } from "node:readline/promises";
import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
import { supportHistoryFor } from "../history-source.ts";
import { listFailed } from "../redrive.ts";
import { openTarget } from "../target.ts";

/** `purge`: delete every message of a trust's DLQ, after the trust id is typed (or given with --confirm). */
export async function purge(command: SupportCommand & { name: "purge" }): Promise<number> {
  const queue = openTarget(command.target).queueFor(command.trust);
  if (command.confirm !== command.trust) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    const answer = await rl.question(`Delete every message in ${command.trust}'s DLQ (${queue.location})? Type the trust id to confirm: `);
    rl.close();
    if (answer.trim() !== command.trust) throw new UsageError("not confirmed; nothing deleted");
  }
  // The deliveries about to be purged, for their history records (docs/guarantees.md 8.21). A dead letter that
  // arrives between this look and the purge is purged without one: `history` then says it left the DLQ unrecorded.
  const deliveries = await listFailed(queue, {}, 10_000);
  const purged = await queue.purge();
  const at = new Date().toISOString();
  const who = operator();
  auditTo(command.auditFile)({ at, operator: who, action: "purge", trustId: command.trust, outcome: "purged", detail: `${purged} message(s)` });
  const history = supportHistoryFor(command.target);
  for (const d of deliveries) {
    history.record({ at, operator: who, action: "purge", trustId: command.trust, endpointId: d.endpointId, cloudEventId: d.cloudEventId, messageId: d.messageId, outcome: "purged" });
  }
  await history.flush();
  return 0;
}
