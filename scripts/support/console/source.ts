import { closeSync, existsSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, ListConnectionsCommand } from "@aws-sdk/client-eventbridge";
import { endpointResourceName } from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import { deliveryStories, type BusLogRecord, type DeliveryStory, type HistoryFilter, type HistoryLine, type SupportRecord } from "../../lib/call-history.ts";
import type { TargetOptions } from "../args.ts";
import { awsHistorySource } from "../commands/history.ts";
import { LocalHistorySource, type HistorySource } from "../history-source.ts";
import { openTarget, readOutputs, type Target } from "../target.ts";
import { historyView, type HistoryView } from "./history-view.ts";
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
  health(now: Date, signal?: AbortSignal): Promise<Health>;
}

export interface Health {
  endpoints: EndpointHealth[];
  /** The deployment's own alarms in ALARM that belong to no one trust (a bus's failed deliveries, the pipe, the Lambda). */
  pipelineAlarms: string[];
  notes: string[];
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

async function activity(source: HistorySource, now: Date, limit: number, signal?: AbortSignal) {
  const filter: HistoryFilter = { since: new Date(now.getTime() - HOURS * 3600_000), until: now, limit };
  return source.find(filter, signal);
}

/**
 * The window's stories for the overview's counts: the history's own join (`deliveryStories`), so a redriven or replayed
 * delivery's new attempts count like its first ones. No DLQ is read for it: dead letters change a story's state, never
 * its attempts, and the counts are attempts only.
 */
function countedStories(records: { published: PublishedDelivery[]; busLogs: BusLogRecord[]; support: SupportRecord[] }): DeliveryStory[] {
  return deliveryStories({ ...records, deadLetters: [], quarantined: [] });
}

/**
 * The local history file for the overview's counts: the pipeline only appends to it, so it is parsed once and then
 * only what was appended since the last read (a file that shrank was replaced: read again from the start). Records
 * older than two days are let go. The trace reads the file through the history view, as `history` does.
 */
export class AppendedHistory {
  private offset = 0;
  private rest = "";
  private published: PublishedDelivery[] = [];
  private busLogs: BusLogRecord[] = [];
  private support: SupportRecord[] = [];

  constructor(private readonly file: string) {}

