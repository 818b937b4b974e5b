import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { resumeEndpoints } from "../holds.ts";
import { openTarget, trustNamed } from "../target.ts";
import { dryRunTrail, reportHoldRows, type HoldResult } from "./hold.ts";

/**
 * `resume` (docs/guarantees.md 10.21, 10.22): each held endpoint set draining (an operator's hold, or a trust-file
 * window ended early); the drain, every minute, sends what the store keeps. Audited like `hold`; `--dry-run` writes nothing.
 */
export async function resumeCommand(command: SupportCommand & { name: "resume" }, now: () => Date = () => new Date()): Promise<number> {
  return (await resume(command, now)).status;
}

/** `resume`, answering its exit status and its lines (the console shows them). */
export async function resume(command: SupportCommand & { name: "resume" }, now: () => Date = () => new Date()): Promise<HoldResult> {
  const target = openTarget(command.target);
  const trust = trustNamed(target, command.trust);
  const { states } = target.holds();
  const trail = command.dryRun ? dryRunTrail() : await openAuditTrail(command.target, command.auditFile);
  const rows = await resumeEndpoints(states, { trust, ...(command.endpoint ? { endpointId: command.endpoint } : {}), dryRun: command.dryRun, operator: trail.operator, now: now() });
  return reportHoldRows(command, "resume", rows, trail);
}
