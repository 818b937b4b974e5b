import { createInterface } from "node:readline/promises";
import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
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
  const purged = await queue.purge();
  auditTo(command.auditFile)({ at: new Date().toISOString(), operator: operator(), action: "purge", trustId: command.trust, outcome: "purged", detail: `${purged} message(s)` });
  return 0;
}
