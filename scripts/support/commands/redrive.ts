import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { supportHistoryFor } from "../history-source.ts";
import { actionReport, progressLine, terminalProgress } from "../output.ts";
import { redrive } from "../redrive.ts";
import { checkEndpoint, openTarget } from "../target.ts";

/** `redrive`: re-publish a trust's selected dead letters to the endpoint that failed; Ctrl-C stops after the message in hand. */
export async function redriveCommand(command: SupportCommand & { name: "redrive" }, signal: AbortSignal): Promise<number> {
  const target = openTarget(command.target);
  const queue = target.queueFor(command.trust);
  const trust = target.trusts.find((t) => t.trustId === command.trust);
  if (!trust) throw new UsageError(`trust ${command.trust} is not in the trust files; the trusts are ${target.trusts.map((t) => t.trustId).join(", ")}`);
  checkEndpoint(target, command.trust, command.selection.endpointId);
  // The audit trail first: in AWS a command that cannot be audited sends nothing (promise 7.5).
  const trail = await openAuditTrail(command.target, command.auditFile);
  const report = actionReport(command.json, trail);
  // Each redriven or replayed delivery's history record (docs/guarantees.md 8.21), written even when the run stops early.
  const history = supportHistoryFor(command.target);
  const into = command.dryRun ? undefined : await target.redriveInto(command.trust);
  // The total for progress: what is in the queue now (up to --limit); the selection may take fewer.
  const total = Math.min((await queue.stats()).depth, command.selection.limit ?? Infinity);
  const startedAt = Date.now();
  const progress = terminalProgress();
  const summary = await redrive(queue, {
    trust,
    selection: command.selection,
    signer: into?.signer ?? { sign: async () => Promise.reject(new Error("a dry run signs nothing")) },
    dryRun: command.dryRun,
    ratePerSecond: command.ratePerSecond,
    operator: trail.operator,
    audit: (line) => {
      report.audit(line);
      history.record(line);
    },
    signal,
    progress: (done) => progress(`${command.dryRun ? "looked at" : "redriven"} ${progressLine(done, total, startedAt)}`),
  }).finally(() => history.flush());
  await into?.finish();
  if (process.stderr.isTTY) process.stderr.write("\n");
  const verb = command.dryRun ? "would redrive" : "redriven";
  await report.finish(summary, [
    `${command.trust}: ${summary.selected} selected, ${command.dryRun ? summary.selected - summary.failed : summary.redriven} ${verb}, ${summary.failed} failed (left in the DLQ), ${summary.skipped} not callbacks (left), ${summary.leftInQueue} in the DLQ now${summary.stoppedEarly ? "; stopped early" : ""}`,
  ]);
  return summary.failed > 0 ? 1 : 0;
}
