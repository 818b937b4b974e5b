import { existsSync, rmSync } from "node:fs";
import { files, forgetPlans, readText, refreshPipelineVars } from "../files.ts";
import { readRecord, writeRecord } from "../bus-move.ts";
import { environment as environmentOf, terraform } from "../terraform.ts";
import { plan } from "./plan.ts";

/**
 * make apply ENV=<env>: applies exactly the plans make plan saved, in order. Before the first bus it reads the
 * pipeline stack's outputs again and stops if they are not what the buses were planned with (changed by this apply
 * or another since the plan): a bus plan made with values that are no longer true is never applied. After round 1 of a
 * change of event_buses.count it waits and plans round 2 (promise 8.10), also when run again after an interruption.
 */
export async function apply(env: string, err: (text: string) => void, signal: AbortSignal): Promise<number> {
  const environment = environmentOf(env, "apply");
  const file = files(environment);
  const parts = readText(file.parts)?.split(/\s+/).filter(Boolean);
  const record = readRecord(environment);
  if (!parts && record?.round === 1 && record.appliedAt !== undefined) {
    // Interrupted between the rounds of a bus move: the wait again (what is left of it), then round 2's plans.
    err("round 1 of 2 of a bus move is applied: continuing with round 2");
    return plan(env, err, signal);
  }
  if (!parts) {
    err(`no saved plans for ${env}: make plan ENV=${env} first, then make apply ENV=${env}`);
    return 2;
  }
  const tf = terraform(environment, signal);
  await tf.init();
  let checked = false;
  for (const part of parts) {
    if (!existsSync(file.plan(part))) {
      err(`part ${part}: no saved plan (already applied, or make plan failed): make plan ENV=${env} again`);
      return 1;
    }
    if (part !== "pipeline" && !checked) {
      await refreshPipelineVars(environment, tf);
      const now = readText(file.pipelineVars);
      if (now === undefined || now !== readText(file.plannedWith)) {
        forgetPlans(environment);
        err(`the pipeline stack's outputs are not what the bus stacks were planned with (changed by this apply or another since the plan): their plans are stale; make plan ENV=${env} again`);
        return 1;
      }
      checked = true;
    }
    err(`== apply ${part}`);
    // A saved plan: exactly what was reviewed. Terraform refuses it if the state changed since the plan.
    await tf.in(part, ["apply", "-input=false", file.plan(part)]);
    rmSync(file.plan(part), { force: true });
    if (part === "pipeline") await refreshPipelineVars(environment, tf);
  }
  rmSync(file.parts, { force: true });
  if (record?.round === 1) {
    // Round 1 of a bus move (promise 8.10): every bus holds the moving trusts' rules on both buses. Wait until no Lambda
    // can publish by the old shards, then plan round 2, which removes the old rules: saved, for review and make apply.
    writeRecord(environment, { ...record, appliedAt: Date.now() });
    err(`round 1 of 2 of the bus move applied`);
    return plan(env, err, signal);
  }
  if (record?.round === 2) {
    writeRecord(environment, undefined);
    err(`round 2 of 2 applied: the bus move is finished`);
  }
  err(`applied every planned part of ${env}; make plan ENV=${env} shows whether anything is left (the pipeline's first apply, a bus count change)`);
  return 0;
}
