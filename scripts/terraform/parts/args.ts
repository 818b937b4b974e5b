import { HELP, UsageError, parseOptions, type Help } from "../../lib/command-line.ts";

export const USAGE = `Usage: npx tsx scripts/terraform/parts.ts <command>   (make plan|apply|output ENV=<env> run it)
  An environment is two stacks; each part is one state: pipeline (stack pipeline), bus-<i> (stack trusts, one per bus).
  backend --backend FILE --out FILE
      FILE: environments/<env>/backend.hcl; writes the trusts stack's var file ({ "pipeline_state": {...} }: where
      it reads the pipeline stack's outputs) to --out
  pipeline-vars --outputs FILE --out FILE
      FILE: the pipeline stack's \`terraform output -json\`; writes what the bus stacks are planned with
      ({ "pipeline": trusts_stack_inputs }) to --out, or removes --out when the pipeline stack has never been applied
  scope --env ENV --plan FILE --workspaces FILE
      FILE: \`terraform show -json\` of the pipeline part's saved plan, and \`terraform workspace list\`;
      prints the parts to plan, in apply order, on one line (and why, when not every part, on stderr)
  moves --env ENV --plan FILE --held DIR
      DIR: \`terraform state list\` of each bus part as <part>.txt; exit 1, printing the commands that move them,
      when a trust's state is in another bus part than the one it hashes to (after a change of event_buses.count)
  merge FILE...
      each FILE one part's \`terraform output -json\`; prints one document shaped like a single state's
      (pipeline, rules_per_bus, every bus part's trusts): what the support CLI's --outputs reads`;

export type PartsCommand =
  | { kind: "backend"; backendFile: string; outFile: string }
  | { kind: "pipeline-vars"; outputsFile: string; outFile: string }
  | { kind: "scope"; env: string; planFile: string; workspacesFile: string }
  | { kind: "moves"; env: string; planFile: string; heldDir: string }
  | { kind: "merge"; files: string[] };

/** The parts helper's command line: argv in, a command (or HELP) out; a mistake throws UsageError. */
export function parsePartsArgs(argv: readonly string[]): PartsCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      outputs: { type: "string" },
      backend: { type: "string" },
      out: { type: "string" },
      env: { type: "string" },
      plan: { type: "string" },
      workspaces: { type: "string" },
      held: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  const [name, ...rest] = positionals;
  const need = (value: string | undefined, option: string) => {
    if (value === undefined || value.trim() === "") throw new UsageError(`${name} needs --${option}`);
    return value;
  };
  const noPositionals = () => {
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  };
  switch (name) {
    case "backend":
      noPositionals();
      return { kind: "backend", backendFile: need(values.backend, "backend"), outFile: need(values.out, "out") };
    case "pipeline-vars":
      noPositionals();
      return { kind: "pipeline-vars", outputsFile: need(values.outputs, "outputs"), outFile: need(values.out, "out") };
    case "scope":
      noPositionals();
      return { kind: "scope", env: environment(need(values.env, "env")), planFile: need(values.plan, "plan"), workspacesFile: need(values.workspaces, "workspaces") };
    case "moves":
      noPositionals();
      return { kind: "moves", env: environment(need(values.env, "env")), planFile: need(values.plan, "plan"), heldDir: need(values.held, "held") };
    case "merge":
      if (values.outputs ?? values.backend ?? values.out ?? values.env ?? values.plan ?? values.workspaces ?? values.held) throw new UsageError("merge takes only output files");
      if (rest.length === 0) throw new UsageError("merge needs the parts' output files");
      return { kind: "merge", files: rest };
    case undefined:
      throw new UsageError("give a command: backend, pipeline-vars, scope, moves or merge");
    default:
      throw new UsageError(`unknown command ${name}: backend, pipeline-vars, scope, moves or merge`);
  }
}

function environment(env: string): string {
  if (!/^[a-z][a-z0-9]{1,11}$/.test(env)) throw new UsageError("--env must be an environment name such as prod");
  return env;
}
