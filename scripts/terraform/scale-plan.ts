/**
 * How long a plan of an environment takes as trusts grow. An environment is two stacks (infrastructure/terraform/
 * stacks): the pipeline stack, and the trusts stack once per callbacks bus, each its own state (a "part"). For each
 * count this generates N trust files into a temporary directory, spreads them over buses as prod does (TRUSTS_PER_BUS
 * per bus on average) and plans every part with mocked AWS (terraform test, stacks/<stack>/tests/scale.tftest.hcl),
 * two at a time, plus one bus that holds no trust (the fixed cost every part pays); prints a table. `make tf-scale`
 * runs it with --max-ratio.
 *   npm run tf-scale [-- --trusts 10,100,300,1000 --max-ratio 2]
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../lib/command-line.ts";
import { USAGE, parseScalePlanArgs, type ScalePlanCommand } from "./scale-plan/args.ts";
import {
  TIME_FORMAT,
  busCountFor,
  formatTable,
  medianPlan,
  overRatio,
  parseTimeLine,
  plannedResources,
  scaleRows,
  type EnvironmentMeasurement,
  type PartMeasurement,
} from "./scale-plan/report.ts";
import { writeTrustFiles } from "./scale-plan/trust-files.ts";

const REPO = resolve(import.meta.dirname, "../..");
const STACKS = "infrastructure/terraform/stacks";
/** The stack a part is planned in: the pipeline stack, or the trusts stack for bus-<i>. */
const stackOf = (part: string) => `${STACKS}/${part === "pipeline" ? "pipeline" : "trusts"}`;
const TERRAFORM = join(REPO, "scripts/terraform/terraform.sh");
const GNU_TIME = "/usr/bin/time";
const ENVIRONMENT = "test";
/**
 * Trusts per callbacks bus (so per bus part) on average, as prod: 12 buses for 1,000 trusts, sized so that a bus
 * keeps under the 300 rules-per-bus quota at 3 endpoints per trust although the hash spreads trusts unevenly.
 */
const TRUSTS_PER_BUS = 84;
/** The smallest count's parts take seconds and are the baseline of every ratio: each is planned this many times, the median kept. */
const SMALL_PLAN_RUNS = 5;
/** Plans run at once: one per core, at most two (CI machines have two). */
const CONCURRENCY = Math.max(1, Math.min(2, availableParallelism()));
/** What the root deploys (and hashes at plan time): `make build` writes them. */
const LAMBDA_ZIPS = [".build/lambdas/transform-filter.zip", ".build/lambdas/connection-sync.zip", ".build/lambdas/support-signer.zip", ".build/lambdas/hold-drain.zip", ".build/lambdas/notifier.zip"];

await main({ invocation: "npm run tf-scale --", usage: USAGE, parse: parseScalePlanArgs, run: scalePlan });

