/**
 * Benchmark of the support console's overview at scale: a script that prints figures (not a timed test).
 *   npm run console-bench [-- --trusts 1000 --deliveries 10 --requests 20]
 * Generates a local deployment's data in a temporary folder: 1,000 trust files × 3 endpoints (the Terraform scale
 * plan's generated trusts), a DLQ with 1-5 messages for every 10th trust, and a call history with `--deliveries`
 * deliveries per endpoint over the last 24 h (a third of them retried once, every 20th dead-lettered). Then starts the
 * console on 127.0.0.1 and times whole HTTP requests (read every DLQ and the history, build, sort, page, render):
 * the first (cold) overview, then `--requests` each of page 1, a later page, a trust filter, and one trust's page.
 * Issue #23 asks for the overview in under one second on this machine.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import type { TrustConfigInput } from "@trust-callbacks/schemas";
import type { HistoryLine } from "../lib/call-history.ts";
import { FileDeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { percentile } from "../lib/percentile.ts";
import { generatedTrust } from "../terraform/scale-plan/trust-files.ts";
import { COOKIE, startConsole } from "../support/console/server.ts";
import { localSource } from "../support/console/source.ts";

const { values } = parseArgs({ options: { trusts: { type: "string", default: "1000" }, deliveries: { type: "string", default: "10" }, requests: { type: "string", default: "20" } } });
const trustCount = Number(values.trusts);
const perEndpoint = Number(values.deliveries);
const requests = Number(values.requests);

/** The generated trust `index` with all three endpoints (the generator gives 1-3 in turn): the others' come from the next trusts. */
function trustWithThreeEndpoints(index: number): TrustConfigInput {
  const trust = generatedTrust(index, "bench");
  const host = trust.trustId.toLowerCase();
  const template = generatedTrust(index - (index % 3) + 2, "bench");
  const endpoints = template.endpoints.map((e) => ({
    ...e,
    url: `https://${e.id}.${host}.example.nhs.uk/trust-callbacks`,
    description: `${e.id} of ${trust.trustId}`,
    signingSecret: `trust-callbacks/bench/signing/${trust.trustId}/${e.id}`,
    auth: { ...e.auth, credentialsSecret: `trust-callbacks/bench/credentials/${trust.trustId}/${e.id}`, ...("tokenUrl" in e.auth ? { tokenUrl: `https://login.${host}.example.nhs.uk/oauth2/token` } : {}) },
  }));
  return { ...trust, endpoints };
}

const dir = mkdtempSync(join(tmpdir(), "console-bench-"));
const trustsDir = join(dir, "trusts");
const dlqDir = join(dir, "dlq");
mkdirSync(trustsDir);
const now = Date.now();
const history: string[] = [];
let deadLetters = 0;
let n = 0;
for (let index = 0; index < trustCount; index++) {
  const trust = trustWithThreeEndpoints(index);
  writeFileSync(join(trustsDir, `${trust.trustId}.json`), JSON.stringify(trust));
  const queue = new FileDeadLetterQueue(dlqDir, trust.trustId);
  for (const endpoint of trust.endpoints) {
    for (let d = 0; d < perEndpoint; d++) {
      n += 1;
      const publishedAt = now - Math.floor(((d + 0.5) / perEndpoint) * 24 * 3600_000);
      const busEventId = `bus-${n}`;
      const line = (l: HistoryLine) => history.push(JSON.stringify(l));
      line({ source: "lambda", kind: "published", trustId: trust.trustId, endpointId: endpoint.id, cloudEventId: `ce-${n}`, sourceEventId: `src-${n}`, eventCorrelationId: `src-${n}`, eventType: "uk.nhs.trustcallbacks.message.created.v1", busEventId, publishedAt: new Date(publishedAt).toISOString() });
      if (n % 3 === 0) line({ source: "bus", event_id: busEventId, message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: publishedAt + 100, error: { http_status_code: 503 } });
      line({ source: "bus", event_id: busEventId, message_type: n % 20 === 0 ? "INVOCATION_DLQ" : "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: publishedAt + 200 });
    }
  }
  if (index % 10 === 0) {
    for (let m = 0; m < 1 + (index % 5); m++) {
      deadLetters += 1;
      queue.send("{}", { ERROR_CODE: "ERROR_FROM_TARGET", ERROR_MESSAGE: "503", RETRY_ATTEMPTS: "185", RULE_ARN: "x", TARGET_ARN: "y" }, now - m * 60_000);
    }
  }
}
writeFileSync(join(dir, "history.jsonl"), `${history.join("\n")}\n`);

const source = localSource({ kind: "local", root: dlqDir, trustsDir }, join(dir, "audit.ndjson"));
const running = await startConsole(source);
const uncached = await startConsole(source, { healthTtlMs: 0 });
const cookie = `${COOKIE}=${new URL(running.url).searchParams.get("token")}`;
const uncachedCookie = `${COOKIE}=${new URL(uncached.url).searchParams.get("token")}`;
const timeUncached = async (path: string) => {
  const started = performance.now();
  const answer = await fetch(`${uncached.origin}${path}`, { headers: { cookie: uncachedCookie } });
  await answer.text();
  if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}`);
  return performance.now() - started;
};
const time = async (path: string) => {
  const started = performance.now();
  const answer = await fetch(`${running.origin}${path}`, { headers: { cookie } });
  const body = await answer.text();
  if (answer.status !== 200) throw new Error(`${path}: HTTP ${answer.status}`);
  return { ms: performance.now() - started, bytes: body.length };
};

const endpoints = source.target.trusts.reduce((sum, t) => sum + t.endpoints.length, 0);
console.log(`console overview benchmark: ${source.target.trusts.length} trusts, ${endpoints} endpoints, ${history.length} history lines, ${deadLetters} dead letters (node ${process.version})`);
const cold = await time("/");
console.log(`cold first overview: ${cold.ms.toFixed(0)} ms, ${(cold.bytes / 1024).toFixed(0)} KiB`);
const firstTrust = source.target.trusts[0]!.trustId;
const rows: string[] = [];
const fresh: number[] = [];
for (let i = 0; i < requests; i++) fresh.push(await timeUncached("/"));
rows.push(`| overview, page 1, every DLQ and the history read afresh | ${percentile(fresh, 50)!.toFixed(0)} | ${percentile(fresh, 95)!.toFixed(0)} | ${Math.max(...fresh).toFixed(0)} | ${(cold.bytes / 1024).toFixed(0)} |`);
for (const [label, path] of [
  ["overview, page 1 (attention first; read reused for 5 s)", "/"],
  ["overview, page 30", "/?page=30"],
  ["overview, trust filter", `/?trust=${firstTrust}`],
  ["trust page", `/trusts/${firstTrust}`],
] as const) {
  const runs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < requests; i++) {
    const r = await time(path);
    runs.push(r.ms);
    bytes = r.bytes;
  }
  rows.push(`| ${label} | ${percentile(runs, 50)!.toFixed(0)} | ${percentile(runs, 95)!.toFixed(0)} | ${Math.max(...runs).toFixed(0)} | ${(bytes / 1024).toFixed(0)} |`);
}
console.log(["", `${requests} requests each (whole HTTP request, ms):`, "| request | p50 | p95 | max | KiB |", "| --- | --- | --- | --- | --- |", ...rows].join("\n"));
await running.close();
await uncached.close();
rmSync(dir, { recursive: true, force: true });
