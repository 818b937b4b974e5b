import { createHash } from "node:crypto";

/**
 * Pure parts of planning an environment as two stacks (infrastructure/terraform/stacks: `pipeline`, one state; `trusts`,
 * one workspace bus-<i> per callbacks bus). A "part" is one state: `pipeline` or `bus-<i>`. Which parts a plan covers,
 * the pipeline stack's outputs the bus stacks were planned with, where the pipeline stack's state is, and the one
 * `terraform output -json` document the support CLI reads, merged from every part's.
 */

/** One output of `terraform output -json`. */
export interface TerraformOutput {
  sensitive: boolean;
  type: unknown;
  value: unknown;
}
export type TerraformOutputs = Record<string, TerraformOutput>;

/** The pipeline stack's output trusts_stack_inputs: what every bus's trusts stack reads (stacks/trusts/variables.tf, `pipeline`). */
export interface PartInputs {
  event_bus_names: string[];
  [name: string]: unknown;
}

const BUS_PART = /^bus-(0|[1-9][0-9]?)$/;

/** What the bus stacks are planned with (`{ "pipeline": trusts_stack_inputs }`) from the pipeline stack's outputs; null before its first apply. */
export function pipelineVars(outputs: TerraformOutputs): { pipeline: PartInputs } | null {
  const inputs = outputs.trusts_stack_inputs?.value;
  if (inputs === undefined || inputs === null) return null;
  if (typeof inputs !== "object" || !Array.isArray((inputs as PartInputs).event_bus_names)) {
    throw new Error("the pipeline stack's output trusts_stack_inputs has no event_bus_names: is this the pipeline stack's `terraform output -json`?");
  }
  return { pipeline: inputs as PartInputs };
}

/**
 * The trusts stack's variable pipeline_state (where it reads the pipeline stack's outputs with terraform_remote_state)
 * from the environment's backend settings (environments/<env>/backend.hcl: `name = "value"` lines). Both stacks use
 * that one key: the pipeline stack its default workspace (the state at key), each bus its workspace bus-<i> (the S3
 * backend keeps it at env:/bus-<i>/<key>), which are the state objects the bootstrap's plan and deploy roles may use.
 */
export function pipelineState(backendHcl: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of backendHcl.split("\n")) {
    const match = /^\s*([a-z_]+)\s*=\s*(?:"([^"]*)"|(true|false|[0-9]+))\s*(?:#.*)?$/.exec(line);
    if (match) settings[match[1]!] = match[2] ?? match[3]!;
  }
  for (const name of ["bucket", "key", "region"]) if (!settings[name]) throw new Error(`backend.hcl has no ${name} = "..."`);
  return settings;
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
  /** Every part, pipeline first: the pipeline's plan leaves trusts_stack_inputs as the bus stacks are planned with. */
  | { kind: "all"; parts: string[] }
  /**
   * event_buses.count shrinks: move the trusts off the buses first (bus stacks); the pipeline removes the buses
   * next time. DeleteEventBus expects the bus's rules deleted first (EventBridge API Reference, DeleteEventBus:
   * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteEventBus.html; the User Guide says deleting a
   * bus deletes its rules): either way the bus stacks, which own the rules, delete them before the bus goes.
   */
  | { kind: "shrink"; parts: string[]; note: string };

/** event_buses.count as the bus stacks are planned with it: the applied count, or the planned one when it shrinks. */
export function plannedBusCount(change: OutputChange | undefined): number {
  const count = (inputs: unknown) => (Array.isArray((inputs as PartInputs | null | undefined)?.event_bus_names) ? (inputs as PartInputs).event_bus_names.length : 0);
  const unchanged = change === undefined || change.actions.every((action) => action === "no-op");
  return unchanged ? count(change?.before) : count(change?.after);
}

/**
 * Which parts `make plan` plans, from the pipeline stack's planned change to trusts_stack_inputs (`terraform show
 * -json`, output_changes.trusts_stack_inputs) and the trusts stack's workspaces. Bus stacks: one per bus index below
 * the count, and every existing bus-<i> workspace past it (a bus removed by a smaller count), whose plan destroys what
 * it holds.
 */
