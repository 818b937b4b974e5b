import { HELP, UsageError, parseOptions, type Help } from "../../lib/command-line.ts";

export const USAGE = `Usage: npm run tf-scale [-- --trusts 10,100,300,1000 --max-ratio 2 --log FILE --json]
  Generates N trust files (1-3 endpoints each, every auth kind) into a temporary directory and plans both stacks
  over them as prod is split (the pipeline stack, the trusts stack once per bus at ~84 trusts per bus), with mocked
  AWS (terraform test, stacks/*/tests/scale.tftest.hcl), two plans at a time; prints per N: buses, resources, the
  largest part, seconds, the fixed cost of a part, ms per trust resource beyond it, peak MB and the ratio of
  ms per resource to the smallest N.
  --trusts N,N,...   trust counts to plan, each 1-5000 (default 10,100,300)
  --max-ratio R      exit 1 when ms per resource at any count is more than R times that at the smallest
  --log FILE         append terraform test's output and the ratio check's result (make tf-scale: .build/tf-test.log)
  --json             print the results as JSON instead of a table`;

/** The most trusts one run generates (the generator names up to 47,952 with distinct ODS codes). */
export const MAX_TRUSTS = 5000;

export interface ScalePlanCommand {
  /** Ascending, distinct. */
  trusts: number[];
  maxRatio?: number;
  logFile?: string;
  json: boolean;
}

/** The scale plan's command line: argv in, its settings out (or HELP); a mistake throws UsageError. */
export function parseScalePlanArgs(argv: readonly string[]): ScalePlanCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      trusts: { type: "string", default: "10,100,300" },
      "max-ratio": { type: "string" },
      log: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const command: ScalePlanCommand = { trusts: trustCounts(values.trusts), json: values.json };
  if (values["max-ratio"] !== undefined) command.maxRatio = ratio(values["max-ratio"]);
  if (values.log !== undefined) {
    if (values.log.trim() === "") throw new UsageError("--log needs a file name");
    command.logFile = values.log;
  }
  return command;
}

function trustCounts(text: string): number[] {
  const counts = text.split(",").map((part) => {
    const count = Number(part);
    if (part.trim() === "" || !Number.isInteger(count) || count < 1 || count > MAX_TRUSTS) {
      throw new UsageError(`--trusts must be a comma-separated list of whole numbers from 1 to ${MAX_TRUSTS}, e.g. 10,100,1000`);
    }
    return count;
  });
  if (new Set(counts).size !== counts.length) throw new UsageError("--trusts must not repeat a count");
  return counts.sort((a, b) => a - b);
}

function ratio(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 1) throw new UsageError("--max-ratio must be a number >= 1, e.g. 2");
  return value;
}
