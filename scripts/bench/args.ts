import { HELP, UsageError, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";

export const USAGE = `Usage: npm run bench [-- --batches 300 --batch-size 100 --json bench-results/latest.json]
  --batches N      warm batches measured (default 300), after 20 warm-up batches
  --batch-size N   records per batch (default 100)
  --json FILE      where the results are written (default bench-results/latest.json)`;

export interface BenchCommand {
  batches: number;
  batchSize: number;
  jsonFile: string;
}

/** The benchmark's command line: argv in, its settings out (or HELP); a mistake throws UsageError. */
export function parseBenchArgs(argv: readonly string[]): BenchCommand | Help {
  const { values, positionals } = parseOptions(argv, {
    allowPositionals: true,
    options: {
      batches: { type: "string", default: "300" },
      "batch-size": { type: "string", default: "100" },
      json: { type: "string", default: "bench-results/latest.json" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return HELP;
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  return { batches: wholeNumber(values.batches, "batches", 1), batchSize: wholeNumber(values["batch-size"], "batch-size", 1), jsonFile: values.json };
}
