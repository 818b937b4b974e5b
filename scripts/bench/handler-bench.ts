/**
 * Benchmark of the transform-and-filter handler: a script that prints figures (not a timed test).
 *   npm run bench [-- --batches 300 --scenario all --json bench-results/latest.json]
 * For each scenario (10 trusts × 2 endpoints; 1,000 trusts × 3 endpoints) the real handler (createRuntime +
 * createHandler, adapters included) runs in-process on ~1 KB events (text and names encrypted), batches of
 * 100, with real AWS SDK clients answered twice over:
 *   - core: at the SDK's first step (the real send() and middleware stack; nothing serialized or signed), and
 *   - full SDK path: by an in-process HTTP handler (serialization, SigV4 signing, response parsing; no socket).
 * A floor (decode + JSON parse + AES-GCM decrypt + HMAC + JSON serialize only) is measured in the same run on
 * the same records. A cold first batch (new container, one record per trust, 20 ms per AWS call) is timed too.
 * `npm run bench` passes --max-semi-space-size=64, as the Lambda's NODE_OPTIONS does at 1024 MB (pipeline
 * module, lambda.tf): with Node's smaller default, scavenges land in a third of the batches.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { Writable } from "node:stream";
import { createHandler, createRuntime } from "@trust-callbacks/transform-filter/handler";
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { holdKey } from "@trust-callbacks/schemas";
import { createLogger } from "@trust-callbacks/runtime";
import { awsClientConfig } from "@trust-callbacks/runtime/aws";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";
import { answerAtSdkLevel } from "@trust-callbacks/transform-filter/testing";
import { buildLambda } from "../build/build-lambdas.ts";
import { percentile } from "../lib/percentile.ts";
import { main } from "../lib/command-line.ts";
import { USAGE, parseBenchArgs, type BenchCommand } from "./args.ts";
import { BINDINGS_TABLE, benchClients, type AnswerLevel } from "./aws-answers.ts";
import { SCENARIOS, benchFixture, type BenchFixture, type Scenario } from "./fixture.ts";


/** Public list prices, USD. eu-west-2 (London) unless noted; check current pricing before quoting. */
const PRICES = {
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  pipesPerMillionRequests: 0.4, // each 64 KB chunk of a batch is a request
  putEventsPerMillionEvents: 1.0, // custom events, per 64 KB chunk
  apiDestinationsPerMillionInvocations: 0.2,
  kmsPerMillionRequests: 3.0,
  s3GetPerMillionRequests: 0.42,
  secretsManagerPerMillionCalls: 5.0, // $0.05 per 10,000 API calls
  logsIngestionPerGb: 0.5, // us-east-1 list price; London's is a little higher
  dynamoDbPerMillionReadUnits: 0.125, // on-demand, us-east-1 list price; a strongly consistent read of an item under 4 KB is 1
  dynamoDbPerMillionWriteUnits: 0.625, // on-demand, us-east-1 list price; a put of an item under 1 KB is 1 (a refused conditional put too)
};
const M = 1e6;
const MEMORY_GB = 1;
const CALL_LATENCY_MS = 20;
/** The Lambda's defaults (config.ts): how often a warm container refreshes each cached item. */
const TTL_SECONDS = { subscriptionIndex: 60, signingSecret: 900, dataKey: 900 };

interface LevelRun {
  handlerMsPer100: { median: number; p99: number };
  floorMsPer100: { median: number; p99: number };
  handlerOverFloor: number;
  eventsPerSecondPerCore: number;
  warmCallsPerBatch: { kms: number; s3: number; secretsManager: number; putEvents: number; putEventsMinimum: number };
  /** Conversation bindings per batch: BatchGetItem calls, items read, PutItem calls. */
  bindingsPerBatch: { reads: number; itemsRead: number; writes: number };
  deliveriesPerBatch: number;
  logBytesPerBatch: number;
  warmUpBatches: number;
}

