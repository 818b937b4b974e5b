import { appendFileSync, copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { readText } from "./files.ts";
import type { BusMoves, StateMoveStep } from "./stacks.ts";
import type { Environment, Terraform } from "./terraform.ts";

/**
 * A change of event_buses.count, in two rounds (promise 8.10; Terraform README, "Changing event_buses.count"):
 * round 1 moves each moving trust's state to its new bus's stack and applies every bus with the trust's rules on both
 * buses; after the Lambda's index can no longer name the old bus, round 2 removes the old rules. What this machine
 * knows of it is kept in .build/<env>/bus-move.json; the states alone are enough to resume anywhere (a missing record
 * only means the whole wait again).
 */
export interface BusMoveRecord {
  busMoves: BusMoves;
  /** 1: round 1 planned (or applied: appliedAt); 2: round 2 planned. */
  round: 1 | 2;
  /** When every round-1 plan was applied (ms since the epoch). */
  appliedAt?: number;
}

const recordFile = (environment: Environment) => join(environment.build, "bus-move.json");
/** The trusts stack's variable bus_moves for round 1's plans. */
export const busMovesVarFile = (environment: Environment) => join(environment.build, "bus-moves.tfvars.json");

export function readRecord(environment: Environment): BusMoveRecord | undefined {
  const text = readText(recordFile(environment));
  return text === undefined ? undefined : (JSON.parse(text) as BusMoveRecord);
}

export function writeRecord(environment: Environment, record: BusMoveRecord | undefined): void {
  if (record === undefined) rmSync(recordFile(environment), { force: true });
  else writeFileSync(recordFile(environment), `${JSON.stringify(record, null, 2)}\n`);
}

export const sameMoves = (a: BusMoves, b: BusMoves) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Round 1's state moves, run by the orchestrator: per pair of parts, both states pulled into .build/<env>/bus-move/
 * (a copy of each kept as <part>.before.tfstate), each trust moved with `state mv`, its endpoints' rules and targets
 * renamed to previous[0], then pushed, the new part's first: until the old part's push the trust is in both states
 * (`make plan` then refuses, naming it), never in none. A push is refused when the state changed since its pull
 * (differing lineage, higher remote serial: https://developer.hashicorp.com/terraform/cli/commands/state/push), so a
 * concurrent change is never overwritten.
 */
export async function moveState(environment: Environment, tf: Terraform, steps: readonly StateMoveStep[], workspaces: string[], err: (text: string) => void): Promise<void> {
  const dir = join(environment.build, "bus-move");
  mkdirSync(dir, { recursive: true });
  const file = (part: string) => join(dir, `${part}.tfstate`);
  for (const { from, to, trusts, renames } of steps) {
    if (!workspaces.includes(to)) {
      await tf.newWorkspace(to);
      workspaces.push(to);
    }
    for (const part of [from, to]) {
      const pulled = (await tf.in(part, ["state", "pull"], { capture: true })).stdout;
      rmSync(file(part), { force: true });
      // A part with no state yet pulls nothing: state mv then starts a new state in its file.
      if (pulled.trim() !== "") {
        writeFileSync(file(part), pulled);
        copyFileSync(file(part), join(dir, `${part}.before.tfstate`));
      }
    }
    for (const trust of trusts) await tf.in(to, ["state", "mv", `-state=${file(from)}`, `-state-out=${file(to)}`, `module.trust["${trust}"]`, `module.trust["${trust}"]`]);
    for (const [address, moved] of renames) await tf.in(to, ["state", "mv", `-state=${file(to)}`, address, moved]);
    await tf.in(to, ["state", "push", file(to)]);
    await tf.in(from, ["state", "push", file(from)]);
    err(`moved the state of ${trusts.join(", ")} from ${from} to ${to} (their rules on the bus they leave now at previous[0]; copies before the move in ${dir})`);
  }
}

/**
 * Waits until `seconds` have passed since `since` (all of them when it is unknown). ENVIRONMENT_FAKE_SLEEP (tests
 * only) names a file the wait is written to instead, as a line `sleep <seconds>`; `<file>.interrupt` present makes
 * that wait fail once, as an interruption would.
 */
export async function waitOut(seconds: number, since: number | undefined, signal: AbortSignal, err: (text: string) => void): Promise<void> {
  const left = since === undefined ? seconds : Math.max(0, seconds - Math.floor((Date.now() - since) / 1000));
  if (left === 0) return;
  err(`waiting ${left} s for every Lambda to publish the moved trusts to their new buses (promise 8.10); interrupted, make apply (or make plan) waits again`);
  const fake = process.env.ENVIRONMENT_FAKE_SLEEP;
  if (fake) {
    appendFileSync(fake, `sleep ${left}\n`);
    if (existsSync(`${fake}.interrupt`)) {
      rmSync(`${fake}.interrupt`);
      throw new Error("interrupted during the wait between the rounds of a bus move");
    }
    return;
  }
  await sleep(left * 1000, undefined, { signal });
}
