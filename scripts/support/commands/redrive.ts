import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
import { supportHistoryFor } from "../history-source.ts";
import { redrive } from "../redrive.ts";
import { openTarget } from "../target.ts";

/** `redrive`: re-publish a trust's selected dead letters to the endpoint that failed; Ctrl-C stops after the message in hand. */
export async function redriveCommand(command: SupportCommand & { name: "redrive" }, signal: AbortSignal): Promise<number> {
  const target = openTarget(command.target);
  const queue = target.queueFor(command.trust);
  const trust = target.trusts.find((t) => t.trustId === command.trust);
  if (!trust) throw new UsageError(`trust ${command.trust} is not in the trust files`);
  const into = command.dryRun ? undefined : await target.redriveInto(command.trust);
  // Each redriven delivery's history record (docs/guarantees.md 8.21), written even when the run stops early.
  const history = supportHistoryFor(command.target);
  const audit = auditTo(command.auditFile);
  const summary = await redrive(queue, {
    trust,
    selection: command.selection,
    signer: into?.signer ?? { sign: async () => Promise.reject(new Error("a dry run signs nothing")) },
    dryRun: command.dryRun,
    ratePerSecond: command.ratePerSecond,
    operator: operator(),
    audit: (line) => {
      audit(line);
      history.record(line);
    },
    signal,
    progress: (done, selected) => process.stderr.isTTY && process.stderr.write(`\r[${"#".repeat(Math.min(40, Math.round((40 * done) / Math.max(selected, 1)))).padEnd(40)}] ${done}/${selected}`),
  }).finally(() => history.flush());
  await into?.finish();
  console.error(`\n${JSON.stringify(summary)}`);
  return summary.failed > 0 ? 1 : 0;
}
