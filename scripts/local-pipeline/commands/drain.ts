import { dirname, join } from "node:path";
import type { DrainReport } from "@trust-callbacks/transform-filter";
import { DEFAULT_SECRETS_FILE } from "../../lib/local-secrets.ts";
import type { DrainCommand } from "../args.ts";
import { readableFile, startPipeline } from "../inputs.ts";
import { drainLocalHolds } from "../local-drain.ts";
import { SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../pipeline.ts";

/** Where the local holds and the notice outbox are, beside the DLQs (`.local/holds`, `.local/notices.ndjson`). */
export const localHoldsPaths = (command: Pick<DrainCommand, "dlqDir" | "holdsDir" | "noticesFile">) => ({
  holdsDir: command.holdsDir ?? join(dirname(command.dlqDir), "holds"),
  noticesFile: command.noticesFile ?? join(dirname(command.dlqDir), "notices.ndjson"),
});

/** A stop that leaves work for the next sweep because something failed (not time, not a wait for deliveries in flight). */
const FAILED_STOPS = new Set(["receive-failed", "send-failed", "delete-failed"]);

/**
 * `drain`: one sweep of the hold drain over the local holds (docs/guarantees.md 10.16), its deliveries sent through the
 * local bus and API destinations to the trusts' receivers; exit 1 when an endpoint's drain stopped on a failure.
 */
export async function drain(command: DrainCommand, signal?: AbortSignal): Promise<number> {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const receiversFile = command.receiversFile ?? (command.trustsDir ? undefined : SAMPLE_RECEIVERS_FILE);
  if (command.receiversFile) readableFile(command.receiversFile, "--receivers");
  const pipeline = await startPipeline({
    trustsDir,
    ...(receiversFile ? { receiversFile } : {}),
    dlqDir: command.dlqDir,
    secretsFile: command.secretsFile ?? DEFAULT_SECRETS_FILE,
  });
  let report: DrainReport;
  try {
    report = await drainLocalHolds(pipeline, { ...localHoldsPaths(command), ...(signal ? { signal } : {}) });
    await pipeline.drain();
  } finally {
    await pipeline.stop();
  }
  if (command.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);
  return report.failed || report.endpoints.some((e) => e.stopped && FAILED_STOPS.has(e.stopped)) ? 1 : 0;
}

function printReport(report: DrainReport): void {
  if (report.failed) {
    console.log(`the local holds table could not be read: ${report.failed}`);
    return;
  }
  if (report.endpoints.length === 0) {
    console.log("no holds: nothing to drain");
    return;
  }
  for (const e of report.endpoints) {
    const counts = `sent ${e.sent}, drained ${e.drained}${e.filtered ? `, filtered ${e.filtered}` : ""}`;
    const stopped = e.stopped ? ` (stopped: ${e.stopped})` : "";
    const note = e.note ? ` - ${e.note}` : "";
    console.log(`${e.trustId}/${e.endpointId}: ${e.from} -> ${e.to}; ${counts}${stopped}${note}`);
  }
}
