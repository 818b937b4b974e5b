/**
 * The local pipeline, and tools for trust developers. `npm run local -- --help` for usage.
 *   run (default)  the whole delivery path on this machine, on the sample trusts unless told otherwise
 *   listen         a receiver that checks auth and signature and prints each event
 *   trigger        send one named event type for a trust through the pipeline
 */
import { createInterface } from "node:readline";
import { createReadStream } from "node:fs";
import { EVENT_TYPES, PlatformEvent, type EventType } from "@trust-callbacks/schemas";
import { fail, parseCommandLine } from "../lib/command-line.ts";
import { WebhookReceiver, type ReceiverAuth } from "../lib/webhook-receiver.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, type LocalPipelineSummary } from "./pipeline.ts";

const HELP = `Usage:
  npm run local [-- run] [options]       run the pipeline end to end (default: sample trusts, 300 generated events)
    --trusts DIR        trust config directory (default: scripts/local-pipeline/sample-trusts)
    --receivers FILE    embedded receivers to start (default: sample-receivers.json with the sample trusts)
    --events FILE|-     feed your own events as NDJSON (a file, or - for stdin) instead of generated ones
    --count N           generated events (default 300)
    --rate N            events per second fed to the stream (default 200)
    --seed N            generator seed (default 42)
    --duration S        stop feeding after S seconds (default: feed --count events), then drain
    --dlq-dir DIR       where per-trust DLQs are written (default .local/dlq)
    --json              print the summary as JSON
  npm run local -- listen --port 8080 --secret whsec_... [--auth none|basic:USER:PASS|api_key:HEADER:VALUE] [--status 503]
  npm run local -- trigger --trust RX1 --type message.created [--trusts DIR]
Exit status 1 when any event is unaccounted for.`;

const { values, positionals } = parseCommandLine({
  allowPositionals: true,
  options: {
    trusts: { type: "string" },
    receivers: { type: "string" },
    events: { type: "string" },
    count: { type: "string", default: "300" },
    rate: { type: "string", default: "200" },
    seed: { type: "string", default: "42" },
    duration: { type: "string" },
    "dlq-dir": { type: "string", default: ".local/dlq" },
    json: { type: "boolean", default: false },
    port: { type: "string", default: "8080" },
    secret: { type: "string" },
    auth: { type: "string", default: "none" },
    status: { type: "string", default: "200" },
    trust: { type: "string" },
    type: { type: "string" },
    help: { type: "boolean", short: "h", default: false },
  },
}, HELP);

const int = (name: keyof typeof values, min = 0): number => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < min) fail(`--${name} must be a whole number >= ${min}`);
  return value;
};