export function planScope(change: OutputChange | undefined, workspaces: readonly string[], env: string): PlanScope {
  const before = change?.before as PartInputs | null | undefined;
  const after = change?.after as PartInputs | null | undefined;
  if (!before) {
    return {
      kind: "pipeline-only",
      parts: ["pipeline"],
      note: `the pipeline stack has never been applied: planning it alone; after \`make apply ENV=${env}\`, \`make plan ENV=${env}\` plans the trusts against its outputs`,
    };
  }
  const unchanged = change === undefined || change.actions.every((action) => action === "no-op");
  const busCount = (inputs: PartInputs | null | undefined) => (Array.isArray(inputs?.event_bus_names) ? inputs.event_bus_names.length : 0);
  const buses = busParts(plannedBusCount(change), workspaces);
  if (unchanged) return { kind: "all", parts: ["pipeline", ...buses] };
  if (after && Array.isArray(after.event_bus_names) && busCount(after) < busCount(before)) {
    return {
      kind: "shrink",
      parts: buses,
      note: `event_buses.count shrinks from ${busCount(before)} to ${busCount(after)}: planning the bus stacks, which move every trust off the buses to be removed; the pipeline stack, which removes them, is planned by the next \`make plan ENV=${env}\` (infrastructure/terraform/README.md, "Changing event_buses.count")`,
    };
  }
  return {
    kind: "pipeline-only",
    parts: ["pipeline"],
    note: `the pipeline stack's plan changes the values the trusts are planned with (trusts_stack_inputs): planning it alone; after \`make apply ENV=${env}\`, \`make plan ENV=${env}\` plans the trusts against its new outputs`,
  };
}

/** bus-0 .. bus-<count - 1>, then every other existing bus-<i> workspace, by index. */
export function busParts(count: number, workspaces: readonly string[]): string[] {
  const indexes = new Set(Array.from({ length: count }, (_, index) => index));
  for (const workspace of workspaces) if (BUS_PART.test(workspace)) indexes.add(Number(workspace.slice("bus-".length)));
  return [...indexes].sort((a, b) => a - b).map((index) => `bus-${index}`);
}

/** The bus a trust's rules are on: `bus_index_of` in stacks/pipeline/main.tf (and stacks/trusts), parseint(substr(sha256(ODS), 0, 8), 16) % count. */
export function busIndexOf(trustId: string, count: number): number {
  return Number.parseInt(createHash("sha256").update(trustId, "utf8").digest("hex").slice(0, 8), 16) % count;
}

/** The trusts a part's state holds, from `terraform state list` (addresses under module.trust["<ODS>"]). */
export function trustsHeld(stateList: string): string[] {
  return [...new Set([...stateList.matchAll(/^module\.trust\["([^"]+)"\]/gm)].map((match) => match[1]!))].sort();
}

export interface TrustMove {
  trust: string;
  from: string;
  to: string;
}

/**
 * Trusts held by a bus part other than the one their ODS code hashes to at `count` buses (after a change of
 * event_buses.count): each must be moved to its new part's state before that part is planned, or the old part would
 * destroy it (DLQ and dead letters included) and the new one create it again under the same names. A trust held by
 * two parts is an error: a move half done.
 */
export function trustMoves(held: ReadonlyMap<string, readonly string[]>, count: number): TrustMove[] {
  const holder = new Map<string, string>();
  const moves: TrustMove[] = [];
  for (const [part, trusts] of [...held].sort(([a], [b]) => busIndex(a) - busIndex(b))) {
    for (const trust of trusts) {
      const other = holder.get(trust);
      if (other) throw new Error(`trust ${trust} is in two parts' states, ${other} and ${part}: finish moving it (infrastructure/terraform/README.md, "Changing event_buses.count")`);
      holder.set(trust, part);
      const to = `bus-${busIndexOf(trust, count)}`;
      if (to !== part) moves.push({ trust, from: part, to });
    }
  }
  return moves;
}

/** The round-1 input of every bus stack for `moves` (stacks/trusts, variable bus_moves): per trust, the bus index it leaves and the one it joins. */
export type BusMoves = Record<string, { from: number; to: number }>;

export function busMovesOf(moves: readonly TrustMove[]): BusMoves {
  return Object.fromEntries([...moves].sort((a, b) => a.trust.localeCompare(b.trust)).map((move) => [move.trust, { from: busIndex(move.from), to: busIndex(move.to) }]));
}

/**
 * The state moves of round 1 of a bus move (promise 8.10), per pair of parts: each trust's module from the old bus's
 * state to the new one's, then, in the new state, each endpoint's rule and target from `this` to `previous[0]` (the
 * rule on the bus the trust leaves: modules/trust-endpoint). `stateLists`: `terraform state list` of each part.
 */
export interface StateMoveStep {
  from: string;
  to: string;
  trusts: string[];
  /** [address, new address] in the new part's state. */
  renames: [string, string][];
}

export function stateMoveSteps(moves: readonly TrustMove[], stateLists: ReadonlyMap<string, string>): StateMoveStep[] {
  const steps = new Map<string, StateMoveStep>();
  for (const move of moves) {
    const key = `${move.from} ${move.to}`;
    const step = steps.get(key) ?? { from: move.from, to: move.to, trusts: [], renames: [] };
    steps.set(key, step);
    step.trusts.push(move.trust);
    const prefix = `module.trust["${move.trust}"].module.endpoint[`;
    for (const address of (stateLists.get(move.from) ?? "").split("\n").map((line) => line.trim())) {
      if (address.startsWith(prefix) && /\]\.aws_cloudwatch_event_(rule|target)\.this$/.test(address)) {
        step.renames.push([address, address.replace(/\.this$/, ".previous[0]")]);
      }
    }
  }
  return [...steps.values()];
}

/** The commands that run `steps` (README, "Changing event_buses.count"), in infrastructure/terraform/stacks/trusts. */
export function moveCommands(steps: readonly StateMoveStep[], env: string): string[] {
  const lines = [`cd infrastructure/terraform/stacks/trusts && export TF_DATA_DIR=.terraform-${env}`];
  for (const { from, to, trusts, renames } of steps) {
    // A part with no state yet pulls nothing: its file is then left out, and state mv starts a new state.
    lines.push(`terraform workspace new ${to} 2>/dev/null; TF_WORKSPACE=${from} terraform state pull > ${from}.tfstate && TF_WORKSPACE=${to} terraform state pull > ${to}.tfstate; [ -s ${to}.tfstate ] || rm ${to}.tfstate`);
    for (const trust of trusts) lines.push(`terraform state mv -state=${from}.tfstate -state-out=${to}.tfstate 'module.trust["${trust}"]' 'module.trust["${trust}"]'`);
    for (const [address, moved] of renames) lines.push(`terraform state mv -state=${to}.tfstate '${address}' '${moved}'`);
    lines.push(`TF_WORKSPACE=${to} terraform state push ${to}.tfstate && TF_WORKSPACE=${from} terraform state push ${from}.tfstate`);
  }
  return lines;
}

/**
 * Trusts a part's state holds in the middle of a bus move (after round 1's state move, until round 2 is applied): those
 * with an endpoint rule at `previous[0]`. Answers each one's first such address (its bus is the bus the trust leaves).
 */
export function trustsMidMove(stateList: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of stateList.matchAll(/^(module\.trust\["([^"]+)"\]\.module\.endpoint\["[^"]+"\]\.aws_cloudwatch_event_rule\.previous\[0\])\s*$/gm)) {
    if (!found.has(match[2]!)) found.set(match[2]!, match[1]!);
  }
  return found;
}

