import { dirname, join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, ListConnectionsCommand } from "@aws-sdk/client-eventbridge";
import { endpointResourceName } from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import type { HistoryFilter } from "../../lib/call-history.ts";
import type { TargetOptions } from "../args.ts";
import { CloudWatchHistorySource, LocalHistorySource, type HistorySource } from "../history-source.ts";
import { openTarget, readOutputs, type Target } from "../target.ts";
import { historyView, localBusLogs, type HistoryView } from "./history-view.ts";
import { HOURS, endpointHealth, type ConnectionState, type DlqStats, type EndpointHealth } from "./model.ts";

/**
 * Where the console reads and acts: the same target as the support CLI (`openTarget`: trust files, DLQs, where a
 * redrive publishes), its call history, and what only the console shows (connection states, alarms in ALARM).
 */
export interface ConsoleSource {
  kind: "local" | "aws";
  targetOptions: TargetOptions;
  target: Target;
  history: HistoryView;
  /** The support tools' audit file (the CLI's default: redrive-audit.ndjson). */
  auditFile: string;
  /** The local pipeline's stream file (replay reads it); unused in AWS. */
  streamFile: string;
  health(now: Date, signal?: AbortSignal): Promise<{ endpoints: EndpointHealth[]; notes: string[] }>;
}

/** DLQ stats of every trust, a few queues at a time (SQS: one GetQueueAttributes and one peek each). */
async function dlqStats(target: Target, concurrency: number): Promise<Map<string, DlqStats>> {
  const queues = [...target.queues.values()];
  const stats = new Map<string, DlqStats>();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queues.length) }, async () => {
      while (next < queues.length) {
        const queue = queues[next++]!;
        stats.set(queue.trustId, await queue.stats());
      }
    }),
  );
  return stats;
}

async function activity(source: HistorySource, now: Date, signal?: AbortSignal) {
  const filter: HistoryFilter = { since: new Date(now.getTime() - HOURS * 3600_000), until: now, limit: 10_000 };
  return source.find(filter, signal);
}

export function localSource(options: TargetOptions & { kind: "local" }, auditFile: string): ConsoleSource {
  const target = openTarget(options);
  const historyFile = join(dirname(options.root), "history.jsonl");
  const history = new LocalHistorySource(historyFile);
  return {
    kind: "local",
    targetOptions: options,
    target,
    auditFile,
    streamFile: join(dirname(options.root), "stream.jsonl"),
    history: historyView({ source: history, target, auditFile, busLogsOf: localBusLogs(historyFile) }),
    async health(now, signal) {
      const records = await activity(history, now, signal);
      const endpoints = endpointHealth({
        trusts: target.trusts,
        dlqs: await dlqStats(target, 16),
        // The local pipeline keeps its connections in memory while it runs: their states are not known here.
        connections: new Map(),
        alarms: new Map(),
        published: records.published,
        busLogs: records.busLogs,
        now,
      });
      return { endpoints, notes: [...records.notes, "local pipeline: no CloudWatch alarms, and connection states are not recorded"] };
    },
  };
}

export interface AwsClients {
  eventBridge: EventBridgeClient;
  cloudWatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
}

/**
 * An environment: its `terraform output -json` and trust files, with the operator's own AWS credentials.
 * Connection states: ListConnections pages (`ConnectionState` of each; up to 100 a page), by the name prefix the
 * environment's endpoints share (EventBridge API Reference, ListConnections:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListConnections.html).
 * Alarms in ALARM: DescribeAlarms with StateValue ALARM, paged by NextToken (CloudWatch API Reference,
 * DescribeAlarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html),
 * matched to trusts by the alarm names the outputs list.
 */
export function awsSource(options: TargetOptions & { kind: "aws" }, auditFile: string, clients: AwsClients = defaultClients()): ConsoleSource {
  const target = openTarget(options);
  const outputs = readOutputs(options.outputsFile);
  const pipeline = outputs.pipeline?.value;
  if (!pipeline?.lambda_function_name) throw new UsageError("the outputs name no Lambda (pipeline.lambda_function_name): take them from `make output ENV=<env>` of this version");
  const source = new CloudWatchHistorySource(clients.logs, {
    lambda: `/aws/lambda/${pipeline.lambda_function_name}`,
    ...(pipeline.bus_log_group_name ? { bus: pipeline.bus_log_group_name } : {}),
  });
  const trustOutputs = outputs.trusts.value as Record<string, { alarm_names?: string[] }>;
  const trustOfAlarm = new Map(Object.entries(trustOutputs).flatMap(([trustId, t]) => (t.alarm_names ?? []).map((name) => [name, trustId] as const)));
  const namePrefix = /^(.+)-transform-filter$/.exec(pipeline.lambda_function_name)?.[1] ?? "trust-callbacks";
  return {
    kind: "aws",
    targetOptions: options,
    target,
    auditFile,
    streamFile: "",
    history: historyView({
      source,
      target,
      auditFile,
      // Redriven deliveries' attempts: the same bus-log query, by their bus event ids.
      busLogsOf: async (ids, filter, signal) =>
        (await source.find({ ...filter, cloudEventId: undefined, sourceEventId: undefined }, signal)).busLogs.filter((log) => ids.includes(log.event_id)),
    }),
    async health(now, signal) {
      const [records, dlqs, connections, alarms] = await Promise.all([
        activity(source, now, signal),
        dlqStats(target, 8),
        connectionStates(clients.eventBridge, namePrefix),
        alarmsInAlarm(clients.cloudWatch, trustOfAlarm),
      ]);
      const byEndpoint = new Map<string, ConnectionState>();
      for (const trust of target.trusts) {
        for (const endpoint of trust.endpoints) {
          const state = connections.get(endpointResourceName(namePrefix, trust.trustId, endpoint.id));
          if (state) byEndpoint.set(`${trust.trustId}/${endpoint.id}`, state);
        }
      }
      return { endpoints: endpointHealth({ trusts: target.trusts, dlqs, connections: byEndpoint, alarms, published: records.published, busLogs: records.busLogs, now }), notes: records.notes };
    },
  };
}

function defaultClients(): AwsClients {
  return { eventBridge: new EventBridgeClient({}), cloudWatch: new CloudWatchClient({}), logs: new CloudWatchLogsClient({}) };
}

/** Connection name → state, for every connection whose name starts with the prefix. */
export async function connectionStates(client: EventBridgeClient, namePrefix: string): Promise<Map<string, ConnectionState>> {
  const states = new Map<string, ConnectionState>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListConnectionsCommand({ NamePrefix: `${namePrefix}-`, Limit: 100, ...(NextToken ? { NextToken } : {}) }));
    for (const c of page.Connections ?? []) if (c.Name) states.set(c.Name, (c.ConnectionState ?? "unknown") as ConnectionState);
    NextToken = page.NextToken;
  } while (NextToken);
  return states;
}

/** Alarm names in ALARM, by the trust the outputs say each belongs to. */
export async function alarmsInAlarm(client: CloudWatchClient, trustOfAlarm: Map<string, string>): Promise<Map<string, string[]>> {
  const byTrust = new Map<string, string[]>();
  let NextToken: string | undefined;
  do {
    const page = await client.send(new DescribeAlarmsCommand({ StateValue: "ALARM", MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
    for (const alarm of page.MetricAlarms ?? []) {
      const trustId = alarm.AlarmName ? trustOfAlarm.get(alarm.AlarmName) : undefined;
      if (trustId) byTrust.set(trustId, [...(byTrust.get(trustId) ?? []), alarm.AlarmName!]);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return byTrust;
}