function printSummary(summary: LocalPipelineSummary): void {
  const r = summary.records;
  console.log(`\nrecords: ${r.put} put, ${r.published} published, ${r.filtered} filtered, ${r.quarantined} quarantined, ${r.pipeDeadLettered} in the Pipe DLQ, ${r.unfinished} unfinished`);
  for (const [reason, n] of Object.entries(summary.quarantineReasons)) console.log(`  quarantined ${n}: ${reason}`);
  console.log(`Lambda invocations: ${summary.lambdaInvocations}, PutEvents calls: ${summary.putEventsCalls}\n`);
  const rows = summary.endpoints.map((e) => [
    `${e.trustId}/${e.endpointId}`,
    e.auth,
    String(e.published),
    String(e.delivered),
    String(e.retries),
    String(e.deadLettered),
    e.p50Ms === null ? "-" : `${e.p50Ms} ms`,
    e.p99Ms === null ? "-" : `${e.p99Ms} ms`,
  ]);
  const header = ["endpoint", "auth", "published", "delivered", "retries", "dead-lettered", "p50", "p99"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join("  "));
  console.log(summary.unaccounted === 0 ? "\nevery event accounted for" : `\n${summary.unaccounted} event(s) UNACCOUNTED FOR`);
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

async function run(): Promise<number> {
  const trustsDir = values.trusts ?? SAMPLE_TRUSTS_DIR;
  const receiversFile = values.receivers ?? (values.trusts ? undefined : SAMPLE_RECEIVERS_FILE);
  const rate = int("rate", 1);
  const pipeline = await LocalPipeline.start({ trustsDir, ...(receiversFile ? { receiversFile } : {}), dlqDir: values["dlq-dir"]! });
  const interactive = process.stderr.isTTY && !values.json;
  const ticker = setInterval(() => {
    const p = pipeline.progress();
    const line = `put ${p.put}  processed ${p.processed}  delivered ${p.delivered}  retries ${p.retries}  dead-lettered ${p.deadLettered}  in flight ${p.inFlight}  quarantined ${p.quarantined}`;
    if (interactive) process.stderr.write(`\r${line}   `);
    else if (!values.json) console.error(line);
  }, interactive ? 200 : 2000);

  const stopAt = values.duration ? Date.now() + int("duration", 1) * 1000 : Infinity;
  const source: AsyncIterable<PlatformEvent | string> | Iterable<PlatformEvent | string> = values.events
    ? ndjson(values.events)
    : (function* () {
        const events = pipeline.events(int("seed"));
        for (let i = 0; i < int("count"); i++) yield events.next().value as PlatformEvent;
      })();
  const started = Date.now();
  let sent = 0;
  for await (const event of source) {
    if (Date.now() > stopAt) break;
    pipeline.put(event);
    sent += 1;
    const due = started + (sent * 1000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
  }
  await pipeline.drain();
  clearInterval(ticker);
  if (interactive) process.stderr.write("\n");
  await pipeline.stop();
  const summary = pipeline.summary();
  if (values.json) console.log(JSON.stringify(summary, null, 2));
  else {
    printSummary(summary);
    console.log(`DLQs: ${values["dlq-dir"]}/<trust>/ (inspect or redrive with: npm run redrive -- list --local ${values["dlq-dir"]})`);
  }
  return summary.unaccounted === 0 ? 0 : 1;
}

async function listen(): Promise<number> {
  if (!values.secret) fail("listen needs --secret whsec_... (the endpoint's signing key)");
  const [kind, a = "", b = ""] = values.auth!.split(":");
  const auth: ReceiverAuth =
    kind === "basic" ? { type: "basic", username: a, password: b } : kind === "api_key" ? { type: "api_key", headerName: a, value: b } : { type: "none" };
  const status = int("status", 100);
  const receiver = new WebhookReceiver({
    auth,
    signingSecret: values.secret!,
    behaviour: status >= 200 && status < 300 ? { kind: "ok" } : { kind: "status", status },
    onDelivery: (d) => console.log(JSON.stringify({ verified: true, webhookId: d.webhookId, event: d.event }, null, 2)),
    onRejected: (reason, code) => console.error(`rejected (${code}): ${reason}`),
  });
  const origin = await receiver.start(int("port"));
  console.error(`listening on ${origin} (auth ${kind}; answering ${status} to verified deliveries); Ctrl-C to stop`);
  await new Promise<void>((resolve) => process.once("SIGINT", resolve));
  await receiver.stop();
  return 0;
}

async function trigger(): Promise<number> {
  const type = values.type as EventType;
  if (!values.trust || !EVENT_TYPES.includes(type)) fail(`trigger needs --trust ODS and --type one of ${EVENT_TYPES.join(", ")}`);
  const trustsDir = values.trusts ?? SAMPLE_TRUSTS_DIR;
  const pipeline = await LocalPipeline.start({
    trustsDir,
    ...(values.trusts ? {} : { receiversFile: SAMPLE_RECEIVERS_FILE }),
    dlqDir: values["dlq-dir"]!,
  });
  if (!pipeline.trusts.some((t) => t.trustId === values.trust)) fail(`no trust ${values.trust} in ${trustsDir}`);
  const event = [...take(pipeline.events(int("seed"), [values.trust!]), 5000)].find((e) => e.type === type) ?? fail(`could not generate a ${type}`);
  pipeline.put(event);
  await pipeline.drain();
  await pipeline.stop();
  const outcome = [...pipeline.outcomes.values()][0];
  console.log(JSON.stringify({ state: outcome?.state, reason: outcome?.reason, deliveries: outcome?.deliveries }, null, 2));
  return pipeline.summary().unaccounted === 0 ? 0 : 1;
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  for (const item of items) {
    if (n-- <= 0) return;
    yield item;
  }
}

if (values.help) {
  console.log(HELP);
} else {
  const command = positionals[0] ?? "run";
  const commands: Record<string, () => Promise<number>> = { run, listen, trigger };
  if (!commands[command]) fail(`unknown command ${command}\n${HELP}`);
  process.exitCode = await commands[command]!();
}
