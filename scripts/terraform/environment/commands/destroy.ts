import { createInterface } from "node:readline/promises";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { files, forgetPlans } from "../files.ts";
import { pipelineState } from "../stacks.ts";
import { environment as environmentOf, terraform } from "../terraform.ts";

/** Prod is destroyed only with this flag: make destroy ENV=prod ALLOW_PROD=1. */
const PROTECTED = ["prod"];

/**
 * make destroy ENV=<env>: plans the destruction of every part (each bus's trusts stack, highest bus first, then the
 * pipeline stack, which the buses' rules and log deliveries depend on), asks for the environment's name to be typed
 * (or --confirm ENV), and applies exactly those destroy plans in that order. Refuses prod without --allow-prod.
 */
export async function destroy(
  command: { env: string; confirm?: string; allowProd: boolean },
  err: (text: string) => void,
  signal: AbortSignal,
  ask: (question: string) => Promise<string> = askOnTerminal,
): Promise<number> {
  const { env } = command;
  if (PROTECTED.includes(env) && !command.allowProd) {
    err(`refusing to destroy ${env}: it is protected; if you mean it, make destroy ENV=${env} ALLOW_PROD=1`);
    return 2;
  }
  const environment = environmentOf(env, "destroy");
  const file = files(environment);
  const tf = terraform(environment, signal);
  writeFileSync(file.pipelineState, `${JSON.stringify({ pipeline_state: pipelineState(readFileSync(environment.backendFile, "utf8")) }, null, 2)}\n`);
  const workspaces = await tf.init();
  forgetPlans(environment, [file.plannedWith]);
  const buses = workspaces
    .filter((name) => /^bus-\d+$/.test(name))
    .sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));
  const order = [...buses, "pipeline"];
  for (const part of order) {
    err(`== plan the destruction of ${part}`);
    const vars = part === "pipeline" ? [`-var-file=${environment.tfvars}`] : [`-var-file=${environment.tfvars}`, `-var-file=${file.pipelineState}`];
    await tf.in(part, ["plan", "-destroy", "-input=false", ...vars, `-out=${file.plan(`destroy-${part}`)}`]);
  }
  const typed = command.confirm ?? (await ask(`This destroys every resource of ${env} (${order.join(", ")}), DLQs and their dead letters included. Type ${env} to go on: `));
  if (typed.trim() !== env) {
    forgetPlans(environment);
    err(`not confirmed (typed ${JSON.stringify(typed.trim())}, not ${env}): nothing destroyed`);
    return 1;
  }
  for (const part of order) {
    err(`== destroy ${part}`);
    await tf.in(part, ["apply", "-input=false", file.plan(`destroy-${part}`)]);
    rmSync(file.plan(`destroy-${part}`), { force: true });
  }
  rmSync(file.pipelineVars, { force: true });
  err(`destroyed ${env}: ${order.join(", ")}; the empty bus workspaces can be deleted (terraform workspace delete bus-<i>)`);
  return 0;
}

async function askOnTerminal(question: string): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  // stdin closed without an answer (no terminal, Ctrl-D): not confirmed, never a hang or a crash.
  const closed = new Promise<string>((resolvePromise) => terminal.once("close", () => resolvePromise("")));
  try {
    return await Promise.race([terminal.question(question).catch(() => ""), closed]);
  } finally {
    terminal.close();
  }
}