  read(now: Date): { published: PublishedDelivery[]; busLogs: BusLogRecord[]; support: SupportRecord[] } {
    const size = existsSync(this.file) ? statSync(this.file).size : 0;
    if (size < this.offset) Object.assign(this, { offset: 0, rest: "", published: [], busLogs: [], support: [] });
    if (size > this.offset) {
      const buffer = Buffer.alloc(size - this.offset);
      const fd = openSync(this.file, "r");
      try {
        readSync(fd, buffer, 0, buffer.length, this.offset);
      } finally {
        closeSync(fd);
      }
      this.offset = size;
      const lines = (this.rest + buffer.toString("utf8")).split("\n");
      this.rest = lines.pop() ?? ""; // a line still being written
      for (const text of lines) {
        if (!text) continue;
        let line: HistoryLine;
        try {
          line = JSON.parse(text) as HistoryLine;
        } catch {
          continue;
        }
        if (line.source === "bus") this.busLogs.push(line);
        else if (line.source === "support") this.support.push(line);
        else if (line.kind === "published") this.published.push(line);
      }
    }
    const keepFrom = now.getTime() - 2 * HOURS * 3600_000;
    this.published = this.published.filter((p) => Date.parse(p.publishedAt) >= keepFrom);
    this.busLogs = this.busLogs.filter((l) => l.message_timestamp_ms >= keepFrom);
    this.support = this.support.filter((s) => Date.parse(s.at) >= keepFrom);
    const since = now.getTime() - HOURS * 3600_000;
    return { published: this.published.filter((p) => Date.parse(p.publishedAt) >= since), busLogs: this.busLogs, support: this.support };
  }
}

export function localSource(options: TargetOptions & { kind: "local" }, auditFile: string): ConsoleSource {
  const target = openTarget(options);
  const historyFile = join(dirname(options.root), "history.jsonl");
  const history = new LocalHistorySource(historyFile);
  const appended = new AppendedHistory(historyFile);
  return {
    kind: "local",
    targetOptions: options,
    target,
    auditFile,
    streamFile: join(dirname(options.root), "stream.jsonl"),
    history: historyView({ source: history, target }),
    async health(now) {
      const records = appended.read(now);
      const endpoints = endpointHealth({
        trusts: target.trusts,
        dlqs: await dlqStats(target, 16),
        // The local pipeline keeps its connections in memory while it runs: their states are not known here.
        connections: new Map(),
        alarms: new Map(),
        stories: countedStories(records),
        now,
      });
      const missing = existsSync(historyFile) ? [] : [`no history file ${historyFile}: run the local pipeline first (make local)`];
      return { endpoints, pipelineAlarms: [], notes: [...missing, "local pipeline: no CloudWatch alarms, and connection states are not recorded"] };
    },
  };
}

const LOGS_INSIGHTS_ROWS = 10_000;

export interface AwsClients {
  eventBridge: EventBridgeClient;
  cloudWatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
}

/**
 * An environment: its `terraform output -json` and trust files, with the operator's own AWS credentials.
 * Connection states: ListConnections pages (`ConnectionState` of each; Limit at most 100 a page; NamePrefix at most 64
 * characters), by the name prefix the environment's endpoints share: ~30 calls for 3,000 connections, not one
 * DescribeConnection each (EventBridge API Reference, ListConnections:
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ListConnections.html).
 * Alarms in ALARM: DescribeAlarms with StateValue ALARM, MaxRecords 100 (its maximum), paged by NextToken; without
 * AlarmTypes it returns metric alarms only, which every alarm of this deployment is (CloudWatch API Reference,
 * DescribeAlarms: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAlarms.html),
 * matched to trusts by the alarm names the outputs list.
 */
export function awsSource(options: TargetOptions & { kind: "aws" }, auditFile: string, clients: AwsClients = defaultClients()): ConsoleSource {
  const target = openTarget(options);
  const outputs = readOutputs(options.outputsFile);
  const pipeline = outputs.pipeline?.value;
  if (!pipeline?.lambda_function_name) throw new UsageError("the outputs name no Lambda (pipeline.lambda_function_name): take them from `make output ENV=<env>` of this version");
  // The `history` command's own reader: the Lambda's, the support audit and the buses' log groups the outputs name.
  const source = awsHistorySource(outputs, clients.logs);
  const trustOutputs = outputs.trusts.value as Record<string, { alarm_names?: string[] }>;
  const trustOfAlarm = new Map(Object.entries(trustOutputs).flatMap(([trustId, t]) => (t.alarm_names ?? []).map((name) => [name, trustId] as const)));
  const namePrefix = pipeline.name_prefix ?? /^(.+)-transform-filter$/.exec(pipeline.lambda_function_name)?.[1] ?? "trust-callbacks";
  return {
    kind: "aws",
    targetOptions: options,
    target,
    auditFile,
    streamFile: "",
    history: historyView({ source, target }),
    async health(now, signal) {
      const [records, dlqs, connections, alarms] = await Promise.all([
        // Today's history source asks Logs Insights for at most 10,000 log events a query (the query's default; `limit`
        // may go to 100,000: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html);
        // past that the page says the charts are partial.
        activity(source, now, LOGS_INSIGHTS_ROWS, signal),
        dlqStats(target, 8),
        connectionStates(clients.eventBridge, namePrefix),
        alarmsInAlarm(clients.cloudWatch, trustOfAlarm, `${namePrefix}-`),
      ]);
      const byEndpoint = new Map<string, ConnectionState>();
      for (const trust of target.trusts) {
        for (const endpoint of trust.endpoints) {
          const state = connections.get(endpointResourceName(namePrefix, trust.trustId, endpoint.id));
          if (state) byEndpoint.set(`${trust.trustId}/${endpoint.id}`, state);
        }
      }
      const notes = [...records.notes];
      if (records.published.length >= LOGS_INSIGHTS_ROWS) notes.push(`the charts count the first ${LOGS_INSIGHTS_ROWS} deliveries of the 24 h only (one Logs Insights query)`);
      return {
        endpoints: endpointHealth({ trusts: target.trusts, dlqs, connections: byEndpoint, alarms: alarms.byTrust, stories: countedStories(records), now }),
        pipelineAlarms: alarms.pipeline,
        notes,
      };
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

/** Alarm names in ALARM: by the trust the outputs say each belongs to, and the deployment's others (by name prefix). */
export async function alarmsInAlarm(client: CloudWatchClient, trustOfAlarm: Map<string, string>, deploymentPrefix: string): Promise<{ byTrust: Map<string, string[]>; pipeline: string[] }> {
  const byTrust = new Map<string, string[]>();
  const pipeline: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new DescribeAlarmsCommand({ StateValue: "ALARM", MaxRecords: 100, ...(NextToken ? { NextToken } : {}) }));
    for (const alarm of page.MetricAlarms ?? []) {
      const name = alarm.AlarmName ?? "";
      const trustId = trustOfAlarm.get(name);
      if (trustId) byTrust.set(trustId, [...(byTrust.get(trustId) ?? []), name]);
      else if (name.startsWith(deploymentPrefix)) pipeline.push(name);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return { byTrust, pipeline };
}
