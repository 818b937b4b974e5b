import { createReadStream } from "node:fs";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { PlatformEvent } from "@trust-callbacks/schemas";
import { DEFAULT_SECRETS_FILE } from "../../lib/local-secrets.ts";
import type { RunCommand } from "../args.ts";
import { localHoldsPaths } from "./drain.ts";
import { progressLine } from "../../lib/progress.ts";
import { readableFile, startPipeline } from "../inputs.ts";
import { drainLocalHolds } from "../local-drain.ts";
import { SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, type LocalPipeline, type LocalPipelineSummary } from "../pipeline.ts";

/** `run`: the whole delivery path on this machine; exit 1 when any event is unaccounted for. */
export async function run(command: RunCommand): Promise<number> {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const receiversFile = command.receiversFile ?? (command.trustsDir ? undefined : SAMPLE_RECEIVERS_FILE);
  if (command.events && command.events !== "-") readableFile(command.events, "--events");
  if (command.receiversFile) readableFile(command.receiversFile, "--receivers");
  const secretsFile = command.secretsFile ?? DEFAULT_SECRETS_FILE;
  // Beside the DLQs: the call history, the stream stand-in, the quarantine and the local key (.local/…), which
  // `redrive -- history|replay|replay-quarantine` read.
  const local = dirname(command.dlqDir);
  const pipeline = await startPipeline({
    trustsDir,
    ...(receiversFile ? { receiversFile } : {}),
    dlqDir: command.dlqDir,
    secretsFile,
    historyFile: join(local, "history.jsonl"),
    streamFile: join(local, "stream.jsonl"),
    quarantineDir: join(local, "quarantine"),
    masterKeyFile: join(local, "master.key"),
    // The holds `support hold`/`resume` and the drain share (.local/holds): a held endpoint's deliveries wait there.
    holdsDir: join(local, "holds"),
    noticesFile: join(local, "notices.ndjson"),
  });
  const secrets = pipeline.secretsFile;
  if (secrets && secrets.generated.length > 0) {
    const shown = relative(process.cwd(), secrets.path) || secrets.path;
    console.error(`${secrets.created ? "created" : "added to"} ${shown}: ${secrets.generated.length} new signing key(s) and credentials, kept for the next run (listen and trigger use the same file)`);
  }
  const interactive = process.stderr.isTTY && !command.json;
  const started = Date.now();
  const ticker = setInterval(() => {
    const p = pipeline.progress();
    // Generated events have a total (and, at --rate, an estimate); --events from a file or stdin do not.
    const put = command.events ? `put ${p.put}` : `put ${progressLine(p.put, command.count, started)}`;
    const line = `${put}  processed ${p.processed}  delivered ${p.delivered}  retries ${p.retries}  dead-lettered ${p.deadLettered}  in flight ${p.inFlight}  quarantined ${p.quarantined}`;
    if (interactive) process.stderr.write(`\r${line}   `);
    else if (!command.json) console.error(line);
  }, interactive ? 200 : 2000);

  const stopAt = command.durationSeconds ? Date.now() + command.durationSeconds * 1000 : Infinity;
  const source: AsyncIterable<PlatformEvent | string> | Iterable<PlatformEvent | string> = command.events
    ? ndjson(command.events)
    : (function* () {
        const events = pipeline.events(command.seed);
        for (let i = 0; i < command.count; i++) yield events.next().value as PlatformEvent;
      })();
  let sent = 0;
  for await (const event of source) {
    if (Date.now() > stopAt) break;
    pipeline.put(event);
    sent += 1;
    const due = started + (sent * 1000) / command.rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
  await pipeline.drain();
  clearInterval(ticker);
  if (interactive) process.stderr.write("\n");
  // This run's records, accounted before the hold drain adds deliveries of earlier holds to the destinations' counts.
  const summary = { ...pipeline.summary(), filterReasons: filterReasons(pipeline) };
  // Holds that ended (a resume, an until, a window's end) are drained once the run's records are through (10.16).
  const holds = await drainLocalHolds(pipeline, localHoldsPaths(command));
  await pipeline.drain();
  for (const e of holds.endpoints.filter((e) => e.sent > 0 || e.filtered > 0 || e.from !== e.to)) {
    console.error(`hold ${e.trustId}/${e.endpointId}: ${e.from} -> ${e.to}; sent ${e.sent}, drained ${e.drained}${e.filtered ? `, filtered ${e.filtered}` : ""}`);
  }
  await pipeline.stop();
  if (command.json) console.log(JSON.stringify(summary, null, 2));
  else {
    printSummary(summary);
    console.log(`DLQs: ${command.dlqDir}/<trust>/ (inspect or redrive with: npm run support -- list --local ${command.dlqDir})`);
  }
  return summary.unaccounted === 0 ? 0 : 1;
}

async function* ndjson(source: string): AsyncGenerator<PlatformEvent | string> {
  const lines = createInterface({ input: source === "-" ? process.stdin : createReadStream(source) });
  for await (const line of lines) {
    if (!line.trim()) continue;
    // Valid events go in as events; anything else goes in raw, so the pipeline quarantines it with a reason.
    try {
      const parsed = PlatformEvent.safeParse(JSON.parse(line));
      yield parsed.success ? parsed.data : line;
    } catch {
      yield line;
    }
  }
}

/** Filtered records by reason, with the trusts each reason filtered (a disabled trust shows as its kill switch). */
export function filterReasons(pipeline: Pick<LocalPipeline, "outcomes">): Record<string, { records: number; trusts: string[] }> {
  const reasons: Record<string, { records: number; trusts: string[] }> = {};
  for (const outcome of pipeline.outcomes.values()) {
    if (outcome.state !== "filtered" || outcome.duplicateOf) continue;
    const reason = outcome.reason ?? "filtered";
    const entry = (reasons[reason] ??= { records: 0, trusts: [] });
    entry.records += 1;
    if (outcome.trustId && !entry.trusts.includes(outcome.trustId)) entry.trusts.push(outcome.trustId);
  }
  for (const entry of Object.values(reasons)) entry.trusts.sort();
  return reasons;
}

function printSummary(summary: LocalPipelineSummary & { filterReasons: ReturnType<typeof filterReasons> }): void {
  const r = summary.records;
  console.log(`\nrecords (one per platform event put on the stream): ${r.put} put, ${r.published} published, ${r.filtered} filtered, ${r.quarantined} quarantined, ${r.pipeDeadLettered} in the Pipe DLQ, ${r.unfinished} unfinished`);
  for (const [reason, { records, trusts }] of Object.entries(summary.filterReasons)) console.log(`  filtered ${records}: ${reason} (${trusts.join(", ")})`);
  for (const [reason, n] of Object.entries(summary.quarantineReasons)) console.log(`  quarantined ${n}: ${reason}`);
  console.log(`Lambda invocations: ${summary.lambdaInvocations}, PutEvents calls: ${summary.putEventsCalls}\n`);
  console.log("deliveries (one per endpoint a published record goes to, so a record can make several):");
  const rows = summary.endpoints.map((e) => [
    `${e.trustId}/${e.endpointId}`,
    e.auth,
    String(e.published),
    String(e.held),
    String(e.delivered),
    String(e.retries),
    String(e.deadLettered),
    e.p50Ms === null ? "-" : `${e.p50Ms} ms`,
    e.p99Ms === null ? "-" : `${e.p99Ms} ms`,
  ]);
  const header = ["endpoint", "auth", "published", "held", "delivered", "retries", "dead-lettered", "p50", "p99"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
  if (summary.endpoints.some((e) => e.held > 0)) console.log("held: kept in the endpoint's hold store (.local/holds) until its hold ends; the drain then delivers them");
  console.log(summary.unaccounted === 0 ? "\nevery event accounted for" : `\n${summary.unaccounted} event(s) UNACCOUNTED FOR`);
}
