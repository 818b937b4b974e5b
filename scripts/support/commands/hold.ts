import type { SupportCommand } from "../args.ts";
import { openAuditTrail, operator, type AuditTrail } from "../audit.ts";
import { holdEndpoints, holdExitCode, type HoldRow } from "../holds.ts";
import { actionReport } from "../output.ts";
import type { AuditLine } from "../redrive.ts";
import { openTarget, trustNamed } from "../target.ts";

/**
 * `hold` (docs/guarantees.md 10.20, 10.22, 10.25): each selected endpoint's hold written to the holds table, audited
 * like a redrive (the trail is opened before anything is written); `--dry-run` writes nothing, not even an audit line.
 */
export async function holdCommand(command: SupportCommand & { name: "hold" }, now: () => Date = () => new Date()): Promise<number> {
  return (await hold(command, now)).status;
}

/** `hold`, answering its exit status and the lines it printed and audited (the console shows them; a dry run's too). */
export async function hold(command: SupportCommand & { name: "hold" }, now: () => Date = () => new Date()): Promise<HoldResult> {
  const target = openTarget(command.target);
  const trust = trustNamed(target, command.trust);
  const { states } = target.holds();
  const trail = command.dryRun ? dryRunTrail() : await openAuditTrail(command.target, command.auditFile);
  const rows = await holdEndpoints(states, {
    trust,
    ...(command.endpoint ? { endpointId: command.endpoint } : {}),
    reason: command.reason,
    ...(command.until ? { until: command.until } : {}),
    dryRun: command.dryRun,
    operator: trail.operator,
    now: now(),
  });
  return reportHoldRows(command, "hold", rows, trail);
}

/** A dry run's trail: names the local user, writes nothing anywhere. */
export const dryRunTrail = (): AuditTrail => ({ operator: operator(), write: () => {}, close: async () => {} });

export interface HoldResult {
  status: number;
  /** One per endpoint: what was audited (nothing is, on a dry run, but the lines are still answered). */
  lines: AuditLine[];
}

/** One audit line and table row per endpoint; `--json`: `{ summary, actions }` (docs/support-cli.md). */
export async function reportHoldRows(command: { json: boolean; trust: string; dryRun: boolean }, action: "hold" | "resume", rows: HoldRow[], trail: AuditTrail): Promise<HoldResult> {
  const report = actionReport(command.json, trail);
  const at = new Date().toISOString();
  const lines: AuditLine[] = [];
  for (const row of rows) {
    const line: AuditLine = {
      // A hold's and a resume's line carry the instant written into the item, so `history` joins them to its notices.
      at: (row.outcome === "held" ? row.state?.heldAt : row.outcome === "resumed" ? row.state?.resumedAt : undefined) ?? at,
      operator: trail.operator,
      action,
      trustId: row.trustId,
      endpointId: row.endpointId,
      outcome: row.outcome,
      detail: row.detail,
      ...(row.state && (row.outcome === "held" || row.outcome === "resumed") ? { reason: row.state.reason, ...(row.state.until ? { until: row.state.until } : {}) } : {}),
      ...(row.wouldBe ? { reason: row.wouldBe.reason, ...(row.wouldBe.until ? { until: row.wouldBe.until } : {}) } : {}),
    };
    lines.push(line);
    report.audit(line);
  }
  const counts = Object.fromEntries([...new Set(rows.map((row) => row.outcome))].map((outcome) => [outcome, rows.filter((row) => row.outcome === outcome).length]));
  const said = Object.entries(counts).map(([outcome, n]) => `${n} ${outcome}`).join(", ");
  const effect = action === "hold" ? "held deliveries are kept in order; within 20 s every new delivery is held" : "the drain sends the held deliveries in order within a minute (watch it with `list`)";
  await report.finish({ trustId: command.trust, action, dryRun: command.dryRun, ...counts }, [`${command.trust}: ${said}${command.dryRun ? " (dry run: nothing written)" : rows.some((r) => r.outcome === "held" || r.outcome === "resumed") ? `; ${effect}` : ""}`]);
  return { status: holdExitCode(rows), lines };
}
