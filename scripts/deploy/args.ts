import { HELP, UsageError, parseOptions, type Help } from "../lib/command-line.ts";

export const USAGE = `Usage: npx tsx scripts/deploy/cli.ts <command>   (the make targets of the deploy workflows run it)
  account --env ENV
      environments/ENV/account.json as name=value lines for $GITHUB_OUTPUT: account_id, region,
      github_environment, plan_role_arn, deploy_role_arn (make deploy-account ENV=...)
  plan-summary --title TEXT [--append-to FILE] [--fail-on-changes] NAME=FILE...
      each FILE the \`terraform show -json\` of one stack's or part's saved plan, NAME its name, in apply order;
      prints a Markdown summary (adds / changes / destroys, each destroy and replace named, never a value),
      also appended to FILE (a job summary) when given; with --fail-on-changes exits 1 when any plan changes
      anything or found drift (make plan-summary, make drift)
  lint-workflows [--dir DIR]
      actionlint over every workflow in DIR (.github/workflows), and this project's rules: actions pinned by
      commit SHA, least-privilege permissions, make targets that exist, no terraform in YAML`;

export type DeployCommand =
  | { kind: "account"; env: string }
  | { kind: "plan-summary"; title: string; appendTo?: string; failOnChanges: boolean; plans: { name: string; file: string }[] }
  | { kind: "lint-workflows"; dir: string };

/** The deploy helper's command line: argv in, a command (or HELP) out; a mistake throws UsageError. */
export function parseDeployArgs(argv: readonly string[]): DeployCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      env: { type: "string" },
      title: { type: "string" },
      "append-to": { type: "string" },
      "fail-on-changes": { type: "boolean", default: false },
      dir: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  const [name, ...rest] = positionals;
  const only = (...allowed: string[]) => {
    const given = ["env", "title", "append-to", "dir"].filter((option) => values[option as keyof typeof values] !== undefined);
    if (values["fail-on-changes"]) given.push("fail-on-changes");
    const extra = given.find((option) => !allowed.includes(option));
    if (extra) throw new UsageError(`${name} does not take --${extra}`);
  };
  switch (name) {
    case "account": {
      only("env");
      if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
      const env = values.env;
      if (env === undefined || !/^[a-z][a-z0-9]{1,11}$/.test(env)) throw new UsageError("account needs --env, an environment name such as prod");
      return { kind: "account", env };
    }
    case "plan-summary": {
      only("title", "append-to", "fail-on-changes");
      const title = values.title?.trim();
      if (!title) throw new UsageError("plan-summary needs --title");
      const plans = rest.map((pair) => {
        const match = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(pair);
        if (!match) throw new UsageError(`${pair} is not NAME=FILE (a stack or part name and its terraform show -json file)`);
        return { name: match[1]!, file: match[2]! };
      });
      if (plans.length === 0) throw new UsageError("plan-summary needs at least one NAME=FILE");
      const names = plans.map((plan) => plan.name);
      const twice = names.find((planName, index) => names.indexOf(planName) !== index);
      if (twice) throw new UsageError(`${twice} is given twice`);
      const appendTo = values["append-to"];
      return { kind: "plan-summary", title, ...(appendTo ? { appendTo } : {}), failOnChanges: values["fail-on-changes"] ?? false, plans };
    }
    case "lint-workflows":
      only("dir");
      if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
      return { kind: "lint-workflows", dir: values.dir ?? ".github/workflows" };
    case undefined:
      throw new UsageError("give a command: account, plan-summary or lint-workflows");
    default:
      throw new UsageError(`unknown command ${name}: account, plan-summary or lint-workflows`);
  }
}
