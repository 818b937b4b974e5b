import type { Writable } from "node:stream";
import { MetricUnit, powertoolsMetrics, type Metrics } from "@trust-callbacks/runtime/metrics";
import type { Logger } from "pino";
import type { BatchCounts } from "./core/stages/report.ts";

export const COUNT_METRICS: (keyof BatchCounts)[] = [
  "received",
  "published",
  "filtered",
  "quarantined",
  "retried",
  "duplicates",
  "deliveriesPublished",
  "deliveriesHeld",
  "decryptFailures",
  "putEventsCalls",
  "holdStoreCalls",
  "unboundEvents",
];

/** The `service` dimension Powertools adds to every metric; the alarms and the dashboard name it too. */
export const METRICS_SERVICE = "transform-filter";

/**
 * The batch counts as CloudWatch metrics, written as Embedded Metric Format straight to stdout by
 * Powertools (its own `Console`, not the logger): `LOG_LEVEL=warn` or `error` cannot remove them, so the
 * quarantine alarm keeps working at any log level. Dimensions: `service` and `Environment`.
 * Powertools' own warnings (an invalid metric, say) go to the logger.
 */
export class BatchMetrics {
  private readonly metrics: Metrics;
  private coldStart = process.env.AWS_LAMBDA_INITIALIZATION_TYPE === "on-demand";

  /** `output`: where the EMF lines go instead of stdout (the benchmark's sink); Lambda leaves it unset. */
  constructor(options: { namespace: string; environment: string; logger: Logger; output?: Writable }) {
    this.metrics = powertoolsMetrics({ ...options, serviceName: METRICS_SERVICE });
  }

  /**
   * One EMF document with every count of the batch, and `ColdStart` = 1 in the first batch of an on-demand
   * container: Powertools' rule (`captureColdStartMetric`), read from `AWS_LAMBDA_INITIALIZATION_TYPE`
   * (`on-demand` or `provisioned-concurrency`: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
   * Counted here, in the batch's own document, so it goes wherever the counts go.
   */
  publishBatch(counts: BatchCounts): void {
    if (this.coldStart) this.metrics.addMetric("ColdStart", MetricUnit.Count, 1);
    this.coldStart = false;
    for (const name of COUNT_METRICS) this.metrics.addMetric(name, MetricUnit.Count, counts[name]);
    this.metrics.publishStoredMetrics();
  }
}
