import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { parseSupportArgs, type SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
import { hold } from "../commands/hold.ts";
import { purge } from "../commands/purge.ts";
import { redriveCommand } from "../commands/redrive.ts";
import { replayCommand } from "../commands/replay.ts";
import { resume } from "../commands/resume.ts";
import { listFailed, type AuditLine, type FailedDelivery, type Selection } from "../redrive.ts";
import type { ConsoleSource } from "./source.ts";

/**
 * The console's actions run the support CLI's own commands (redrive, replay, purge) with the same command
 * objects the CLI parses, so they do the same thing and write the same audit file; the page then shows the
 * audit lines the command wrote. Only one action runs at a time (like one operator at one terminal).
 */
export interface ActionResult {
  status: number;
  lines: AuditLine[];
}

let running: Promise<unknown> = Promise.resolve();

/** Runs one action after any other has finished. */
async function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const previous = running;
  let done!: () => void;
  running = new Promise<void>((resolve) => (done = resolve));
  await previous;
  try {
    return await run();
  } finally {
    done();
  }
}

/** Runs one action after any other has finished, and returns the audit lines it appended. */
function audited(auditFile: string, run: () => Promise<number>): Promise<ActionResult> {
  return oneAtATime(async () => {
    const before = existsSync(auditFile) ? statSync(auditFile).size : 0;
    const status = await run();
    return { status, lines: appendedSince(auditFile, before) };
  });
}

function appendedSince(file: string, offset: number): AuditLine[] {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  if (size <= offset) return [];
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}

// The page shows the audit lines, not the command's stdout: tables, never --json.
const common = (source: ConsoleSource) => ({ target: source.targetOptions, auditFile: source.auditFile, json: false });

/** Redrive (or its dry run) of a trust's selected dead letters: the CLI's `redrive`. */
export function redriveAction(source: ConsoleSource, trust: string, selection: Selection, dryRun: boolean, signal: AbortSignal): Promise<ActionResult> {
  const command: SupportCommand & { name: "redrive" } = { name: "redrive", ...common(source), trust, selection, dryRun, ratePerSecond: 10 };
  return audited(source.auditFile, () => redriveCommand(command, signal));
}

/** Replay (or its dry run) of a window of the stream for one endpoint: the CLI's `replay`. */
export function replayAction(source: ConsoleSource, trust: string, endpoint: string, window: { since: Date; until: Date }, dryRun: boolean, signal: AbortSignal): Promise<ActionResult> {
  const command: SupportCommand & { name: "replay" } = { name: "replay", ...common(source), trust, endpoint, ...window, dryRun, ratePerSecond: 10, streamFile: source.streamFile };
  return audited(source.auditFile, () => replayCommand(command, signal));
}

/** Purge of a trust's DLQ, only when the typed trust id is the trust's: the CLI's `purge --confirm`. */
export function purgeAction(source: ConsoleSource, trust: string, typed: string): Promise<ActionResult> | { refused: string } {
  if (typed.trim() !== trust) return { refused: `type the trust id ${trust} exactly to purge its DLQ; nothing was deleted` };
  const command: SupportCommand & { name: "purge" } = { name: "purge", ...common(source), trust, confirm: trust, dryRun: false };
  return audited(source.auditFile, () => purge(command));
}

/**
 * A trust's failed deliveries with their content (full-profile payloads hold clinical content): as the CLI's
 * `show --show-content`, each disclosure is one audit line; the content goes to the page only, never to a log.
 */
export async function showContent(source: ConsoleSource, trust: string, selection: Selection, max: number): Promise<(FailedDelivery & { content?: unknown })[]> {
  const queue = source.target.queueFor(trust);
  const audit = auditTo(source.auditFile);
  const found = await listFailed(queue, selection, max, true);
  for (const f of found) {
    audit({ at: new Date().toISOString(), operator: operator(), action: "show-content", trustId: f.trustId, endpointId: f.endpointId, cloudEventId: f.cloudEventId, messageId: f.messageId, outcome: "shown" });
  }
  return found;
}

/**
 * Hold (or its dry run) of one endpoint or every endpoint of a trust: the CLI's own `hold`, parsed from the same
 * options (a reason required, `--until` an ISO time or a duration), so the page refuses what the CLI refuses (a
 * UsageError: one line, nothing written) and audits what it audits (docs/guarantees.md 10.27). A dry run writes no
 * audit line: the page shows the lines the command answers.
 */
export function holdAction(source: ConsoleSource, trust: string, form: { endpoint: string; reason: string; until: string }, dryRun: boolean): Promise<ActionResult> {
  const argv = ["hold", `--trust=${trust}`, ...(form.endpoint ? [`--endpoint=${form.endpoint}`] : []), `--reason=${form.reason}`, ...(form.until ? [`--until=${form.until}`] : []), ...(dryRun ? ["--dry-run"] : [])];
  const command = { ...(parseSupportArgs(argv) as SupportCommand & { name: "hold" }), ...common(source) };
  return oneAtATime(() => hold(command));
}

/** Resume (or its dry run): the CLI's own `resume`. */
export function resumeAction(source: ConsoleSource, trust: string, endpoint: string, dryRun: boolean): Promise<ActionResult> {
  const argv = ["resume", `--trust=${trust}`, ...(endpoint ? [`--endpoint=${endpoint}`] : []), ...(dryRun ? ["--dry-run"] : [])];
  const command = { ...(parseSupportArgs(argv) as SupportCommand & { name: "resume" }), ...common(source) };
  return oneAtATime(() => resume(command));
}
