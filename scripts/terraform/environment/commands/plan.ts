import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { busMovesVarFile, moveState, readRecord, sameMoves, waitOut, writeRecord } from "../bus-move.ts";
import { files, forgetPlans, readText, refreshPipelineVars } from "../files.ts";
import {
  busMovesOf,
  drainSeconds,
  eventBusNameOf,
  indexTimingOf,
  moveCommands,
  pipelineState,
  plannedBusCount,
  planScope,
  stateMoveSteps,
  trustMoves,
  trustsHeld,
  trustsMidMove,
  type BusMoves,
  type OutputChange,
  type PartInputs,
} from "../stacks.ts";
import { environment as environmentOf, terraform, type Environment, type Terraform } from "../terraform.ts";

const BUS = /^bus-(0|[1-9][0-9]?)$/;

/**
 * make plan ENV=<env>: saves one plan per part in .build/<env>/<part>.tfplan and the parts, in apply order, in
 * .build/<env>/parts. The pipeline stack first; the buses' trusts stacks read its applied outputs through
 * terraform_remote_state (what they were is kept in planned-with.tfvars.json). The pipeline alone when nothing is
 * applied yet or when its plan changes those outputs (apply, then plan again); when event_buses.count shrinks, the
 * buses first, and the pipeline (which removes buses) once their plans change nothing. A change of event_buses.count
 * that moves trusts between buses is planned in two rounds (promise 8.10; `planBusMove`).
 */
export async function plan(env: string, err: (text: string) => void, signal: AbortSignal): Promise<number> {
  const environment = environmentOf(env, "plan");
  const file = files(environment);
  const tf = terraform(environment, signal);
  writeFileSync(file.pipelineState, `${JSON.stringify({ pipeline_state: pipelineState(readFileSync(environment.backendFile, "utf8")) }, null, 2)}\n`);
  const workspaces = await tf.init();
  forgetPlans(environment, [file.plannedWith, busMovesVarFile(environment)]);
  // A new plan replaces round 1's saved plans: only an applied round 1 is worth remembering.
  if (readRecord(environment)?.appliedAt === undefined) writeRecord(environment, undefined);
  const outputs = await refreshPipelineVars(environment, tf);

  err("== plan stack pipeline");
  await tf.in("pipeline", ["plan", "-input=false", `-var-file=${environment.tfvars}`, `-out=${file.plan("pipeline")}`]);
  const shown = JSON.parse((await tf.in("pipeline", ["show", "-json", file.plan("pipeline")], { capture: true })).stdout) as { output_changes?: Record<string, OutputChange> };
  const change = shown.output_changes?.trusts_stack_inputs;
  const scope = planScope(change, workspaces, env);
  if (scope.kind !== "all") err(scope.note);
  let parts = [...scope.parts];
  if (scope.kind !== "pipeline-only") copyFileSync(file.pipelineVars, file.plannedWith);

  const buses = parts.filter((part) => BUS.test(part));
  let changed = false;
  if (buses.length > 0) {
    const move = await planBusMove(environment, tf, workspaces, plannedBusCount(change), buses, outputs, err, signal);
    if (move.refused) {
      forgetPlans(environment, [file.plannedWith]);
      return 1;
    }
    changed = move.changed;
    parts = [...parts.filter((part) => !BUS.test(part)), ...move.order];
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
      parts = parts.filter((part) => part !== "pipeline");
    }
  }
  writeFileSync(file.parts, `${parts.join(" ")}\n`);
  err(`planned parts, in apply order: ${parts.join(" ")} (make apply ENV=${env} applies them)`);
  return 0;
}

/** Plans the bus stacks in `order`; with `busMoves`, as round 1 of a bus move. Answers whether any plan changes something. */
async function planBuses(environment: Environment, tf: Terraform, workspaces: string[], order: readonly string[], busMoves: BusMoves | undefined, err: (text: string) => void): Promise<boolean> {
  const file = files(environment);
  const moves = busMovesVarFile(environment);
  if (busMoves) writeFileSync(moves, `${JSON.stringify({ bus_moves: busMoves }, null, 2)}\n`);
  else rmSync(moves, { force: true });
  let changed = false;
  for (const part of order) {
    if (!workspaces.includes(part)) {
      await tf.newWorkspace(part);
      workspaces.push(part);
    }
    err(`== plan stack trusts, workspace ${part}${busMoves ? " (round 1 of a bus move)" : ""}`);
    // -detailed-exitcode: 0 no changes, 2 changes, anything else a failure (https://developer.hashicorp.com/terraform/cli/commands/plan).
    const { status } = await tf.in(
      part,
      [
        "plan",
        "-input=false",
        "-detailed-exitcode",
        `-var-file=${environment.tfvars}`,
        `-var-file=${file.pipelineState}`,
        ...(busMoves ? [`-var-file=${moves}`] : []),
        `-out=${file.plan(part)}`,
      ],
      { answers: [2] },
    );
    if (status === 2) changed = true;
  }
  return changed;
}

/**
 * The bus stacks' plans, as one round of a change of event_buses.count when trusts move between buses (promise 8.10):
 * - trusts in another bus's state than the one they hash to: move their state (not under the read-only role, which
 *   prints the procedure instead), then round 1: every bus with bus_moves, highest bus first;
 * - trusts mid-move (rules at previous[0]) and round 1 not fully applied (a round-1 plan still changes something, and
 *   this machine did not record it applied): round 1 again;
 * - round 1 applied: wait until no Lambda can still publish by the old shards, then round 2, every bus without
 *   bus_moves, which removes the old rules;
 * - otherwise the buses, lowest first.
 */
