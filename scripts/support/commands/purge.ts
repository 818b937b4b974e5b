import { createInterface } from "node:readline/promises";
import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { supportHistoryFor } from "../history-source.ts";
import { actionReport } from "../output.ts";
import { listFailed } from "../redrive.ts";
import { openTarget } from "../target.ts";

/** How purge asks for the trust id: only at a terminal; `undefined` when the input ended without an answer. */
export interface Confirmation {
  interactive: boolean;
  ask(question: string): Promise<string | undefined>;
}

const terminal: Confirmation = {
  interactive: Boolean(process.stdin.isTTY),
  ask: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      // Ctrl-D closes the input: an answer that never comes is no answer, not a hang.
      return await Promise.race([rl.question(question), new Promise<undefined>((resolve) => rl.once("close", () => resolve(undefined)))]);
    } finally {
      rl.close();
    }
  },
};

/**
 * `purge`: deletes every message of a trust's DLQ (promise 7.3). `--dry-run` counts them and deletes nothing. Without
 * a `--confirm` naming the trust it asks for the trust id, at a terminal only: with no terminal it refuses in one line.
 */
export async function purge(command: SupportCommand & { name: "purge" }, confirmation: Confirmation = terminal): Promise<number> {
  const queue = openTarget(command.target).queueFor(command.trust);
  if (command.confirm !== undefined && command.confirm !== command.trust) {
    throw new UsageError(`--confirm ${command.confirm} does not name the trust ${command.trust}; nothing deleted`);
  }
  const { depth } = await queue.stats();
  const result = { trustId: command.trust, location: queue.location };
  if (command.dryRun) {
    if (command.json) console.log(JSON.stringify({ summary: { ...result, outcome: "would-purge", messages: depth }, actions: [] }, null, 2));
    else console.log(`dry run: would delete ${depth} message(s) from ${command.trust}'s DLQ (${queue.location}); nothing deleted`);
    return 0;
  }
  if (command.confirm === undefined) {
    if (!confirmation.interactive) {
      throw new UsageError(`purge deletes every message of ${command.trust}'s DLQ: run it at a terminal to confirm, or give --confirm ${command.trust}; nothing deleted`);
    }
    const answer = await confirmation.ask(`Delete all ${depth} message(s) in ${command.trust}'s DLQ (${queue.location})? Type the trust id to confirm: `);
    if (answer?.trim() !== command.trust) throw new UsageError("not confirmed; nothing deleted");
  }
  const trail = await openAuditTrail(command.target, command.auditFile);
  const report = actionReport(command.json, trail);
  // The deliveries about to be purged, for their history records (docs/guarantees.md 8.21). A dead letter that
  // arrives between this look and the purge is purged without one: `history` then says it left the DLQ unrecorded.
  const deliveries = await listFailed(queue, {}, 10_000);
  const purged = await queue.purge();
  const at = new Date().toISOString();
  const history = supportHistoryFor(command.target);
  for (const d of deliveries) {
    const line = { at, operator: trail.operator, action: "purge", trustId: command.trust, endpointId: d.endpointId, cloudEventId: d.cloudEventId, messageId: d.messageId, outcome: "purged" } as const;
    report.audit(line);
    history.record(line);
  }
  report.audit({ at, operator: trail.operator, action: "purge", trustId: command.trust, outcome: "purged", detail: `${purged} message(s)` });
  await history.flush();
  await report.finish({ ...result, outcome: "purged", messages: purged }, [`purged ${purged} message(s) from ${command.trust}'s DLQ (${queue.location})`]);
  return 0;
}
