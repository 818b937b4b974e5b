import type { AuditTrail } from "./audit.ts";
export { progressLine } from "../lib/progress.ts";
import type { AuditLine } from "./redrive.ts";

/**
 * What an action command (redrive, replay, replay-quarantine, purge) prints: by default one table row per action as
 * it happens and a summary at the end; with `--json` one JSON document at the end, `{ "summary": ..., "actions": [...] }`
 * (docs/support-cli.md). Every action is written to the audit trail either way, before it is printed.
 */
export interface ActionReport {
  audit(line: AuditLine): void;
  /** Sends the audit trail, then prints the summary (and, with --json, the actions). */
  finish(summary: object, lines: string[]): Promise<void>;
}

const columns = (cells: string[], widths: number[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd();
const WIDTHS = [13, 12, 36];

/** One row: outcome, endpoint, the thing acted on (CloudEvent id, quarantined object or platform event), detail. */
export function actionRow(line: AuditLine): string {
  return columns([line.outcome, line.endpointId ?? "-", line.cloudEventId ?? line.quarantineKey ?? line.sourceEventId ?? line.messageId ?? "-", line.detail ?? ""], WIDTHS);
}

export function actionReport(json: boolean, trail: AuditTrail, print: (text: string) => void = (text) => console.log(text)): ActionReport {
  const actions: AuditLine[] = [];
  let header = false;
  return {
    audit(line) {
      trail.write(line);
      if (json) {
        actions.push(line);
        return;
      }
      if (!header) print(columns(["OUTCOME", "ENDPOINT", "ID", "DETAIL"], WIDTHS));
      header = true;
      print(actionRow(line));
    },
    async finish(summary, lines) {
      try {
        await trail.close();
      } finally {
        if (json) print(JSON.stringify({ summary, actions }, null, 2));
        else for (const line of lines) print(line);
      }
    },
  };
}

/** Writes progress over one line of stderr, only on a terminal (never into a pipe or a log). */
export function terminalProgress(): (text: string) => void {
  return (text) => {
    if (process.stderr.isTTY) process.stderr.write(`\r${text}\u001b[K`);
  };
}
