import { HELP, UsageError, parseOptions, type Help } from "../../lib/command-line.ts";

export const USAGE = `Usage: make plan|apply|output|destroy ENV=<env>   (npx tsx scripts/terraform/environment.ts <command> --env ENV)
  An environment is two stacks (infrastructure/terraform/stacks): pipeline (one state), then trusts once per
  callbacks bus (workspace bus-<i>). Each state is a "part": pipeline, bus-0, bus-1, ...
  plan --env ENV      plans every part into .build/ENV/<part>.tfplan, in apply order in .build/ENV/parts
                      (the pipeline alone when its outputs change; the buses first when event_buses.count shrinks;
                      trusts moving to another bus: their state moved, then round 1 of 2, rules on both buses)
  apply --env ENV     applies exactly the saved plans, in order; stops before the buses if the pipeline's outputs
                      are not what they were planned with; after round 1 of a bus move, waits, then plans round 2
  output --env ENV    one \`terraform output -json\` document merged from every part (the support CLI's --outputs)
  destroy --env ENV [--confirm ENV] [--allow-prod]
                      destroys every bus's stack, highest bus first, then the pipeline stack, after typing the
                      environment's name (or --confirm ENV); prod only with --allow-prod`;

export type EnvironmentCommand =
  | { kind: "plan"; env: string }
  | { kind: "apply"; env: string }
  | { kind: "output"; env: string }
  | { kind: "destroy"; env: string; confirm?: string; allowProd: boolean };

/** The orchestrator's command line: argv in, a command (or HELP) out; a mistake throws UsageError. */
export function parseEnvironmentArgs(argv: readonly string[]): EnvironmentCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      env: { type: "string" },
      confirm: { type: "string" },
      "allow-prod": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  const [name, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
  if (name === undefined) throw new UsageError("give a command: plan, apply, output or destroy");
  if (!["plan", "apply", "output", "destroy"].includes(name)) throw new UsageError(`unknown command ${name}: plan, apply, output or destroy`);
  const env = values.env;
  if (env === undefined || !/^[a-z][a-z0-9]{1,11}$/.test(env)) throw new UsageError(`${name} needs --env <environment name>, such as --env test`);
  if (name !== "destroy") {
    if (values.confirm !== undefined || values["allow-prod"]) throw new UsageError("--confirm and --allow-prod are for destroy only");
    return { kind: name as "plan" | "apply" | "output", env };
  }
  return { kind: "destroy", env, ...(values.confirm !== undefined ? { confirm: values.confirm } : {}), allowProd: values["allow-prod"] };
}
