import { CONNECTION_STATES, type ConnectionState } from "./core/model.ts";
import type { SyncReport } from "./core/sync.ts";

/**
 * CloudWatch Embedded Metric Format documents for one run (CloudWatch User Guide, "Specification: Embedded metric
 * format", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html).
 * They are written to stdout by the handler whatever the log level, so metrics never depend on it.
 *
 * - `Connections` by `State`: only a reconcile sees every connection, so only a reconcile reports states, and it
 *   reports every state (0 included) so an alarm on DEAUTHORIZED clears when none is left. One metric per state,
 *   not per connection: 9 metrics at 3 or 3,000 endpoints.
 * - `ConnectionsUpdated`, `ConnectionsUnchanged`, `ConnectionsSkipped`, `ConnectionsFailed` by `Trigger`.
 */
export function syncMetricsDocuments(namespace: string, environment: string, report: SyncReport, trigger: string, at: Date): object[] {
  const documents: object[] = [];
  const directive = (dimensions: string[], metrics: string[]) => ({
    Timestamp: at.getTime(),
    CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dimensions], Metrics: metrics.map((name) => ({ Name: name, Unit: "Count" })) }],
  });
  if (report.action === "reconcile") {
    for (const state of CONNECTION_STATES as readonly ConnectionState[]) {
      documents.push({ _aws: directive(["Environment", "State"], ["Connections"]), Environment: environment, State: state, Connections: report.states[state] ?? 0 });
    }
  }
  documents.push({
    _aws: directive(["Environment", "Trigger"], ["ConnectionsUpdated", "ConnectionsUnchanged", "ConnectionsSkipped", "ConnectionsFailed"]),
    Environment: environment,
    Trigger: trigger,
    ConnectionsUpdated: report.counts.updated,
    ConnectionsUnchanged: report.counts.unchanged,
    ConnectionsSkipped: report.counts.skipped,
    ConnectionsFailed: report.counts.failed,
  });
  return documents;
}
