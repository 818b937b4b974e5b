import { Console } from "node:console";
import type { Writable } from "node:stream";
import { Metrics } from "@aws-lambda-powertools/metrics";
import type { Logger } from "pino";

export { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";

/**
 * A Powertools `Metrics` as both functions set it up: Embedded Metric Format written straight to stdout by
 * Powertools (its own `Console`, not the logger), so `LOG_LEVEL=warn` or `error` cannot remove metrics; dimensions
 * `service` (`serviceName`) and `Environment`. Powertools' own warnings (an invalid metric, say) go to the logger.
 * `output`: where the EMF lines go instead of stdout (a benchmark's or a test's sink); Lambda leaves it unset.
 */
export function powertoolsMetrics(options: { namespace: string; serviceName: string; environment: string; logger: Logger; output?: Writable }): Metrics {
  const warn = (...args: unknown[]) => options.logger.warn({ detail: args.map(String).join(" ") }, "metrics");
  const metrics = new Metrics({
    namespace: options.namespace,
    serviceName: options.serviceName,
    defaultDimensions: { Environment: options.environment },
    logger: { debug: () => {}, info: () => {}, warn, error: warn },
  });
  // Powertools writes with a private Console over process.stdout; only a caller's own sink replaces it.
  if (options.output) (metrics as unknown as { console: Console }).console = new Console({ stdout: options.output, stderr: options.output });
  return metrics;
}