async function scalePlan(command: ScalePlanCommand, signal: AbortSignal): Promise<number> {
  const missing = LAMBDA_ZIPS.filter((zip) => !existsSync(join(REPO, zip)));
  if (missing.length > 0) throw new Error(`${missing.join(", ")} missing: run \`make build\` (or \`npm run lambda-build\`) first`);
  for (const part of ["pipeline", "bus-0"]) await run(TERRAFORM, [`-chdir=${stackOf(part)}`, "init", "-backend=false", "-input=false", "-no-color"], signal);
  const work = mkdtempSync(join(tmpdir(), "tf-scale-"));
  try {
    const environments: EnvironmentMeasurement[] = [];
    for (const [position, trusts] of command.trusts.entries()) {
      environments.push(await planEnvironment(work, trusts, position === 0 ? SMALL_PLAN_RUNS : 1, command.logFile, signal));
    }
    const rows = scaleRows(environments);
    if (command.json) console.log(JSON.stringify({ environments, rows }, null, 2));
    else console.log(formatTable(rows));
    if (command.maxRatio === undefined) return 0;
    const over = overRatio(rows, command.maxRatio);
    const smallest = rows[0]!;
    const verdict =
      over.length === 0
        ? `plan time per resource within ${command.maxRatio}x of ${smallest.trusts} trusts at every count up to ${rows.at(-1)!.trusts}`
        : `plan time per resource grows faster than linear: ${over.map((row) => `${row.ratio.toFixed(2)}x at ${row.trusts} trusts`).join(", ")} (limit ${command.maxRatio}x of ${smallest.trusts} trusts)`;
    console.log(verdict);
    if (command.logFile) appendFileSync(command.logFile, `tf-scale: ${verdict}\ntf-scale linear plan check: ${over.length === 0 ? "1 passed, 0 failed" : "0 passed, 1 failed"}\n`);
    return over.length === 0 ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Every part of an environment of `trusts` generated trusts, `runs` times each (the median kept), CONCURRENCY at a time. */
async function planEnvironment(work: string, trusts: number, runs: number, logFile: string | undefined, signal: AbortSignal): Promise<EnvironmentMeasurement> {
  const directory = join(work, String(trusts));
  const { endpoints } = writeTrustFiles(directory, trusts, ENVIRONMENT);
  const busCount = busCountFor(trusts, TRUSTS_PER_BUS);
  const pipelineVars = join(work, `pipeline-${trusts}.tfvars.json`);
  writeFileSync(pipelineVars, JSON.stringify({ pipeline: generatedPipeline(busCount) }));
  // bus-<busCount> is past the count: a bus's stack that reads every trust file and holds none.
  const parts = ["pipeline", `bus-${busCount}`, ...Array.from({ length: busCount }, (_, index) => `bus-${index}`)];
  process.stderr.write(`planning ${trusts} trusts (${endpoints} endpoints) in ${parts.length - 1} parts and one empty bus, ${CONCURRENCY} at a time...\n`);
  const jobs = parts.flatMap((part) => Array.from({ length: part === "pipeline" ? 1 : runs }, (_, run) => ({ part, run })));
  const measured = new Map<string, PartMeasurement[]>();
  const started = performance.now();
  await pool(jobs, CONCURRENCY, async ({ part, run }) => {
    const plan = await planPart({ directory, part, busCount, pipelineVars, log: run === 0 ? logFile : undefined, trusts, signal });
    process.stderr.write(`  ${part}: ${plan.resources} resources, cpu ${plan.cpuSeconds?.toFixed(1) ?? "-"} s, wall ${plan.wallSeconds.toFixed(1)} s\n`);
    measured.set(part, [...(measured.get(part) ?? []), plan]);
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const of = (part: string) => medianPlan(measured.get(part) ?? []);
  return {
    trusts,
    endpoints,
    busCount,
    wallSeconds,
    pipeline: of("pipeline"),
    emptyBus: of(`bus-${busCount}`),
    buses: Array.from({ length: busCount }, (_, index) => of(`bus-${index}`)),
  };
}

/** The pipeline stack's output trusts_stack_inputs as a deployed environment has it (realistic names and ARNs, no secret). */
function generatedPipeline(busCount: number) {
  const prefix = `trust-callbacks-${ENVIRONMENT}`;
  const key = (id: number) => `arn:aws:kms:eu-west-2:123456789012:key/0b8f2c3e-5d6a-4c1b-9e7f-00000000000${id}`;
  return {
    name_prefix: prefix,
    config_bucket: `${prefix}-config-123456789012`,
    subscriptions_prefix: "subscriptions/",
    kms_key_arn: key(1),
    dead_letters_kms_key_arn: key(2),
    connections_kms_key_arn: key(3),
    event_bus_names: Array.from({ length: busCount }, (_, index) => `${prefix}-callbacks-${index}`),
    bus_source: "trust-callbacks.transform-filter",
    api_destinations_role_arn: `arn:aws:iam::123456789012:role/${prefix}-api-destinations`,
    alarm_topic_arn: `arn:aws:sns:eu-west-2:123456789012:${prefix}-alarms`,
    connection_sync_function_name: `${prefix}-connection-sync`,
    subscription_index_keys: Array.from({ length: busCount }, (_, index) => `subscriptions/index/bus-${index}.json`),
    // Holds and notices (issue #25): the hold stores' and trust topics' keys, and the topics' only publisher.
    holds: {
      hold_store_kms_key_arn: key(4),
      notices_kms_key_arn: key(5),
      notifier_role_arn: `arn:aws:iam::123456789012:role/${prefix}-notifier`,
    },
    // Each bus's stack delivers its own bus's logs (modules/bus-logs), at the default level.
    bus_logs: {
      level: "INFO",
      delivery_destination_arn: `arn:aws:logs:eu-west-2:123456789012:delivery-destination:${prefix}-bus-logs`,
      event_bus_arns: Array.from({ length: busCount }, (_, index) => `arn:aws:events:eu-west-2:123456789012:event-bus/${prefix}-callbacks-${index}`),
    },
  };
}

/** Runs `work` over `items`, at most `limit` at once; rejects with the first failure. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

interface PartPlan {
  directory: string;
  part: string;
  busCount: number;
  pipelineVars: string;
  log: string | undefined;
  trusts: number;
  signal: AbortSignal;
}

/** One `terraform test` of its stack's tests/scale.tftest.hcl for one part over `directory`, timed by GNU time where present. */
async function planPart({ directory, part, busCount, pipelineVars, log, trusts, signal }: PartPlan): Promise<PartMeasurement> {
  const args = [
    `-chdir=${stackOf(part)}`,
    "test",
    "-no-color",
    "-verbose",
    "-filter=tests/scale.tftest.hcl",
    "-var",
    `trusts_dir=${directory}`,
    "-var",
    `event_buses={ count = ${busCount} }`,
    ...(part === "pipeline" ? [] : ["-var", `bus=${part.slice("bus-".length)}`, `-var-file=${pipelineVars}`]),
  ];
  const timed = existsSync(GNU_TIME);
  const started = performance.now();
  const output = timed ? await run(GNU_TIME, ["-f", TIME_FORMAT, TERRAFORM, ...args], signal) : await run(TERRAFORM, args, signal);
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = output.split("\n").filter((line) => /\d+ passed, \d+ failed/.test(line));
  if (log) appendFileSync(log, `terraform test ${stackOf(part)} (tests/scale.tftest.hcl, ${trusts} generated trusts, part ${part})\n${summary.join("\n")}\n`);
  const resources = plannedResources(output);
  if (resources === null) throw new Error(`terraform test printed no plan for part ${part} of ${trusts} trusts:\n${output.slice(-2000)}`);
  const time = timed ? parseTimeLine(output) : null;
  return { part, resources, wallSeconds: time?.wallSeconds ?? wallSeconds, cpuSeconds: time?.cpuSeconds ?? null, peakMb: time?.peakMb ?? null };
}

/** Runs a command in the repository root; resolves with its stdout and stderr together, rejects on a failure. */
function run(file: string, args: string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, { cwd: REPO, signal, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const output = Buffer.concat(chunks).toString("utf8");
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${file === GNU_TIME ? args[2] : file} ${args.slice(file === GNU_TIME ? 3 : 0, 4).join(" ")} ... exited ${code}:\n${output.slice(-3000)}`));
    });
  });
}
