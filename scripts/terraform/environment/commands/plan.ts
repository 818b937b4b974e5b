import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { files, forgetPlans, refreshPipelineVars } from "../files.ts";
import { moveCommands, pipelineState, plannedBusCount, planScope, trustMoves, trustsHeld, type OutputChange } from "../stacks.ts";
import { environment as environmentOf, terraform } from "../terraform.ts";

const BUS = /^bus-(0|[1-9][0-9]?)$/;

/**
 * make plan ENV=<env>: saves one plan per part in .build/<env>/<part>.tfplan and the parts, in apply order, in
 * .build/<env>/parts. The pipeline stack first; the buses' trusts stacks read its applied outputs through
 * terraform_remote_state (what they were is kept in planned-with.tfvars.json). The pipeline alone when nothing is
 * applied yet or when its plan changes those outputs (apply, then plan again); when event_buses.count shrinks, the
 * buses first, and the pipeline (which removes buses) once their plans change nothing.
 */
export async function plan(env: string, err: (text: string) => void, signal: AbortSignal): Promise<number> {
  const environment = environmentOf(env, "plan");
  const file = files(environment);
  const tf = terraform(environment, signal);
  writeFileSync(file.pipelineState, `${JSON.stringify({ pipeline_state: pipelineState(readFileSync(environment.backendFile, "utf8")) }, null, 2)}\n`);
  const workspaces = await tf.init();
  forgetPlans(environment, [file.plannedWith]);
  await refreshPipelineVars(environment, tf);

  err("== plan stack pipeline");
  await tf.in("pipeline", ["plan", "-input=false", `-var-file=${environment.tfvars}`, `-out=${file.plan("pipeline")}`]);
  const shown = JSON.parse((await tf.in("pipeline", ["show", "-json", file.plan("pipeline")], { capture: true })).stdout) as { output_changes?: Record<string, OutputChange> };
  const change = shown.output_changes?.trusts_stack_inputs;
  const scope = planScope(change, workspaces, env);
  if (scope.kind !== "all") err(scope.note);
  let parts = [...scope.parts];
  if (scope.kind !== "pipeline-only") copyFileSync(file.pipelineVars, file.plannedWith);

  // A trust whose state is in another bus's stack than the one it hashes to (event_buses.count changed) would be
  // destroyed there and created again here: refuse, printing the state moves (README, "Changing event_buses.count").
  if (parts.some((part) => BUS.test(part))) {
    const held = new Map<string, string[]>();
    for (const workspace of workspaces.filter((name) => BUS.test(name))) {
      held.set(workspace, trustsHeld((await tf.in(workspace, ["state", "list"], { capture: true })).stdout));
    }
    const count = plannedBusCount(change);
    const moves = trustMoves(held, count);
    if (moves.length > 0) {
      err(
        `${moves.length === 1 ? "1 trust is" : `${moves.length} trusts are`} in the state of another bus than the one they hash to at event_buses.count = ${count} (${moves
          .slice(0, 5)
          .map((move) => `${move.trust}: ${move.from} -> ${move.to}`)
          .join(", ")}${moves.length > 5 ? ", ..." : ""}): planned as they are, they would be destroyed and created again; move their state first (infrastructure/terraform/README.md, "Changing event_buses.count"):`,
      );
      for (const line of moveCommands(moves, env)) err(`  ${line}`);
      forgetPlans(environment, [file.plannedWith]);
      return 1;
    }
  }

  let changed = false;
  for (const part of parts.filter((name) => name !== "pipeline")) {
    if (!workspaces.includes(part)) {
      await tf.newWorkspace(part);
      workspaces.push(part);
    }
    err(`== plan stack trusts, workspace ${part}`);
    // -detailed-exitcode: 0 no changes, 2 changes, anything else a failure (https://developer.hashicorp.com/terraform/cli/commands/plan).
    const { status } = await tf.in(
      part,
      ["plan", "-input=false", "-detailed-exitcode", `-var-file=${environment.tfvars}`, `-var-file=${file.pipelineState}`, `-out=${file.plan(part)}`],
      { answers: [2] },
    );
    if (status === 2) changed = true;
  }
  if (scope.kind === "shrink") {
    // The buses move the trusts off the buses to be removed first. Once they have (their plans change nothing), the
    // pipeline stack's plan, which removes those buses, is the one to apply.
    if (!changed) {
      for (const part of parts) rmSync(file.plan(part), { force: true });
      rmSync(file.plannedWith, { force: true });
      parts = ["pipeline"];
      err("the bus stacks are already on the new event_buses.count: planning the pipeline stack, which removes the buses past it");
    } else {
      rmSync(file.plan("pipeline"), { force: true });
    }
  }
  writeFileSync(file.parts, `${parts.join(" ")}\n`);
  err(`planned parts, in apply order: ${parts.join(" ")} (make apply ENV=${env} applies them)`);
  return 0;
}