/** `terraform state show` of a rule → its event_bus_name. */
export function eventBusNameOf(shown: string): string {
  const match = /^\s*event_bus_name\s*=\s*"([^"]+)"/m.exec(shown);
  if (!match) throw new Error("terraform state show gave no event_bus_name for a rule");
  return match[1]!;
}

/** The pipeline stack's output index_timing (modules/pipeline): how long a container may publish by a changed shard. */
export interface IndexTiming {
  subscription_ttl_seconds: number;
  subscription_index_max_stale_seconds: number;
  lambda_timeout_seconds: number;
}

export function indexTimingOf(outputs: TerraformOutputs): IndexTiming {
  const timing = outputs.index_timing?.value as Partial<IndexTiming> | undefined;
  const fields = ["subscription_ttl_seconds", "subscription_index_max_stale_seconds", "lambda_timeout_seconds"] as const;
  if (!timing || fields.some((field) => typeof timing[field] !== "number" || !(timing[field] >= 0))) {
    throw new Error("the pipeline stack has no output index_timing (how long the Lambda may keep an index shard): apply the pipeline stack first");
  }
  return timing as IndexTiming;
}

/**
 * Seconds after the last shard write of round 1 until no Lambda container publishes by the shards it read before:
 * its TTL at the most jitter adds (x 1.2, `jitteredTtl` in lambdas/transform-filter/src/adapters/refreshing-cache.ts),
 * then the stale bound (a container past its TTL still serves its shards once while it revalidates, and up to that
 * bound if S3 does not answer), then one batch's whole run (the function's timeout) between routing and PutEvents.
 */
export function drainSeconds(timing: IndexTiming): number {
  return Math.ceil(timing.subscription_ttl_seconds * 1.2) + timing.subscription_index_max_stale_seconds + timing.lambda_timeout_seconds;
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
 * what the support CLI's --outputs reads): the pipeline stack's `pipeline` and `rules_per_bus`, and `trusts` merged
 * from every bus's trusts stack. Refuses a missing pipeline part and a trust held by two parts (a move half done).
 */
export function mergeOutputs(parts: readonly TerraformOutputs[]): TerraformOutputs {
  const byPart = new Map<string, TerraformOutputs>();
  for (const outputs of parts) {
    const bus = outputs.bus?.value;
    const part = typeof bus === "number" && Number.isInteger(bus) && bus >= 0 ? `bus-${bus}` : outputs.pipeline ? "pipeline" : undefined;
    if (part === undefined) throw new Error("not the `terraform output -json` of the pipeline stack or a bus's trusts stack (no output pipeline or bus)");
    if (byPart.has(part)) throw new Error(`part ${part} given twice`);
    byPart.set(part, outputs);
  }
  const pipeline = byPart.get("pipeline");
  if (!pipeline?.pipeline || !pipeline.rules_per_bus) throw new Error("the pipeline stack has no outputs: it has not been applied");
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
