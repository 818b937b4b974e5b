/**
 * A reviewer's summary of saved Terraform plans, one section per stack or part: adds / changes / destroys as
 * Terraform counts them (a replace counts once in each of add and destroy), every destroy and every replace named,
 * the resources created and updated (the first LISTED_PER_ACTION of each), and whether outputs change. Pure: it takes `terraform show -json <plan>` documents, so it serves any set of
 * plans (today's parts pipeline, bus-<i> and index; tomorrow's stacks) without knowing their names.
 *
 * Format: Terraform, "JSON Output Format" (https://developer.hashicorp.com/terraform/internals/json-format):
 * `resource_changes[].change.actions` is one of ["no-op"], ["create"], ["read"], ["update"], ["delete", "create"],
 * ["create", "delete"] (both a replace), ["delete"], ["forget"]; `action_reason` says why (for example
 * `replace_because_cannot_update`, `delete_because_no_resource_config`); `resource_drift` lists what changed outside
 * Terraform; `output_changes` maps each root output to its change; `errored` marks a plan that failed part way.
 *
 * Never prints a value: `terraform show -json` carries sensitive values in clear text (`before`/`after`,
 * `variables`), so only addresses, actions and reasons are read.
 */

export interface NamedPlan {
  /** The stack or part the plan is for (pipeline, bus-0, index, ...). */
  name: string;
  /** `terraform show -json` of its saved plan, parsed. */
  plan: unknown;
}

export interface StackSummary {
  name: string;
  add: number;
  change: number;
  destroy: number;
  /** Resources destroyed and not created again. */
  destroyed: AddressedChange[];
  /** Resources destroyed and created again (delete-then-create or create-then-delete). */
  replaced: AddressedChange[];
  /** Resources created (not replacements), and updated in place: what a merge adds or changes. */
  created: string[];
  updated: string[];
  forgotten: string[];
  /** Resources whose real state differs from the last apply (changed outside Terraform). */
  drifted: string[];
  outputsChanged: string[];
  errored: boolean;
}

export interface AddressedChange {
  address: string;
  reason?: string;
}

export interface PlansSummary {
  stacks: StackSummary[];
  /** Anything to apply, or any drift: what `make drift` fails on. */
  changed: boolean;
  markdown: string;
}

interface ResourceChange {
  address?: unknown;
  action_reason?: unknown;
  change?: { actions?: unknown };
}

const KNOWN_ACTIONS = new Set(["no-op", "create", "read", "update", "delete", "forget"]);

/** One stack's counts; a document that is not a plan's JSON is an error naming the stack. */
export function summariseStack({ name, plan }: NamedPlan): StackSummary {
  if (typeof plan !== "object" || plan === null || typeof (plan as { format_version?: unknown }).format_version !== "string") {
    throw new Error(`${name}: not the output of terraform show -json <plan> (no format_version)`);
  }
  const document = plan as { resource_changes?: unknown; resource_drift?: unknown; output_changes?: unknown; errored?: unknown };
  const summary: StackSummary = {
    name, add: 0, change: 0, destroy: 0, destroyed: [], replaced: [], created: [], updated: [], forgotten: [], drifted: [], outputsChanged: [],
    errored: document.errored === true,
  };
  for (const resource of listOf(document.resource_changes, name, "resource_changes")) {
    const { address, actions, reason } = readChange(resource, name);
    const entry = reason === undefined ? { address } : { address, reason };
    if (actions.includes("delete") && actions.includes("create")) {
      summary.add += 1;
      summary.destroy += 1;
      summary.replaced.push(entry);
    } else if (actions.includes("delete")) {
      summary.destroy += 1;
      summary.destroyed.push(entry);
    } else if (actions.includes("create")) {
      summary.add += 1;
      summary.created.push(address);
    } else if (actions.includes("update")) {
      summary.change += 1;
      summary.updated.push(address);
    } else if (actions.includes("forget")) {
      summary.forgotten.push(address);
    }
  }
  for (const resource of listOf(document.resource_drift, name, "resource_drift")) {
    const { address, actions } = readChange(resource, name);
    if (!actions.every((action) => action === "no-op" || action === "read")) summary.drifted.push(address);
  }
  const outputs = document.output_changes;
  if (outputs !== undefined && (typeof outputs !== "object" || outputs === null)) throw new Error(`${name}: output_changes is not an object`);
  for (const [output, change] of Object.entries((outputs ?? {}) as Record<string, { actions?: unknown }>)) {
    const actions = actionsOf(change?.actions, name, `output ${output}`);
    if (!actions.every((action) => action === "no-op")) summary.outputsChanged.push(output);
  }
  return summary;
}

