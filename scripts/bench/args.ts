import { HELP, UsageError, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";

export const USAGE = `Usage: npm run bench [-- --batches 300 --batch-size 100 --scenario all --json bench-results/latest.json]
  --batches N      warm batches measured (default 300), after a warm-up that sees every trust
  --scenario S     10x2 (10 trusts x 2 endpoints), 1000x3 (1,000 trusts x 3 endpoints) or all (default)
  --batch-size N   records per batch (default 100)
  --json FILE      where the results are written (default bench-results/latest.json)`;

export interface BenchCommand {
  batches: number;
  batchSize: number;
  scenario: "10x2" | "1000x3" | "all";
  jsonFile: string;
}

/** The benchmark's command line: argv in, its settings out (or HELP); a mistake throws UsageError. */
export function parseBenchArgs(argv: readonly string[]): BenchCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      batches: { type: "string", default: "300" },
      "batch-size": { type: "string", default: "100" },
      scenario: { type: "string", default: "all" },
      json: { type: "string", default: "bench-results/latest.json" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const scenario = values.scenario;
  if (scenario !== "10x2" && scenario !== "1000x3" && scenario !== "all") throw new UsageError(`--scenario must be 10x2, 1000x3 or all, not ${scenario}`);
  return { batches: wholeNumber(values.batches, "batches", 1), batchSize: wholeNumber(values["batch-size"], "batch-size", 1), scenario, jsonFile: values.json };
}
