import { mergeOutputs, type TerraformOutputs } from "../stacks.ts";
import { environment as environmentOf, terraform } from "../terraform.ts";

/**
 * make output ENV=<env>: one document shaped like a single state's `terraform output -json` (pipeline,
 * rules_per_bus, every bus's trusts): what the support CLI's --outputs reads. A bus never applied is named and left out.
 */
export async function output(env: string, out: (text: string) => void, err: (text: string) => void, signal: AbortSignal): Promise<number> {
  const environment = environmentOf(env, "output");
  const tf = terraform(environment, signal);
  const workspaces = await tf.init();
  const read = async (part: string) => JSON.parse((await tf.in(part, ["output", "-json"], { capture: true })).stdout || "{}") as TerraformOutputs;
  const applied: TerraformOutputs[] = [];
  const unapplied: string[] = [];
  for (const part of ["pipeline", ...workspaces.filter((name) => /^bus-\d+$/.test(name))]) {
    const outputs = await read(part);
    if (Object.keys(outputs).length > 0) applied.push(outputs);
    else unapplied.push(part);
  }
  if (unapplied.length > 0) err(`not applied yet, left out: ${unapplied.join(", ")}`);
  out(JSON.stringify(mergeOutputs(applied), null, 2));
  return 0;
}