/** Summaries of every plan, in the order given (the apply order), and one Markdown document for a job summary or PR. */
export function summarisePlans(plans: readonly NamedPlan[], title: string): PlansSummary {
  const stacks = plans.map(summariseStack);
  const changed = stacks.some(hasChanges);
  return { stacks, changed, markdown: renderMarkdown(title, stacks) };
}

export function hasChanges(stack: StackSummary): boolean {
  return stack.add + stack.change + stack.destroy > 0 || stack.forgotten.length > 0 || stack.drifted.length > 0 || stack.outputsChanged.length > 0 || stack.errored;
}

function renderMarkdown(title: string, stacks: readonly StackSummary[]): string {
  const lines = [`## ${title}`, ""];
  if (stacks.length === 0) {
    lines.push("No saved plans: nothing was planned.");
    return lines.join("\n");
  }
  const destroys = stacks.reduce((sum, stack) => sum + stack.destroyed.length + stack.replaced.length, 0);
  if (destroys > 0) lines.push(`> [!WARNING]`, `> ${destroys} resource(s) destroyed or replaced: read each one below before approving.`, "");
  lines.push("| stack | add | change | destroy | replaced | outputs changed |", "| --- | ---: | ---: | ---: | ---: | --- |");
  for (const stack of stacks) {
    lines.push(`| ${stack.name} | ${stack.add} | ${stack.change} | ${stack.destroy} | ${stack.replaced.length} | ${stack.outputsChanged.map(code).join(", ") || "-"} |`);
  }
  for (const stack of stacks) {
    lines.push("", `### ${stack.name}: ${headline(stack)}`);
    if (stack.errored) lines.push("", "**The plan errored part way: it is incomplete and cannot be applied.**");
    for (const { address, reason } of stack.destroyed) lines.push(`- **destroy** ${code(address)}${reason ? ` (${reason})` : ""}`);
    for (const { address, reason } of stack.replaced) lines.push(`- **replace** ${code(address)}${reason ? ` (${reason})` : ""}`);
    for (const address of stack.forgotten) lines.push(`- **forget** (removed from state, left in AWS) ${code(address)}`);
    if (stack.drifted.length > 0) lines.push(`- changed outside Terraform since the last apply: ${stack.drifted.map(code).join(", ")}`);
    if (stack.created.length + stack.updated.length > 0) {
      lines.push("", `<details><summary>${stack.created.length} created, ${stack.updated.length} updated</summary>`, "");
      lines.push(...listed("create", "created", stack.created), ...listed("update", "updated", stack.updated));
      lines.push("", "</details>");
    }
  }
  return lines.join("\n");
}

/**
 * How many creates and updates are named per stack: a first deploy of 1,000 trusts creates ~1,200 resources per bus
 * part, and GitHub refuses a comment body over 65,536 characters (its own 422 answer says "Body is too long (maximum
 * is 65536 characters)"; not in its docs: e.g. https://github.com/danger/danger/issues/424). 14 parts x 2 x 20
 * addresses of ~90 characters stay near 50,000; the plan workflow cuts the comment at 60,000 in any case.
 */
export const LISTED_PER_ACTION = 20;

function listed(verb: string, past: string, addresses: readonly string[]): string[] {
  const lines = addresses.slice(0, LISTED_PER_ACTION).map((address) => `- ${verb} ${code(address)}`);
  if (addresses.length > LISTED_PER_ACTION) lines.push(`- ... and ${addresses.length - LISTED_PER_ACTION} more ${past}`);
  return lines;
}

function headline(stack: StackSummary): string {
  if (!hasChanges(stack)) return "no changes";
  return `${stack.add} to add, ${stack.change} to change, ${stack.destroy} to destroy`;
}

/** An address in backticks; Terraform addresses never hold a backtick, but a fixture or a bug might. */
function code(text: string): string {
  return `\`${text.replaceAll("`", "'")}\``;
}

function listOf(value: unknown, name: string, field: string): ResourceChange[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${name}: ${field} is not a list`);
  return value as ResourceChange[];
}

function readChange(resource: ResourceChange, name: string): { address: string; actions: string[]; reason: string | undefined } {
  if (typeof resource?.address !== "string") throw new Error(`${name}: a resource change has no address`);
  const actions = actionsOf(resource.change?.actions, name, resource.address);
  const reason = typeof resource.action_reason === "string" ? resource.action_reason : undefined;
  return { address: resource.address, actions, reason };
}

function actionsOf(value: unknown, name: string, what: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((action) => typeof action === "string" && KNOWN_ACTIONS.has(action))) {
    throw new Error(`${name}: ${what} has actions ${JSON.stringify(value)}, not a list of ${[...KNOWN_ACTIONS].join(", ")}`);
  }
  return value as string[];
}
