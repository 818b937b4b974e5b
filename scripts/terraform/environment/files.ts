import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Environment, Terraform } from "./terraform.ts";
import { pipelineVars, type TerraformOutputs } from "./stacks.ts";

/** The files under .build/<env>/ that make plan writes and make apply reads. */
export const files = (environment: Environment) => ({
  plan: (part: string) => join(environment.build, `${part}.tfplan`),
  /** The parts planned, in apply order, on one line (scripts/deploy/show-plans.sh reads it too). */
  parts: join(environment.build, "parts"),
  /** The pipeline stack's applied trusts_stack_inputs, now. */
  pipelineVars: join(environment.build, "pipeline.tfvars.json"),
  /** ...as they were when the bus stacks were planned. */
  plannedWith: join(environment.build, "planned-with.tfvars.json"),
  /** The trusts stack's pipeline_state (where it reads the pipeline stack's outputs). */
  pipelineState: join(environment.build, "pipeline-state.tfvars.json"),
});

/** Records the pipeline stack's applied outputs in .build/<env>/pipeline.tfvars.json (removed while it has none); answers all of them. */
export async function refreshPipelineVars(environment: Environment, tf: Terraform): Promise<TerraformOutputs> {
  const outputs = JSON.parse((await tf.in("pipeline", ["output", "-json"], { capture: true })).stdout || "{}") as TerraformOutputs;
  const vars = pipelineVars(outputs);
  const file = files(environment).pipelineVars;
  if (vars === null) rmSync(file, { force: true });
  else writeFileSync(file, `${JSON.stringify(vars, null, 2)}\n`);
  return outputs;
}

export const readText = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);

/** Removes every saved plan and the parts file (and `also`). */
export function forgetPlans(environment: Environment, also: readonly string[] = []): void {
  for (const file of readdirSync(environment.build).filter((name) => name.endsWith(".tfplan"))) rmSync(join(environment.build, file), { force: true });
  rmSync(files(environment).parts, { force: true });
  for (const file of also) rmSync(file, { force: true });
}