/** Runs the benchmark, prints the table and writes the JSON results. */
async function bench(options: BenchCommand): Promise<number> {
  const scenarios = SCENARIOS.filter((scenario) => options.scenario === "all" || scenarioKey(scenario) === options.scenario);
  const semiSpaceFlag = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].find((arg) => arg.startsWith("--max-semi-space-size="));
  const v8SemiSpaceMb = semiSpaceFlag ? Number(semiSpaceFlag.split("=")[1]) : null;
  console.log(
    `handler benchmark (${options.batches} warm batches of ${options.batchSize}, ${process.version}, ` +
      `V8 semi-space ${v8SemiSpaceMb === null ? "Node's default" : `${v8SemiSpaceMb} MB`})`,
  );

  const scenarioResults = [];
  for (const scenario of scenarios) {
    const fixture = benchFixture(scenario, options.batchSize);
    const batches = Array.from({ length: options.batches }, fixture.makeBatch);
    const recordBytes = batches[0]!.reduce((sum, r) => sum + Buffer.from(r.data, "base64").length, 0) / options.batchSize;
    const core = await measure(fixture, "sdk", batches, options.batchSize);
    const full = await measure(fixture, "http", batches, options.batchSize);
    const cold = { core: await coldFirstBatch(fixture, "sdk", options.batchSize), fullSdkPath: await coldFirstBatch(fixture, "http", options.batchSize) };
    const heldPath = await heldPathCalls(fixture, batches.slice(0, 50));
    const endpoints = fixture.trusts.reduce((sum, trust) => sum + trust.endpoints.length, 0);
    const result = {
      scenario: scenario.name,
      trusts: scenario.trusts,
      endpoints,
      avgRecordBytes: Math.round(recordBytes),
      core,
      fullSdkPath: full,
      coldFirstBatchMs: { records: Math.min(options.batchSize, scenario.trusts), callLatencyMs: CALL_LATENCY_MS, ...cold },
      costPerMillionDeliveredUsd: costPerMillion(full, recordBytes * options.batchSize),
      refreshPerWarmContainerDayUsd: refreshCostPerContainerDay(scenario.trusts, endpoints),
      heldPath,
    };
    scenarioResults.push(result);
    printScenario(result);
  }

  // Bundle size and cold import time of the built Lambda.
  const bundle = await buildLambda("transform-filter");
  const bundleDir = dirname(bundle.zipPath) + "/transform-filter";
  const importMs = Array.from({ length: 5 }, () =>
    Number(
      execFileSync(process.execPath, ["--input-type=module", "-e", `const t=performance.now();await import(${JSON.stringify(join(bundleDir, "index.mjs"))});console.log(performance.now()-t)`], {
        env: { ...process.env, AWS_REGION: "eu-west-2" },
      }).toString(),
    ),
  ).sort((a, b) => a - b)[2]!;
  console.log(`  bundle / zip: ${(bundle.bundleBytes / 1024).toFixed(0)} KiB / ${(bundle.zipBytes / 1024).toFixed(0)} KiB; cold import of the bundle: ${importMs.toFixed(0)} ms`);
  console.log("  prices used (USD list prices; check current pricing):");
  for (const [name, price] of Object.entries(PRICES)) console.log(`    ${name.padEnd(40)} ${price}`);

  const results = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    batches: options.batches,
    batchSize: options.batchSize,
    v8SemiSpaceMb,
    scenarios: scenarioResults,
    bundle: { bytes: bundle.bundleBytes, zipBytes: bundle.zipBytes, coldImportMs: +importMs.toFixed(0) },
    pricesUsd: PRICES,
    targets: { coreHandlerOverFloorMax: 2, warmKmsS3SecretsCalls: 0, coldFirstBatchMsMax: 300 },
  };
  mkdirSync(dirname(options.jsonFile), { recursive: true });
  writeFileSync(options.jsonFile, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${options.jsonFile}`);
  return 0;
}

const scenarioKey = (scenario: Scenario) => `${scenario.trusts}x${scenario.endpointsPerTrust}`;

const context = { awsRequestId: "bench", getRemainingTimeInMillis: () => 60_000 };
const ENV = {
  ENVIRONMENT: "bench",
  EVENT_BUS_NAME: "trust-callbacks-bench-callbacks-0",
  SUBSCRIPTIONS_BUCKET: "trust-callbacks-bench-config",
  SUBSCRIPTION_INDEX_KEYS: "subscriptions/index.json",
  QUARANTINE_BUCKET: "trust-callbacks-bench-quarantine",
  BINDINGS_TABLE,
  LOG_LEVEL: "info", // the deployed default: its lines are part of the cost
};

/** A new container's handler over clients answered at `level`, writing its logs to a byte counter. */
function newContainer(fixture: BenchFixture, level: AnswerLevel, latencyMs = 0, held = false) {
  const log = { bytes: 0 };
  const logDestination = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      log.bytes += chunk.length;
      done();
    },
  });
  const clientConfig = awsClientConfig(createLogger({ level: "warn" }, logDestination));
  const { clients, calls } = benchClients(fixture, level, clientConfig, { latencyMs });
  const holds = held ? heldClients(fixture, clients.dynamoDb, clientConfig) : undefined;
  const endpoints = fixture.trusts.reduce((sum, trust) => sum + trust.endpoints.length, 0);
  const handler = createHandler(
    createRuntime(
      // Cache sizes as Terraform sets them from the deployment (modules/pipeline/lambda.tf).
      {
        ...ENV,
        ...(holds ? HOLDS_ENV : {}),
        SIGNING_SECRET_CACHE_SIZE: String(Math.max(500, Math.ceil((endpoints * 1.25) / 500) * 500)),
        DATA_KEY_CACHE_SIZE: String(Math.max(1000, Math.ceil((fixture.trusts.length * 4) / 500) * 500)),
      },
      // The EMF metric lines (stdout in Lambda) are counted with the logs: CloudWatch ingests both.
      { ...clients, ...(holds ? { dynamoDb: holds.dynamoDb, sqs: holds.sqs } : {}), logDestination, metricsOutput: logDestination },
    ),
  );
  return { handler, calls, log, holdCalls: holds?.counts ?? { sendMessageBatch: 0, messages: 0, tableReads: 0 } };
}

/** The holds table and hold stores a held container is configured with (docs/adr/0002-holds.md). */
const HOLDS_ENV = { HOLDS_TABLE_NAME: "trust-callbacks-bench-holds", HOLD_QUEUE_URL_BASE: "https://sqs.eu-west-2.amazonaws.com/123456789012/", NAME_PREFIX: "trust-callbacks-bench" };

interface HeldPathRun {
  /** Warm AWS calls per delivery with nothing held (PutEvents, KMS, S3, Secrets Manager, DynamoDB). */
  normalCallsPerDelivery: number;
  /** The same batches with every endpoint held: SendMessageBatch in place of PutEvents, and the holds table's reads. */
  heldCallsPerDelivery: number;
  sendMessageBatchPerHeldDelivery: number;
  putEventsPerDelivery: number;
  holdTableReadsPerBatch: number;
}

/**
 * docs/guarantees.md 10.4: the held path costs no more AWS calls per delivery than the normal path once warm. The same
 * batches through two warm containers at the SDK level: one with nothing held, one with every endpoint held (an
 * ad-hoc hold state in the holds table for each); calls counted per delivery (bus entry or held message).
 */
async function heldPathCalls(fixture: BenchFixture, batches: PipeKinesisRecord[][]): Promise<HeldPathRun> {
  const run = async (held: boolean) => {
    const { handler, calls, holdCalls } = newContainer(fixture, "sdk", 0, held);
    for (const batch of [...fixture.makeEveryTrustBatches(), ...Array.from({ length: 5 }, fixture.makeBatch)]) await handler(batch, context);
    const total = () => calls.kms + calls.s3 + calls.secrets + calls.putEvents + calls.bindingReads + calls.bindingWrites + holdCalls.sendMessageBatch + holdCalls.tableReads;
    const start = { total: total(), entries: calls.entries, messages: holdCalls.messages, sends: holdCalls.sendMessageBatch, putEvents: calls.putEvents, reads: holdCalls.tableReads };
    for (const batch of batches) await handler(batch, context);
    const deliveries = calls.entries - start.entries + (holdCalls.messages - start.messages);
    return {
      perDelivery: (total() - start.total) / deliveries,
      sends: (holdCalls.sendMessageBatch - start.sends) / Math.max(1, holdCalls.messages - start.messages),
      putEvents: (calls.putEvents - start.putEvents) / Math.max(1, calls.entries - start.entries),
      reads: (holdCalls.tableReads - start.reads) / batches.length,
    };
  };
  const normal = await run(false);
  const held = await run(true);
  return {
    normalCallsPerDelivery: +normal.perDelivery.toFixed(3),
    heldCallsPerDelivery: +held.perDelivery.toFixed(3),
    sendMessageBatchPerHeldDelivery: +held.sends.toFixed(3),
    putEventsPerDelivery: +normal.putEvents.toFixed(3),
    holdTableReadsPerBatch: +held.reads.toFixed(2),
  };
}

/**
 * A DynamoDB client answering the holds table (every endpoint held: an ad-hoc hold state each) and passing the
 * bindings table's calls to `bindings`; an SQS client accepting every SendMessageBatch. Both count their calls.
 */
function heldClients(fixture: BenchFixture, bindings: DynamoDBClient, config: Record<string, unknown>) {
  const counts = { sendMessageBatch: 0, messages: 0, tableReads: 0 };
  const clientConfig = { ...config, region: "eu-west-2", credentials: { accessKeyId: "AKIABENCHMARK0000000", secretAccessKey: "bench" } };
  const held = new Map(
    fixture.trusts.flatMap((trust) =>
      trust.endpoints.map((endpoint) => {
        const key = holdKey(trust.trustId, endpoint.id);
        const item = {
          pk: { S: key }, trustId: { S: trust.trustId }, endpointId: { S: endpoint.id }, phase: { S: "held" }, source: { S: "adhoc" },
          reason: { S: "bench" }, heldAt: { S: "2026-01-01T00:00:00Z" }, heldBy: { S: "bench" }, drained: { N: "0" }, version: { N: "1" },
        };
        return [key, item] as const;
      }),
    ),
  );
  const strip = <T extends { $metadata?: unknown }>({ $metadata: _metadata, ...output }: T) => output;
  const dynamoDb = answerAtSdkLevel(new DynamoDBClient(clientConfig), {
    BatchGetItemCommand: async (input) => {
      const requests = input.RequestItems as Record<string, { Keys: { pk?: { S: string } }[] }>;
      const keys = requests[HOLDS_ENV.HOLDS_TABLE_NAME]?.Keys;
      if (!keys) return strip(await bindings.send(new BatchGetItemCommand(input as never)));
      counts.tableReads += 1;
      return { Responses: { [HOLDS_ENV.HOLDS_TABLE_NAME]: keys.flatMap((key) => (held.has(key.pk!.S) ? [held.get(key.pk!.S)!] : [])) }, UnprocessedKeys: {} };
    },
    PutItemCommand: async (input) => strip(await bindings.send(new PutItemCommand(input as never))),
    GetItemCommand: async (input) => strip(await bindings.send(new GetItemCommand(input as never))),
  });
  const sqs = answerAtSdkLevel(new SQSClient(clientConfig), {
    SendMessageBatchCommand: (input) => {
      counts.sendMessageBatch += 1;
      const entries = input.Entries as { Id: string }[];
      counts.messages += entries.length;
      return { Successful: entries.map((entry, i) => ({ Id: entry.Id, MessageId: `m-${counts.sendMessageBatch}-${i}`, MD5OfMessageBody: "" })), Failed: [] };
    },
  });
  return { dynamoDb, sqs, counts };
}

async function measure(fixture: BenchFixture, level: AnswerLevel, batches: PipeKinesisRecord[][], batchSize: number): Promise<LevelRun> {
  const { handler, calls, log } = newContainer(fixture, level);
  // Warm: a record of every trust to every endpoint (every cache filled), then 20 ordinary batches.
  const warmUp = [...fixture.makeEveryTrustBatches(), ...Array.from({ length: 20 }, fixture.makeBatch)];
  for (const batch of warmUp) await handler(batch, context);
  const warmUpBatches = warmUp.length;
  for (const batch of batches.slice(0, 20)) fixture.floor(batch);

  const start = { ...calls, logBytes: log.bytes };
  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let minimumPutCalls = 0;
  for (const batch of batches) {
    const entriesBefore = calls.entries;
    const t0 = performance.now();
    await handler(batch, context);
    handlerMs.push(performance.now() - t0);
    minimumPutCalls += Math.ceil((calls.entries - entriesBefore) / 10);
    const t1 = performance.now();
    fixture.floor(batch);
    floorMs.push(performance.now() - t1);
  }
  const perBatch = (n: number) => +(n / batches.length).toFixed(2);
  const per100 = (ms: number) => +((ms * 100) / batchSize).toFixed(2);
  const h = { median: percentile(handlerMs, 50)!, p99: percentile(handlerMs, 99)! };
  const f = { median: percentile(floorMs, 50)!, p99: percentile(floorMs, 99)! };
  return {
    handlerMsPer100: { median: per100(h.median), p99: per100(h.p99) },
    floorMsPer100: { median: per100(f.median), p99: per100(f.p99) },
    handlerOverFloor: +(h.median / f.median).toFixed(2),
    eventsPerSecondPerCore: Math.round((batchSize / h.median) * 1000),
    warmCallsPerBatch: {
      kms: perBatch(calls.kms - start.kms),
      s3: perBatch(calls.s3 - start.s3),
      secretsManager: perBatch(calls.secrets - start.secrets),
      putEvents: perBatch(calls.putEvents - start.putEvents),
      putEventsMinimum: perBatch(minimumPutCalls),
    },
    bindingsPerBatch: {
      reads: perBatch(calls.bindingReads - start.bindingReads),
      itemsRead: perBatch(calls.bindingItemsRead - start.bindingItemsRead),
      writes: perBatch(calls.bindingWrites - start.bindingWrites),
    },
    deliveriesPerBatch: perBatch(calls.entries - start.entries),
    logBytesPerBatch: Math.round((log.bytes - start.logBytes) / batches.length),
    warmUpBatches,
  };
}

/**
 * A new container's first batch, one record per trust, every AWS call answered after 20 ms: median of 3, in ms.
 * At `sdk` level it is the waiting the lookups' shape allows; at `http` the SDK's CPU per call is added.
 */
async function coldFirstBatch(fixture: BenchFixture, level: AnswerLevel, batchSize: number): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run < 3; run++) {
    const { handler } = newContainer(fixture, level, CALL_LATENCY_MS);
    const batch = fixture.makeColdBatch(batchSize);
    const t0 = performance.now();
    const { batchItemFailures } = await handler(batch, context);
    samples.push(performance.now() - t0);
    if (batchItemFailures.length > 0) throw new Error(`cold batch left ${batchItemFailures.length} records to retry`);
  }
  return +percentile(samples, 50)!.toFixed(0);
}

/** Cost per million delivered webhooks, from what was measured on the full SDK path. */
function costPerMillion(run: LevelRun, batchBytes: number): number {
  const batchCost =
    ((run.handlerMsPer100.median * (batchBytes > 0 ? 1 : 0)) / 1000) * MEMORY_GB * PRICES.lambdaArmPerGbSecond +
    PRICES.lambdaPerMillionRequests / M +
    (Math.ceil(batchBytes / 65536) * PRICES.pipesPerMillionRequests) / M +
    (run.deliveriesPerBatch * (PRICES.putEventsPerMillionEvents + PRICES.apiDestinationsPerMillionInvocations)) / M +
    (run.warmCallsPerBatch.kms * PRICES.kmsPerMillionRequests) / M +
    (run.warmCallsPerBatch.s3 * PRICES.s3GetPerMillionRequests) / M +
    (run.warmCallsPerBatch.secretsManager * PRICES.secretsManagerPerMillionCalls) / M +
    (run.logBytesPerBatch / 1e9) * PRICES.logsIngestionPerGb +
    (run.bindingsPerBatch.itemsRead * PRICES.dynamoDbPerMillionReadUnits) / M +
    (run.bindingsPerBatch.writes * PRICES.dynamoDbPerMillionWriteUnits) / M;
  return +((batchCost / run.deliveriesPerBatch) * M).toFixed(2);
}

/**
 * What a warm container pays a day to keep its caches fresh when every trust and endpoint is active: the
 * index every minute, each signing secret and data key once per TTL (refreshes happen only for entries in use).
 */
function refreshCostPerContainerDay(trusts: number, endpoints: number) {
  const perDay = (items: number, ttlSeconds: number) => (items * 86_400) / ttlSeconds;
  const s3 = perDay(1, TTL_SECONDS.subscriptionIndex) * (PRICES.s3GetPerMillionRequests / M);
  const secrets = perDay(endpoints, TTL_SECONDS.signingSecret) * (PRICES.secretsManagerPerMillionCalls / M);
  const kms = perDay(trusts, TTL_SECONDS.dataKey) * (PRICES.kmsPerMillionRequests / M);
  return { s3: +s3.toFixed(4), secretsManager: +secrets.toFixed(2), kms: +kms.toFixed(2), total: +(s3 + secrets + kms).toFixed(2) };
}

function printScenario(result: {
  scenario: string;
  avgRecordBytes: number;
  core: LevelRun;
  fullSdkPath: LevelRun;
  coldFirstBatchMs: { records: number; callLatencyMs: number; core: number; fullSdkPath: number };
  costPerMillionDeliveredUsd: number;
  refreshPerWarmContainerDayUsd: { s3: number; secretsManager: number; kms: number; total: number };
  heldPath: HeldPathRun;
}) {
  const { core, fullSdkPath: full } = result;
  const both = (pick: (run: LevelRun) => string | number) => `${String(pick(core)).padStart(12)} ${String(pick(full)).padStart(14)}`;
  const rows: [string, string][] = [
    ["events/s per core (median batch)", both((r) => r.eventsPerSecondPerCore)],
    ["ms per 100-record batch, median / p99", both((r) => `${r.handlerMsPer100.median} / ${r.handlerMsPer100.p99}`)],
    ["floor ms per 100, median", both((r) => r.floorMsPer100.median)],
    ["handler / floor", both((r) => `${r.handlerOverFloor}x`)],
    ["deliveries per 100 records", both((r) => r.deliveriesPerBatch)],
    ["PutEvents calls per batch (minimum)", both((r) => `${r.warmCallsPerBatch.putEvents} (${r.warmCallsPerBatch.putEventsMinimum})`)],
    ["warm KMS / S3 / Secrets Manager calls per batch", both((r) => `${r.warmCallsPerBatch.kms} / ${r.warmCallsPerBatch.s3} / ${r.warmCallsPerBatch.secretsManager}`)],
    ["DynamoDB per batch: BatchGetItem (items) / PutItem", both((r) => `${r.bindingsPerBatch.reads} (${r.bindingsPerBatch.itemsRead}) / ${r.bindingsPerBatch.writes}`)],
    ["log bytes per batch (LOG_LEVEL=info)", both((r) => r.logBytesPerBatch)],
    [`cold first batch, ms (${result.coldFirstBatchMs.records} trusts, ${result.coldFirstBatchMs.callLatencyMs} ms/call)`, `${String(result.coldFirstBatchMs.core).padStart(12)} ${String(result.coldFirstBatchMs.fullSdkPath).padStart(14)}`],
  ];
  console.log(`\n${result.scenario} (~${result.avgRecordBytes} B records)${" ".repeat(Math.max(1, 47 - result.scenario.length))}       core  full SDK path`);
  for (const [name, value] of rows) console.log(`  ${name.padEnd(50)} ${value}`);
  console.log(`  ${"cost per million delivered webhooks".padEnd(50)} $${result.costPerMillionDeliveredUsd}`);
  const refresh = result.refreshPerWarmContainerDayUsd;
  console.log(`  ${"cache refresh per warm container-day, all active".padEnd(50)} $${refresh.total} (Secrets Manager $${refresh.secretsManager}, KMS $${refresh.kms}, S3 $${refresh.s3})`);
  const held = result.heldPath;
  console.log(
    `  ${"warm AWS calls per delivery: normal / all held".padEnd(50)} ${held.normalCallsPerDelivery} / ${held.heldCallsPerDelivery} ` +
      `(PutEvents ${held.putEventsPerDelivery}, SendMessageBatch ${held.sendMessageBatchPerHeldDelivery}; holds table reads per batch ${held.holdTableReadsPerBatch})`,
  );
}

// Last, so every constant above is initialised when the run starts.
await main({ invocation: "npm run bench --", usage: USAGE, parse: parseBenchArgs, run: bench });
