import type { BatchCounts } from "./core/stages/report.ts";

const COUNT_METRICS: (keyof BatchCounts)[] = [
  "received",
  "published",
  "filtered",
  "quarantined",
  "retried",
  "duplicates",
  "deliveriesPublished",
  "decryptFailures",
  "putEventsCalls",
  "unboundEvents",
];

/**
 * A CloudWatch Embedded Metric Format document for one batch: logged as one JSON line, CloudWatch
 * turns each count into a metric in `namespace`, dimensioned by environment.
 */
export function batchMetricsDocument(namespace: string, environment: string, counts: BatchCounts, at: Date) {
  return {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [["Environment"]],
          Metrics: COUNT_METRICS.map((name) => ({ Name: name, Unit: "Count" })),
        },
      ],
    },
    Environment: environment,
    ...Object.fromEntries(COUNT_METRICS.map((name) => [name, counts[name]])),
  };
}
