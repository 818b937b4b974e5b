/**
 * Pure parts of planning an environment in parts (infrastructure/terraform/root/main.tf: pipeline, bus-<i>, index):
 * which parts a plan covers, the bus and index parts' variable from the pipeline part's outputs, and the one
 * `terraform output -json` document the support CLI reads, merged from every part's.
 */

/** One output of `terraform output -json`. */
export interface TerraformOutput {
  sensitive: boolean;
  type: unknown;
  value: unknown;
}
export type TerraformOutputs = Record<string, TerraformOutput>;

/** The pipeline part's output part_inputs: the bus and index parts' variable `pipeline` (root/variables.tf). */
export interface PartInputs {
  event_bus_names: string[];
  [name: string]: unknown;
}

const PART = /^(pipeline|index|bus-(0|[1-9][0-9]?))$/;
const BUS_PART = /^bus-(0|[1-9][0-9]?)$/;

/** The bus and index parts' var file (`{ "pipeline": part_inputs }`) from the pipeline part's outputs; null before its first apply. */
export function pipelineVars(outputs: TerraformOutputs): { pipeline: PartInputs } | null {
  const inputs = outputs.part_inputs?.value;
  if (inputs === undefined || inputs === null) return null;
  if (typeof inputs !== "object" || !Array.isArray((inputs as PartInputs).event_bus_names)) {
    throw new Error("the pipeline part's output part_inputs has no event_bus_names: is this the pipeline part's `terraform output -json`?");
  }
  return { pipeline: inputs as PartInputs };
}

/** A change to one output in `terraform show -json` of a saved plan. */
export interface OutputChange {
  actions: string[];
  before?: unknown;
  after?: unknown;
}

export type PlanScope =
  /** Nothing applied yet, or the pipeline changes what the trusts are planned with: plan it alone, apply, plan again. */
  | { kind: "pipeline-only"; parts: ["pipeline"]; note: string }
  /** Every part, pipeline first: the pipeline's plan leaves part_inputs as the other parts are planned with. */
  | { kind: "all"; parts: string[] }
  /** event_buses.count shrinks: move the trusts off the buses first (bus and index parts); the pipeline removes the buses next time. */
  | { kind: "shrink"; parts: string[]; note: string };

/**
 * Which parts `make plan` plans, from the pipeline part's planned change to part_inputs (`terraform show -json`,
 * output_changes.part_inputs) and the workspaces the backend has. Bus parts: one per bus index below the count,
 * and every existing bus-<i> workspace past it (a bus removed by a smaller count), whose plan destroys what it holds.
 */
export function planScope(change: OutputChange | undefined, workspaces: readonly string[], env: string): PlanScope {
  const before = change?.before as PartInputs | null | undefined;
  const after = change?.after as PartInputs | null | undefined;
  if (!before) {
    return {
      kind: "pipeline-only",
      parts: ["pipeline"],
      note: `the pipeline part has never been applied: planning it alone; after \`make apply ENV=${env}\`, \`make plan ENV=${env}\` plans the trusts against its outputs`,
    };
  }
  const unchanged = change === undefined || change.actions.every((action) => action === "no-op");
  const busCount = (inputs: PartInputs | null | undefined) => (Array.isArray(inputs?.event_bus_names) ? inputs.event_bus_names.length : 0);
  const count = unchanged ? busCount(before) : busCount(after);
  const buses = busParts(count, workspaces);
  if (unchanged) return { kind: "all", parts: ["pipeline", ...buses, "index"] };
  if (after && Array.isArray(after.event_bus_names) && busCount(after) < busCount(before)) {
    return {
      kind: "shrink",
      parts: [...buses, "index"],
      note: `event_buses.count shrinks from ${busCount(before)} to ${busCount(after)}: planning the bus and index parts, which move every trust off the buses to be removed; the pipeline part, which removes them, is planned by the next \`make plan ENV=${env}\` (infrastructure/terraform/README.md, "Changing event_buses.count")`,
    };
  }
  return {
    kind: "pipeline-only",
    parts: ["pipeline"],
    note: `the pipeline part's plan changes the values the trusts are planned with (part_inputs): planning it alone; after \`make apply ENV=${env}\`, \`make plan ENV=${env}\` plans the trusts against its new outputs`,
  };
}

/** bus-0 .. bus-<count - 1>, then every other existing bus-<i> workspace, by index. */
export function busParts(count: number, workspaces: readonly string[]): string[] {
  const indexes = new Set(Array.from({ length: count }, (_, index) => index));
  for (const workspace of workspaces) if (BUS_PART.test(workspace)) indexes.add(Number(workspace.slice("bus-".length)));
  return [...indexes].sort((a, b) => a - b).map((index) => `bus-${index}`);
}

/** `terraform workspace list` output → names ("* pipeline" marks the selected one). */
export function workspaceNames(list: string): string[] {
  return list
    .split("\n")
    .map((line) => line.replace(/^\*/, "").trim())
    .filter((name) => name !== "");
}

/**
 * One document shaped like the single-state `terraform output -json` (what `make output` printed before parts, and
 * what the support CLI's --outputs reads): the pipeline part's `pipeline` and `rules_per_bus`, and `trusts` merged
 * from every bus part. Refuses a missing pipeline part and a trust held by two parts (a move half done).
 */
export function mergeOutputs(parts: readonly TerraformOutputs[]): TerraformOutputs {
  const byPart = new Map<string, TerraformOutputs>();
  for (const outputs of parts) {
    const part = outputs.part?.value;
    if (typeof part !== "string" || !PART.test(part)) throw new Error("not the `terraform output -json` of a part of this root (no output part)");
    if (byPart.has(part)) throw new Error(`part ${part} given twice`);
    byPart.set(part, outputs);
  }
  const pipeline = byPart.get("pipeline");
  if (!pipeline?.pipeline || !pipeline.rules_per_bus) throw new Error("the pipeline part has no outputs: it has not been applied");
  const trusts: Record<string, unknown> = {};
  const types: Record<string, unknown> = {};
  const holder = new Map<string, string>();
  for (const [part, outputs] of [...byPart].filter(([part]) => BUS_PART.test(part)).sort(([a], [b]) => busIndex(a) - busIndex(b))) {
    const value = (outputs.trusts?.value ?? {}) as Record<string, unknown>;
    const type = outputs.trusts?.type;
    const memberTypes = Array.isArray(type) && type[0] === "object" && typeof type[1] === "object" ? (type[1] as Record<string, unknown>) : {};
    for (const [trust, outputsOfTrust] of Object.entries(value)) {
      const other = holder.get(trust);
      if (other) throw new Error(`trust ${trust} is in two parts, ${other} and ${part}: finish moving it (infrastructure/terraform/README.md, "Changing event_buses.count")`);
      holder.set(trust, part);
      trusts[trust] = outputsOfTrust;
      if (trust in memberTypes) types[trust] = memberTypes[trust];
    }
  }
  const sorted = Object.fromEntries(Object.keys(trusts).sort().map((trust) => [trust, trusts[trust]]));
  return {
    pipeline: pipeline.pipeline,
    rules_per_bus: pipeline.rules_per_bus,
    trusts: { sensitive: false, type: ["object", Object.fromEntries(Object.keys(sorted).map((trust) => [trust, types[trust]]))], value: sorted },
  };
}

const busIndex = (part: string) => Number(part.slice("bus-".length));
