/**
 * How long a plan of the one root takes as trusts grow: generates N trust files into a temporary directory and
 * plans the root over them with mocked AWS (terraform test, root/tests/scale.tftest.hcl), once with no trust
 * files (the fixed cost) and once per count; prints a table. `make tf-scale` runs it with --max-ratio.
 *   npm run tf-scale [-- --trusts 10,100,300,1000 --max-ratio 2]
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { main } from "../lib/command-line.ts";
import { USAGE, parseScalePlanArgs, type ScalePlanCommand } from "./scale-plan/args.ts";
import { TIME_FORMAT, formatTable, medianPlan, overRatio, parseTimeLine, plannedResources, scaleRows, type PlanMeasurement } from "./scale-plan/report.ts";
import { writeTrustFiles } from "./scale-plan/trust-files.ts";

const REPO = resolve(import.meta.dirname, "../..");
const ROOT = "infrastructure/terraform/root";
const TERRAFORM = join(REPO, "scripts/terraform/terraform.sh");
const GNU_TIME = "/usr/bin/time";
const ENVIRONMENT = "test";
/** Rules per callbacks bus the generated environment aims at (the quota is 300 by default). */
const RULES_PER_BUS = 200;
const SMALL_PLAN_RUNS = 3;
/** What the root deploys (and hashes at plan time): `make build` writes them. */
const LAMBDA_ZIPS = [".build/lambdas/transform-filter.zip", ".build/lambdas/connection-sync.zip"];

await main({ invocation: "npm run tf-scale --", usage: USAGE, parse: parseScalePlanArgs, run: scalePlan });

async function scalePlan(command: ScalePlanCommand, signal: AbortSignal): Promise<number> {
  const missing = LAMBDA_ZIPS.filter((zip) => !existsSync(join(REPO, zip)));
  if (missing.length > 0) throw new Error(`${missing.join(", ")} missing: run \`make build\` (or \`npm run lambda-build\`) first`);
  await run(TERRAFORM, [`-chdir=${ROOT}`, "init", "-backend=false", "-input=false", "-no-color"], signal);
  const work = mkdtempSync(join(tmpdir(), "tf-scale-"));
  try {
    const plans: PlanMeasurement[] = [];
    for (const [position, trusts] of [0, ...command.trusts].entries()) {
      const directory = join(work, String(trusts));
      const { endpoints } = writeTrustFiles(directory, trusts, ENVIRONMENT);
      // The empty plan and the smallest count take seconds and their difference is the baseline of every ratio:
      // each is planned SMALL_PLAN_RUNS times and the median kept, so one noisy run does not move every ratio (the
      // log, read by the test totals, gets the first run's result: one test per count).
      const runs: PlanMeasurement[] = [];
      for (let run = 0; run < (position <= 1 ? SMALL_PLAN_RUNS : 1); run++) {
        process.stderr.write(`planning ${trusts} trusts (${endpoints} endpoints)...`);
        const plan = await planOnce(directory, trusts, endpoints, run === 0 ? command.logFile : undefined, signal);
        process.stderr.write(` ${plan.resources} resources in ${plan.wallSeconds.toFixed(1)} s (cpu ${plan.cpuSeconds?.toFixed(1) ?? "-"} s)\n`);
        runs.push(plan);
      }
      plans.push(medianPlan(runs));
    }
    const [empty, ...measured] = plans as [PlanMeasurement, ...PlanMeasurement[]];
    const rows = scaleRows(empty, measured);
    if (command.json) console.log(JSON.stringify({ empty, plans: rows }, null, 2));
    else console.log(formatTable(empty, rows));
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

/** One `terraform test` of root/tests/scale.tftest.hcl over `directory`, timed by GNU time where present. */
async function planOnce(directory: string, trusts: number, endpoints: number, logFile: string | undefined, signal: AbortSignal): Promise<PlanMeasurement> {
  const buses = Math.max(1, Math.ceil(endpoints / RULES_PER_BUS));
  const args = [
    `-chdir=${ROOT}`,
    "test",
    "-no-color",
    "-verbose",
    "-filter=tests/scale.tftest.hcl",
    "-var",
    `trusts_dir=${directory}`,
    "-var",
    `event_buses={ count = ${buses} }`,
  ];
  const timed = existsSync(GNU_TIME);
  const started = performance.now();
  const output = timed ? await run(GNU_TIME, ["-f", TIME_FORMAT, TERRAFORM, ...args], signal) : await run(TERRAFORM, args, signal);
  const wallSeconds = (performance.now() - started) / 1000;
  const summary = output.split("\n").filter((line) => /\d+ passed, \d+ failed/.test(line));
  if (logFile) appendFileSync(logFile, `terraform test ${ROOT} (tests/scale.tftest.hcl, ${trusts} generated trusts)\n${summary.join("\n")}\n`);
  const resources = plannedResources(output);
  if (resources === null) throw new Error(`terraform test printed no plan for ${trusts} trusts:\n${output.slice(-2000)}`);
  const time = timed ? parseTimeLine(output) : null;
  return {
    trusts,
    endpoints,
    resources,
    wallSeconds: time?.wallSeconds ?? wallSeconds,
    cpuSeconds: time?.cpuSeconds ?? null,
    peakMb: time?.peakMb ?? null,
  };
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
