/**
 * Benchmark of the transform-and-filter handler: a script that prints figures (not a timed test).
 *   npm run bench [-- --batches 300 --json bench-results/latest.json]
 * The real handler (createRuntime + createHandler, adapters included) runs in-process with real AWS SDK
 * clients answered by a middleware (no network), on ~1 KB events (text and names encrypted), 10 trusts × 2 endpoints,
 * batches of 100. A floor (decode + JSON parse + AES-GCM decrypt + HMAC + JSON serialize only) is
 * measured in the same run on the same records.
 * `npm run bench` passes --max-semi-space-size=64, as the Lambda's NODE_OPTIONS does at 1024 MB (pipeline
 * module, lambda.tf): with Node's smaller default, scavenges land in a third of the batches.
 */
import { execFileSync } from "node:child_process";
import { createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { Writable } from "node:stream";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { TrustConfig, dataKeyEncryptionContext, sealEventFields, type EncryptedField, type PlatformEvent } from "@trust-callbacks/schemas";
import { createHandler, createRuntime } from "@trust-callbacks/transform-filter/handler";
import { createLogger, type PipeKinesisRecord } from "@trust-callbacks/transform-filter";
import { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";
import { awsClientConfig } from "@trust-callbacks/transform-filter/aws";
import { answerAtSdkLevel } from "@trust-callbacks/transform-filter/testing";
import { buildLambda } from "../build/build-lambdas.ts";
import { generateEvents } from "../lib/event-generator.ts";
import { percentile } from "../lib/percentile.ts";
import { main } from "../lib/command-line.ts";
import { USAGE, parseBenchArgs, type BenchCommand } from "./args.ts";

await main({ invocation: "npm run bench --", usage: USAGE, parse: parseBenchArgs, run: bench });

/** Runs the benchmark, prints the table and writes the JSON results. */
async function bench(options: BenchCommand): Promise<number> {
  const BATCHES = options.batches;
  const BATCH_SIZE = options.batchSize;
  const signingSecret = `whsec_${randomBytes(32).toString("base64")}`;

  // --- Fixture: 10 trusts × 2 endpoints (one full, one minimal), realistic encrypted events of about 1 KB.
  const trusts = Array.from({ length: 10 }, (_v, i) =>
    TrustConfig.parse({
      trustId: `RB${i}`,
      name: `Bench Trust ${i}`,
      enabled: true,
      endpoints: ["ehr", "bleep"].map((id, j) => ({
        id,
        url: `https://${id}.rb${i}.example.nhs.uk/cb`,
        eventTypes: j === 0 ? ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"] : ["message.created", "response.sent", "message.read"],
        payloadProfile: j === 0 ? "full" : "minimal",
        auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: `bench/RB${i}/${id}/auth` },
        signingSecret: `bench/RB${i}/${id}/signing`,
      })),
    }),
  );
  const keyProvider = new LocalKeyProvider();
  const dataKeys = new Map(trusts.map((t) => [t.trustId, keyProvider.generateDataKey(dataKeyEncryptionContext(t.trustId))]));
  const padText = (text: string) => `${text} ${"Obs: HR 88, BP 124/78, RR 16, SpO2 97% on air, temp 37.2. ".repeat(8)}`.slice(0, 560);
  const generator = generateEvents({ trusts, seed: 1, keyProvider });
  let sequence = 0;
  const makeBatch = (): PipeKinesisRecord[] =>
    Array.from({ length: BATCH_SIZE }, () => {
      let event = generator.next().value as PlatformEvent;
      // Re-seal with the per-trust bench key and longer text so records are ~1 KB, as on the platform.
      event = { ...event, data: JSON.parse(JSON.stringify(event.data)) } as PlatformEvent;
      const plain = { ...event, data: { ...(event.data as Record<string, unknown>) } } as PlatformEvent;
      const key = dataKeys.get(event.trustId)!;
      const raw = {
        ...plain,
        data: Object.fromEntries(Object.entries(plain.data).map(([k, v]) => [k, k === "text" ? padText("Patient update") : v])),
      } as PlatformEvent;
      const sealed = sealEventFields(stripEncryption(raw), key.dataKey, key.wrappedKey);
      sequence += 1;
      return {
        eventID: `shardId-000000000000:${String(sequence).padStart(20, "0")}`,
        data: Buffer.from(JSON.stringify(sealed)).toString("base64"),
        partitionKey: sealed.conversationId,
        sequenceNumber: String(sequence),
      };
    });
  /** Generated events arrive sealed under the generator's keys; replace ciphertexts by clear stand-ins to re-seal. */
  function stripEncryption(event: PlatformEvent): PlatformEvent {
    return JSON.parse(JSON.stringify(event), (_k, v) => (v && typeof v === "object" && v.alg === "AES-256-GCM" ? "Dr Bench Example" : v));
  }

  // --- The real handler with real AWS SDK clients answered at the SDK level (answerAtSdkLevel): each call
  // runs the real send() and middleware stack, as in production, but is never serialized, signed or sent.
  // (aws-sdk-client-mock, used by the tests, replaces send() with a sinon stub: cheaper than the real send,
  // and its call recording and argument matching would be measured as handler time.)
  const calls = { kms: 0, s3: 0, secrets: 0, putEvents: 0, entries: 0 };
  const logDestination = new Writable({ write: (_c, _e, done) => done() });
  const clientConfig = {
    ...awsClientConfig(createLogger({ level: "warn" }, logDestination)), // the Lambda's client options
    region: "eu-west-2",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  };
  const trustsById = new Map(trusts.map((trust) => [`subscriptions/${trust.trustId}.json`, trust]));
  const runtime = createRuntime(
    { ENVIRONMENT: "bench", EVENT_BUS_NAME: "bus", SUBSCRIPTIONS_BUCKET: "config", QUARANTINE_BUCKET: "quarantine", LOG_LEVEL: "warn" },
    {
      kms: answerAtSdkLevel(new KMSClient(clientConfig), {
        DecryptCommand: async (input) => {
          calls.kms += 1;
          const blob = Buffer.from(input.CiphertextBlob as Uint8Array).toString("base64");
          return { Plaintext: await keyProvider.unwrap(blob, input.EncryptionContext as Record<string, string>) };
        },
      }),
      s3: answerAtSdkLevel(new S3Client(clientConfig), {
        GetObjectCommand: (input) => {
          calls.s3 += 1;
          const trust = trustsById.get(input.Key as string);
          if (!trust) throw Object.assign(new Error("NoSuchKey"), { name: "NoSuchKey", $metadata: { httpStatusCode: 404 } });
          return { Body: sdkStreamMixin(Readable.from([Buffer.from(JSON.stringify(trust))])), ETag: '"v1"' };
        },
      }),
      secretsManager: answerAtSdkLevel(new SecretsManagerClient(clientConfig), {
        GetSecretValueCommand: () => {
          calls.secrets += 1;
          return { SecretString: signingSecret };
        },
      }),
      eventBridge: answerAtSdkLevel(new EventBridgeClient(clientConfig), {
        PutEventsCommand: (input) => {
          const entries = input.Entries as unknown[];
          calls.putEvents += 1;
          calls.entries += entries.length;
          return { FailedEntryCount: 0, Entries: entries.map((_e, i) => ({ EventId: `e${i}` })) };
        },
      }),
      logDestination,
      metricsOutput: logDestination, // the EMF lines are built (their cost measured) but not printed
    },
  );
  const handler = createHandler(runtime);
  const context = { awsRequestId: "bench", getRemainingTimeInMillis: () => 60_000 };

  // --- The floor: the unavoidable work on the same records.
  const floorKey = (wrapped: string, trustId: string) => {
    for (const [id, key] of dataKeys) if (id === trustId && key.wrappedKey === wrapped) return key.dataKey;
    throw new Error("unknown key");
  };
  function floor(records: PipeKinesisRecord[]): number {
    let bytes = 0;
    for (const record of records) {
      const event = JSON.parse(Buffer.from(record.data, "base64").toString("utf8"));
      const aad = Buffer.from(`trust-callbacks/v1/${event.trustId}/${event.eventId}`);
      const open = (field: EncryptedField) => {
        const d = createDecipheriv("aes-256-gcm", floorKey(field.wrappedKey, event.trustId), Buffer.from(field.iv, "base64"));
        d.setAAD(aad);
        d.setAuthTag(Buffer.from(field.tag, "base64"));
        return Buffer.concat([d.update(Buffer.from(field.ciphertext, "base64")), d.final()]).toString();
      };
      // Every encrypted field opened, the rest copied as is.
      const openAll = (value: unknown): unknown => {
        if (value === null || typeof value !== "object") return value;
        if (Array.isArray(value)) return value.map(openAll);
        if ((value as { alg?: unknown }).alg) return open(value as EncryptedField);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openAll(v)]));
      };
      const data = openAll(event.data);
      for (let endpoint = 0; endpoint < 2; endpoint++) {
        const body = JSON.stringify({ ...event, data });
        const signature = createHmac("sha256", "k").update(`id.1.${body}`).digest("base64");
        bytes += `{"webhook":{"signature":"${signature}"},"event":${body}}`.length;
      }
    }
    return bytes;
  }

  const stats = (samples: number[]) => ({
    median: percentile(samples, 50)!,
    p99: percentile(samples, 99)!,
    mean: samples.reduce((sum, ms) => sum + ms, 0) / samples.length,
  });
  const semiSpaceFlag = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].find((arg) => arg.startsWith("--max-semi-space-size="));
  const v8SemiSpaceMb = semiSpaceFlag ? Number(semiSpaceFlag.split("=")[1]) : null;

  const batches = Array.from({ length: BATCHES + 20 }, makeBatch);
  const recordBytes = batches[0]!.reduce((sum, r) => sum + Buffer.from(r.data, "base64").length, 0) / BATCH_SIZE;

  // Cold-ish first batch (caches empty), then warm-up, then measure.
  for (const batch of batches.slice(0, 20)) await handler(batch, context);
  for (const batch of batches.slice(0, 20)) floor(batch);
  const handlerMs: number[] = [];
  const floorMs: number[] = [];
  let minimumPutCalls = 0;
  for (const counter of Object.keys(calls) as (keyof typeof calls)[]) calls[counter] = 0;
  for (const batch of batches.slice(20)) {
    const entriesBefore = calls.entries;
    const start = performance.now();
    await handler(batch, context);
    handlerMs.push(performance.now() - start);
    minimumPutCalls += Math.ceil((calls.entries - entriesBefore) / 10);
    const floorStart = performance.now();
    floor(batch);
    floorMs.push(performance.now() - floorStart);
  }
  const entries = calls.entries;
  const putCalls = calls.putEvents;
  const h = stats(handlerMs);
  const f = stats(floorMs);
  const perBatch = (n: number) => n / BATCHES;

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

  // Cost per million delivered webhooks, from what was measured. Public list prices, eu-west-2 (London), USD.
  const PRICES = {
    lambdaArmPerGbSecond: 0.0000133334,
    lambdaPerMillionRequests: 0.2,
    pipesPerMillionRequests: 0.4, // each 64 KB chunk of a batch is a request
    putEventsPerMillionEvents: 1.0, // custom events, per 64 KB chunk
    apiDestinationsPerMillionInvocations: 0.2,
    kmsPerMillionRequests: 3.0,
    s3GetPerMillionRequests: 0.42,
    secretsManagerPerMillionCalls: 5.0,
  };
  const M = 1e6;
  const memoryGb = 1;
  const deliveriesPerBatch = perBatch(entries);
  const batchCost =
    (h.median / 1000) * memoryGb * PRICES.lambdaArmPerGbSecond +
    PRICES.lambdaPerMillionRequests / M +
    (Math.ceil((recordBytes * BATCH_SIZE) / 65536) * PRICES.pipesPerMillionRequests) / M +
    (deliveriesPerBatch * (PRICES.putEventsPerMillionEvents + PRICES.apiDestinationsPerMillionInvocations)) / M +
    (perBatch(calls.kms) * PRICES.kmsPerMillionRequests) / M +
    (perBatch(calls.s3) * PRICES.s3GetPerMillionRequests) / M +
    (perBatch(calls.secrets) * PRICES.secretsManagerPerMillionCalls) / M;
  const costPerMillion = (batchCost / deliveriesPerBatch) * 1e6;

  const results = {
    measuredAt: new Date().toISOString(),
    node: process.version,
    batches: BATCHES,
    batchSize: BATCH_SIZE,
    avgRecordBytes: Math.round(recordBytes),
    v8SemiSpaceMb,
    eventsPerSecondPerCore: Math.round((BATCH_SIZE / h.median) * 1000),
    eventsPerSecondPerCoreFromMean: Math.round((BATCH_SIZE / h.mean) * 1000),
    handlerMsPer100: { median: +((h.median * 100) / BATCH_SIZE).toFixed(2), p99: +((h.p99 * 100) / BATCH_SIZE).toFixed(2) },
    floorMsPer100: { median: +((f.median * 100) / BATCH_SIZE).toFixed(2), p99: +((f.p99 * 100) / BATCH_SIZE).toFixed(2) },
    handlerOverFloor: +(h.median / f.median).toFixed(2),
    warmCallsPer100: {
      putEvents: +((perBatch(putCalls) * 100) / BATCH_SIZE).toFixed(2),
      putEventsMinimum: +((perBatch(minimumPutCalls) * 100) / BATCH_SIZE).toFixed(2),
      deliveries: +((deliveriesPerBatch * 100) / BATCH_SIZE).toFixed(1),
      kms: perBatch(calls.kms),
      s3Transfers: perBatch(calls.s3),
      secretsManager: perBatch(calls.secrets),
    },
    bundle: { bytes: bundle.bundleBytes, zipBytes: bundle.zipBytes, coldImportMs: +importMs.toFixed(0) },
    costPerMillionDeliveredUsd: +costPerMillion.toFixed(2),
    pricesUsd: PRICES,
    targets: { eventsPerSecondPerCore: 20000, handlerOverFloorMax: 3, warmKmsS3SecretsCalls: 0 },
  };

  const rows: [string, string][] = [
    ["events/s per core (handler, median batch)", String(results.eventsPerSecondPerCore)],
    ["events/s per core (mean batch, GC included)", String(results.eventsPerSecondPerCoreFromMean)],
    ["ms per 100-record batch, median / p99", `${results.handlerMsPer100.median} / ${results.handlerMsPer100.p99}`],
    ["floor ms per 100, median / p99", `${results.floorMsPer100.median} / ${results.floorMsPer100.p99}`],
    ["handler / floor", `${results.handlerOverFloor}x`],
    ["deliveries per 100 records", String(results.warmCallsPer100.deliveries)],
    ["PutEvents calls per 100 (minimum)", `${results.warmCallsPer100.putEvents} (${results.warmCallsPer100.putEventsMinimum})`],
    ["warm KMS / S3 / Secrets Manager calls per batch", `${results.warmCallsPer100.kms} / ${results.warmCallsPer100.s3Transfers} / ${results.warmCallsPer100.secretsManager}`],
    ["bundle / zip", `${(bundle.bundleBytes / 1024).toFixed(0)} KiB / ${(bundle.zipBytes / 1024).toFixed(0)} KiB`],
    ["cold import of the bundle", `${results.bundle.coldImportMs} ms`],
    ["cost per million delivered webhooks", `$${results.costPerMillionDeliveredUsd}`],
  ];
  console.log(
    `handler benchmark (${BATCHES} warm batches of ${BATCH_SIZE}, ~${results.avgRecordBytes} B records, ${process.version}, ` +
      `V8 semi-space ${v8SemiSpaceMb === null ? "Node's default" : `${v8SemiSpaceMb} MB`})`,
  );
  for (const [name, value] of rows) console.log(`  ${name.padEnd(48)} ${value}`);
  console.log("  prices used (USD list prices, eu-west-2; check current pricing):");
  for (const [name, price] of Object.entries(PRICES)) console.log(`    ${name.padEnd(40)} ${price}`);
  mkdirSync(dirname(options.jsonFile), { recursive: true });
  writeFileSync(options.jsonFile, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${options.jsonFile}`);
  return 0;
}
