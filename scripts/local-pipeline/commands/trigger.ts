import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { relative } from "node:path";
import { PlatformEvent, type Endpoint, type TrustConfig } from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import { DEFAULT_SECRETS_FILE } from "../../lib/local-secrets.ts";
import type { DeliveryResult } from "../api-destination.ts";
import type { TriggerCommand } from "../args.ts";
import { readableFile, startPipeline, trustsFrom } from "../inputs.ts";
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
  /** The event's attributes, which endpoints' conditions are matched against. */
  attributes: Record<string, string>;
  /** Each endpoint of the trust the event did not go to, and what stopped it (kill switch, event type, a condition). */
  notSentTo: { endpointId: string; reason: string }[];
  /** Every endpoint the event was published to answered 2xx. */
  delivered: boolean;
}

/**
 * Why an endpoint does not take the event, in the terms of the trust file, or undefined when it does: the trust's
 * or the endpoint's kill switch, its event types, or the first condition the event's attributes do not meet.
 */
export function whyNotSent(trust: TrustConfig, endpoint: Endpoint, event: Pick<PlatformEvent, "type" | "attributes">): string | undefined {
  if (!trust.enabled) return "the trust is disabled (kill switch)";
  if (!endpoint.enabled) return "the endpoint is disabled";
  if (!endpoint.eventTypes.includes(event.type)) return `it does not subscribe to ${event.type} (only ${endpoint.eventTypes.join(", ")})`;
  for (const [name, allowed] of Object.entries(endpoint.conditions) as [string, string[] | undefined][]) {
    if (allowed === undefined) continue;
    const actual = (event.attributes as Record<string, string | undefined>)[name];
    if (actual === undefined) return `condition ${name} (one of ${allowed.join(", ")}): the event has no ${name} (--attr ${name}=${allowed[0]})`;
    if (!allowed.includes(actual)) return `condition ${name} (one of ${allowed.join(", ")}): the event's ${name} is ${actual}`;
  }
  return undefined;
}

/** The event from `--event FILE`: a platform event of the trust, or one line saying what is wrong with it. */
function eventFromFile(file: string, trustId: string): PlatformEvent {
  readableFile(file, "--event");
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--event ${file}: not JSON (${(error as Error).message})`);
  }
  const parsed = PlatformEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`--event ${file}: not a platform event: ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  if (parsed.data.trustId !== trustId) throw new UsageError(`--event ${file} is for trust ${parsed.data.trustId}, not --trust ${trustId}`);
  return parsed.data;
}

/**
 * `trigger`: one generated event of the named type for the trust, through the pipeline to the trust's endpoints
 * (real URLs with your own trust files: run `listen` first); reports what became of each delivery. Exit 1 unless
 * the event was published and every delivery was delivered.
 */
export async function trigger(command: TriggerCommand): Promise<number> {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const secretsFile = command.secretsFile ?? DEFAULT_SECRETS_FILE;
  const trusts = trustsFrom(trustsDir);
  const trust = trusts.find((t) => t.trustId === command.trust);
  if (!trust) throw new UsageError(`no trust ${command.trust} in ${trustsDir}; the trusts are ${trusts.map((t) => t.trustId).join(", ")}`);
  const fromFile = command.eventFile !== undefined ? eventFromFile(command.eventFile, command.trust) : undefined;
  const pipeline = await startPipeline({
    trustsDir,
    ...(command.trustsDir ? {} : { receiversFile: SAMPLE_RECEIVERS_FILE }),
    dlqDir: command.dlqDir,
    secretsFile,
    ...(command.maxRetries !== undefined ? { maxRetries: command.maxRetries } : {}),
  });
  reportSecrets(pipeline);
  if (command.trustsDir) for (const line of await missingListeners(trust, command.maxRetries)) console.error(line);
  let report: TriggerReport;
  const ticker = command.json ? undefined : setInterval(() => {
    const p = pipeline.progress();
    if (p.inFlight > 0) console.error(`waiting for ${p.inFlight} delivery(ies): ${p.retries} retries so far`);
  }, 2000);
  try {
    const generated = fromFile ?? [...take(pipeline.events(command.seed, [command.trust]), 5000)].find((e) => e.type === command.type);
    if (!generated) throw new Error(`could not generate a ${command.type}`);
    // Attributes are not sealed (the field encryption binds the trust and event ids only), so they can be set here.
    const event = command.attributes ? ({ ...generated, attributes: { ...generated.attributes, ...command.attributes } } as PlatformEvent) : generated;
    pipeline.put(event);
    await pipeline.drain();
    report = reportOf(pipeline, trust, event);
  } finally {
    clearInterval(ticker);
    await pipeline.drain(); // also when nothing was put: the pipe stops polling
    await pipeline.stop();
  }
  if (command.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report, command.dlqDir);
  return report.delivered ? 0 : 1;
}

