import { MetricUnit, type Metrics } from "@trust-callbacks/runtime/metrics";
import { CONNECTION_STATES, type ConnectionState } from "./core/model.ts";
import type { SyncReport } from "./core/sync.ts";

/** The `service` dimension of every connection-sync metric (its alarms in modules/connection-sync name it). */
export const METRICS_SERVICE_NAME = "connection-sync";

/**
 * One run's metrics, through the Powertools `Metrics` both functions set up alike (`powertoolsMetrics`: Embedded
 * Metric Format on stdout whatever the log level; dimensions `service` and `Environment`). Each set is published at
 * once, so its own dimension (`State`, `Trigger`) never leaks into the next.
 *
 * - `Connections` by `State`: only a reconcile sees every connection, so only a reconcile reports states, and it
 *   reports every state (0 included) so an alarm on DEAUTHORIZED clears when none is left. One metric per state,
 *   not per connection: 9 metrics at 3 or 3,000 endpoints.
 * - `ConnectionsUpdated`, `ConnectionsUnchanged`, `ConnectionsSkipped`, `ConnectionsFailed` by `Trigger`.
 */
export function publishSyncMetrics(metrics: Metrics, report: SyncReport, trigger: string): void {
  if (report.action === "reconcile") {
    for (const state of CONNECTION_STATES as readonly ConnectionState[]) {
      metrics.addDimension("State", state);
      metrics.addMetric("Connections", MetricUnit.Count, report.states[state] ?? 0);
      metrics.publishStoredMetrics();
    }
  }
  metrics.addDimension("Trigger", trigger);
  metrics.addMetric("ConnectionsUpdated", MetricUnit.Count, report.counts.updated);
  metrics.addMetric("ConnectionsUnchanged", MetricUnit.Count, report.counts.unchanged);
  metrics.addMetric("ConnectionsSkipped", MetricUnit.Count, report.counts.skipped);
  metrics.addMetric("ConnectionsFailed", MetricUnit.Count, report.counts.failed);
  metrics.publishStoredMetrics();
}