async function planBusMove(
  environment: Environment,
  tf: Terraform,
  workspaces: string[],
  count: number,
  buses: readonly string[],
  outputs: Parameters<typeof indexTimingOf>[0],
  err: (text: string) => void,
  signal: AbortSignal,
): Promise<{ refused: boolean; changed: boolean; order: string[] }> {
  const { env } = environment;
  const lists = new Map<string, string>();
  for (const workspace of workspaces.filter((name) => BUS.test(name))) lists.set(workspace, (await tf.in(workspace, ["state", "list"], { capture: true })).stdout);
  const moves = trustMoves(new Map([...lists].map(([part, list]) => [part, trustsHeld(list)])), count);
  const highestFirst = [...buses].sort((a, b) => Number(b.slice(4)) - Number(a.slice(4)));

  let busMoves: BusMoves = {};
  const midMove = [...lists.values()].flatMap((list) => [...trustsMidMove(list).keys()]);
  if (moves.length > 0 && midMove.length > 0) {
    // A second count change before the first one's round 2: its old rules would go without the wait.
    err(
      `event_buses.count changed while a bus move is still under way (${midMove.slice(0, 5).join(", ")}${midMove.length > 5 ? ", ..." : ""} still have rules on the bus they left): set the count back, finish that move (make plan, make apply), then change it (infrastructure/terraform/README.md, "Changing event_buses.count")`,
    );
    return { refused: true, changed: false, order: [] };
  }
  if (moves.length > 0) {
    const steps = stateMoveSteps(moves, lists);
    const listed = `${moves
      .slice(0, 5)
      .map((move) => `${move.trust}: ${move.from} -> ${move.to}`)
      .join(", ")}${moves.length > 5 ? ", ..." : ""}`;
    err(`event_buses.count changed: ${moves.length === 1 ? "1 trust moves" : `${moves.length} trusts move`} to another bus (${listed}), in two rounds.`);
    // make plan-readonly (TF_CLI_ARGS_plan=-lock=false) runs as the read-only plan role, which may not write a state.
    if ((process.env.TF_CLI_ARGS_plan ?? "").split(/\s+/).includes("-lock=false")) {
      err(
        `moving their state first needs the state lock and a role that may write the states: run make plan ENV=${env} as the deploy role, which runs these (infrastructure/terraform/README.md, "Changing event_buses.count"):`,
      );
      for (const line of moveCommands(steps, env)) err(`  ${line}`);
      return { refused: true, changed: false, order: [] };
    }
    await moveState(environment, tf, steps, workspaces, err);
    busMoves = busMovesOf(moves);
  } else {
    const names = (JSON.parse(readText(files(environment).pipelineVars) ?? "{}") as { pipeline?: PartInputs }).pipeline?.event_bus_names ?? [];
    for (const [part, list] of lists) {
      for (const [trust, address] of trustsMidMove(list)) {
        const bus = eventBusNameOf((await tf.in(part, ["state", "show", "-no-color", address], { capture: true })).stdout);
        const from = names.indexOf(bus);
        if (from < 0) throw new Error(`trust ${trust} has a rule on ${bus}, which is not one of the pipeline stack's buses: remove it by hand (infrastructure/terraform/README.md, "Changing event_buses.count")`);
        busMoves[trust] = { from, to: Number(part.slice(4)) };
      }
    }
    busMoves = Object.fromEntries(Object.entries(busMoves).sort(([a], [b]) => a.localeCompare(b)));
  }
  if (Object.keys(busMoves).length === 0) {
    writeRecord(environment, undefined);
    return { refused: false, changed: await planBuses(environment, tf, workspaces, buses, undefined, err), order: [...buses] };
  }

  const wait = drainSeconds(indexTimingOf(outputs));
  const record = readRecord(environment);
  const applied = moves.length === 0 && record?.round !== undefined && record.appliedAt !== undefined && sameMoves(record.busMoves, busMoves);
  if (!applied) {
    const changed = await planBuses(environment, tf, workspaces, highestFirst, busMoves, err);
    if (moves.length > 0 || changed) {
      writeRecord(environment, { busMoves, round: 1 });
      err(
        `round 1 of 2 (these plans): each moving trust's state is in its new bus's stack, with its rules on both its old and its new bus; each new bus's shard names it after its new rules; buses highest first; \`make apply ENV=${env}\` applies it, waits ${wait} s (subscription TTL x 1.2 + index stale bound + Lambda timeout) and plans round 2`,
      );
      err(`round 2 of 2: removes the moved trusts' rules from their old buses, once no Lambda can still publish there`);
      return { refused: false, changed: true, order: highestFirst };
    }
    err("round 1 of the bus move is applied (its plans change nothing)");
  }
  await waitOut(wait, applied ? record!.appliedAt : undefined, signal, err);
  // Round 1 applied at least `wait` ago: a plan again here does not wait again.
  writeRecord(environment, { busMoves, round: 2, appliedAt: applied ? record!.appliedAt! : Date.now() - wait * 1000 });
  const changed = await planBuses(environment, tf, workspaces, buses, undefined, err);
  err(`round 2 of 2 planned: removes the rules of ${Object.keys(busMoves).length} moved trusts from their old buses (every Lambda has had ${wait} s to publish to the new ones); make apply ENV=${env} applies it`);
  return { refused: false, changed, order: [...buses] };
}