/**
 * Endpoints of your trust file with nothing listening at their URL: said before the event goes, since a refused
 * connection is retried for as long as the endpoint's retry policy says (minutes locally) before it dead-letters.
 */
async function missingListeners(trust: TrustConfig, maxRetries: number | undefined): Promise<string[]> {
  const probes = trust.endpoints.map(async (endpoint) => {
    const url = new URL(endpoint.url);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    const listening = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: url.hostname.replace(/^\[|\]$/g, ""), port, timeout: 1000 });
      const done = (answer: boolean) => {
        socket.destroy();
        resolve(answer);
      };
      socket.once("connect", () => done(true)).once("error", () => done(false)).once("timeout", () => done(false));
    });
    if (listening) return [];
    const retries = Math.min(endpoint.retryPolicy.maximumRetryAttempts, maxRetries ?? Infinity);
    return [
      `warning: nothing listens at ${endpoint.url} (${trust.trustId}/${endpoint.id}): a delivery there is retried ${retries} time(s) before it is dead-lettered; ` +
        `start npm run local -- listen --endpoint ${trust.trustId}/${endpoint.id}, or pass --max-retries 0 to dead-letter it at once`,
    ];
  });
  return (await Promise.all(probes)).flat();
}

function reportSecrets(pipeline: LocalPipeline): void {
  const file = pipeline.secretsFile;
  if (!file || file.generated.length === 0) return;
  const shown = relative(process.cwd(), file.path) || file.path;
  console.error(`${file.created ? "created" : "added to"} ${shown}: ${file.generated.length} signing key(s) and credentials (listen uses the same file)`);
}

function reportOf(pipeline: LocalPipeline, trust: TrustConfig, event: PlatformEvent): TriggerReport {
  const outcome = [...pipeline.outcomes.values()][0];
  const deliveries = (outcome?.deliveries ?? []).map((d): TriggeredDelivery => {
    const result = [...(pipeline.destinations.get(`${trust.trustId}/${d.endpointId}`)?.results.values() ?? [])][0];
    return {
      endpointId: d.endpointId,
      state: d.state,
      ...(d.reason ? { reason: d.reason } : {}),
      ...(result ? { delivery: { ...result, retries: result.attempts - 1 } } : {}),
    };
  });
  const published = deliveries.filter((d) => d.state === "published");
  const notSentTo = trust.endpoints.flatMap((endpoint) => {
    const reason = whyNotSent(trust, endpoint, event);
    return reason && !deliveries.some((d) => d.endpointId === endpoint.id) ? [{ endpointId: endpoint.id, reason }] : [];
  });
  const filteredBecause = notSentTo.length > 0 && deliveries.length === 0 ? `${notSentTo.map((n) => `${n.endpointId}: ${n.reason}`).join("; ")}` : undefined;
  return {
    eventId: event.eventId,
    type: event.type,
    trustId: trust.trustId,
    state: outcome?.state ?? "unfinished",
    // A filtered event's reason names what filtered it for each endpoint (the core says only that none subscribes).
    ...(outcome?.state === "filtered" && filteredBecause ? { reason: filteredBecause } : outcome?.reason ? { reason: outcome.reason } : {}),
    attributes: { ...event.attributes } as Record<string, string>,
    notSentTo,
    deliveries,
    delivered: outcome?.state === "published" && published.length > 0 && published.every((d) => d.delivery?.state === "delivered"),
  };
}

function printReport(report: TriggerReport, dlqDir: string): void {
  const attributes = Object.entries(report.attributes).map(([k, v]) => `${k}=${v}`).join(" ") || "none";
  console.log(`${report.type} ${report.eventId} for ${report.trustId} (attributes ${attributes}): ${report.state}${report.state !== "filtered" && report.reason ? ` (${report.reason})` : ""}`);
  for (const n of report.notSentTo) console.log(`  ${report.trustId}/${n.endpointId}  filtered: ${n.reason}`);
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
