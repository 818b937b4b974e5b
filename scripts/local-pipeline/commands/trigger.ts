import { relative } from "node:path";
import { UsageError } from "../../lib/command-line.ts";
import { DEFAULT_SECRETS_FILE } from "../../lib/local-secrets.ts";
import type { DeliveryResult } from "../api-destination.ts";
import type { TriggerCommand } from "../args.ts";
import { startPipeline, trustsFrom } from "../inputs.ts";
import { SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, type LocalPipeline } from "../pipeline.ts";

/** What `trigger` reports for one endpoint the event was published to. */
export interface TriggeredDelivery {
  endpointId: string;
  /** What the Lambda did for this endpoint: published to the bus, or why not. */
  state: string;
  reason?: string;
  /** What the API destination did: delivered (with the HTTP status) or dead-lettered (why), and its attempts. */
  delivery?: DeliveryResult & { retries: number };
}

export interface TriggerReport {
  eventId: string;
  type: string;
  trustId: string;
  /** The record's state in the Lambda: published, filtered (no endpoint subscribes), quarantined. */
  state: string;
  reason?: string;
  deliveries: TriggeredDelivery[];
  /** Every endpoint the event was published to answered 2xx. */
  delivered: boolean;
}

/**
 * `trigger`: one generated event of the named type for the trust, through the pipeline to the trust's endpoints
 * (real URLs with your own trust files: run `listen` first); reports what became of each delivery. Exit 1 unless
 * the event was published and every delivery was delivered.
 */
export async function trigger(command: TriggerCommand): Promise<number> {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const secretsFile = command.secretsFile ?? DEFAULT_SECRETS_FILE;
  if (!trustsFrom(trustsDir).some((t) => t.trustId === command.trust)) throw new UsageError(`no trust ${command.trust} in ${trustsDir}`);
  const pipeline = await startPipeline({
    trustsDir,
    ...(command.trustsDir ? {} : { receiversFile: SAMPLE_RECEIVERS_FILE }),
    dlqDir: command.dlqDir,
    secretsFile,
    ...(command.maxRetries !== undefined ? { maxRetries: command.maxRetries } : {}),
  });
  reportSecrets(pipeline);
  let report: TriggerReport;
  const ticker = command.json ? undefined : setInterval(() => {
    const p = pipeline.progress();
    if (p.inFlight > 0) console.error(`waiting for ${p.inFlight} delivery(ies): ${p.retries} retries so far`);
  }, 2000);
  try {
    const event = [...take(pipeline.events(command.seed, [command.trust]), 5000)].find((e) => e.type === command.type);
    if (!event) throw new Error(`could not generate a ${command.type}`);
    pipeline.put(event);
    await pipeline.drain();
    report = reportOf(pipeline, command, event.eventId);
  } finally {
    clearInterval(ticker);
    await pipeline.drain(); // also when nothing was put: the pipe stops polling
    await pipeline.stop();
  }
  if (command.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, command.dlqDir);
  return report.delivered ? 0 : 1;
}

function reportSecrets(pipeline: LocalPipeline): void {
  const file = pipeline.secretsFile;
  if (!file || file.generated.length === 0) return;
  const shown = relative(process.cwd(), file.path) || file.path;
  console.error(`${file.created ? "created" : "added to"} ${shown}: ${file.generated.length} signing key(s) and credentials (listen uses the same file)`);
}

function reportOf(pipeline: LocalPipeline, command: TriggerCommand, eventId: string): TriggerReport {
  const outcome = [...pipeline.outcomes.values()][0];
  const deliveries = (outcome?.deliveries ?? []).map((d): TriggeredDelivery => {
    const result = [...(pipeline.destinations.get(`${command.trust}/${d.endpointId}`)?.results.values() ?? [])][0];
    return {
      endpointId: d.endpointId,
      state: d.state,
      ...(d.reason ? { reason: d.reason } : {}),
      ...(result ? { delivery: { ...result, retries: result.attempts - 1 } } : {}),
    };
  });
  const published = deliveries.filter((d) => d.state === "published");
  return {
    eventId,
    type: command.type,
    trustId: command.trust,
    state: outcome?.state ?? "unfinished",
    ...(outcome?.reason ? { reason: outcome.reason } : {}),
    deliveries,
    delivered: outcome?.state === "published" && published.length > 0 && published.every((d) => d.delivery?.state === "delivered"),
  };
}

function printReport(report: TriggerReport, dlqDir: string): void {
  console.log(`${report.type} ${report.eventId} for ${report.trustId}: ${report.state}${report.reason ? ` (${report.reason})` : ""}`);
  if (report.state === "filtered") console.log("  no enabled endpoint of the trust subscribes to this event type and its attributes");
  for (const d of report.deliveries) {
    const name = `  ${report.trustId}/${d.endpointId}`;
    const r = d.delivery;
    if (d.state !== "published") console.log(`${name}  not published: ${d.state}${d.reason ? ` (${d.reason})` : ""}`);
    else if (!r) console.log(`${name}  published; no delivery result (the endpoint's rule is disabled?)`);
    else if (r.state === "delivered") console.log(`${name}  delivered, HTTP ${r.status}${r.retries ? ` after ${r.retries} retr${r.retries === 1 ? "y" : "ies"}` : ""}`);
    else {
      const why = `${r.errorCode}: ${r.errorMessage}${r.exhaustedRetryCondition ? `, ${r.exhaustedRetryCondition}` : ""}`;
      console.log(`${name}  DEAD-LETTERED after ${r.retries} retr${r.retries === 1 ? "y" : "ies"} (${why}); in ${dlqDir}/${report.trustId}/`);
    }
  }
  console.log(report.delivered ? "delivered" : "NOT delivered");
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  for (const item of items) {
    if (n-- <= 0) return;
    yield item;
  }
}
