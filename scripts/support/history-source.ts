import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { GetQueryResultsCommand, StartQueryCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import {
  PUBLISHED_MESSAGE,
  QUARANTINED_MESSAGE,
  busLogQuery,
  historyFileWriter,
  lambdaHistoryQuery,
  quarantineRecordOfLogLine,
  selectsPublished,
  selectsQuarantined,
  supportHistoryQuery,
  supportRecordOfAuditLine,
  type BusLogRecord,
  type HistoryFilter,
  type HistoryLine,
  type QuarantineRecord,
  type SupportRecord,
} from "../lib/call-history.ts";
import type { TargetOptions } from "./args.ts";
import { holdActionsQuery } from "./holds.ts";
import type { AuditLine } from "./redrive.ts";

const DAY_MS = 24 * 3600 * 1000;
/** How long after the window support actions are looked for: a dead letter is kept at most 14 days (SQS maximum retention). */
const SUPPORT_AFTER_MS = 14 * DAY_MS;
/** And attempts: a re-published event is retried up to the retry policy's maximum event age, 24 h at most. */
const ATTEMPTS_AFTER_MS = SUPPORT_AFTER_MS + DAY_MS;

/**
 * What a history source found for a filter: published deliveries, the redrives, replays and purges of them, the
 * buses' log records of every bus event that carried them, quarantined records.
 */
export interface HistoryRecords {
  published: PublishedDelivery[];
  support: SupportRecord[];
  busLogs: BusLogRecord[];
  quarantined: QuarantineRecord[];
  /** Something the reader could not do (e.g. no bus log group): said, not hidden. */
  notes: string[];
}

export interface HistorySource {
  find(filter: HistoryFilter, signal?: AbortSignal): Promise<HistoryRecords>;
}

/** The local pipeline's history file (`.local/history.jsonl`): the same records as the log groups. */
export class LocalHistorySource implements HistorySource {
  constructor(private readonly file: string) {}

  async find(filter: HistoryFilter): Promise<HistoryRecords> {
    if (!existsSync(this.file)) return { published: [], support: [], busLogs: [], quarantined: [], notes: [`no history file ${this.file}: run the local pipeline first`] };
    const lines = readFileSync(this.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HistoryLine);
    const published: PublishedDelivery[] = [];
    const quarantined: QuarantineRecord[] = [];
    const busLogs: BusLogRecord[] = [];
    const support: SupportRecord[] = [];
    for (const line of lines) {
      if (line.source === "bus") busLogs.push(line);
      else if (line.source === "support") support.push(line);
      else if (line.kind === "published" && selectsPublished(line, filter)) published.push(line);
      else if (line.kind === "quarantined" && selectsQuarantined(line, filter)) quarantined.push(line);
    }
    const selected = published.slice(0, filter.limit);
    // The same selection as the AWS reader: support actions on the selected deliveries, then every bus event's steps.
    const cloudEventIds = new Set([...selected.map((p) => p.cloudEventId), ...(filter.cloudEventId ? [filter.cloudEventId] : [])]);
    const supportUntil = filter.until.getTime() + SUPPORT_AFTER_MS;
    const actions = support.filter((s) => cloudEventIds.has(s.cloudEventId) && Date.parse(s.at) >= filter.since.getTime() && Date.parse(s.at) <= supportUntil);
    const busEventIds = new Set([...selected.map((p) => p.busEventId), ...actions.flatMap((s) => (s.busEventId ? [s.busEventId] : []))]);
    return {
      published: selected,
      support: actions,
      busLogs: busLogs.filter((log) => busEventIds.has(log.event_id)),
      quarantined: quarantined.slice(0, filter.limit),
      notes: [],
    };
  }
}

type Row = Record<string, string>;

/**
 * CloudWatch Logs Insights over the Lambda's log group (published and quarantined lines), then, when given, the
 * support audit log group (redrives, replays and purges of those deliveries, by CloudEvent id: the support CLI's
 * audit lines, docs/guarantees.md 8.21) and the callbacks buses' log group (the steps of every bus event that carried
 * them: the first publication's and each redrive's or replay's). The bus-log reader uses only the record's top-level
 * fields and `error` (EventBridge User Guide, "Amazon EventBridge event bus log schema":
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-logs-schema.html), so it needs the buses to log
 * at INFO (or TRACE) and works with IncludeDetail NONE (the LogConfig API: NONE "does not include any details":
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_LogConfig.html). Logs Insights flattens JSON log
 * events at ingestion and names a nested field with dots, `error.http_status_code` (CloudWatch Logs User Guide,
 * "Supported logs and discovered fields": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html,
 * and "parse": https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html).
 * StartQuery then GetQueryResults until the status is Complete (CloudWatch Logs API Reference, "StartQuery",
 * "GetQueryResults": https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html;
 * statuses Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown).
 */
export class CloudWatchHistorySource implements HistorySource {
  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly groups: { lambda: string; support?: string; bus?: string },
    private readonly options: { pollMs?: number; sleep?: (ms: number) => Promise<void> } = {},
  ) {}

  async find(filter: HistoryFilter, signal?: AbortSignal): Promise<HistoryRecords> {
    const rows = await this.query(this.groups.lambda, lambdaHistoryQuery(filter), filter, signal);
    const published: PublishedDelivery[] = [];
    const quarantined: QuarantineRecord[] = [];
    for (const row of rows) {
      const line = JSON.parse(row["@message"] ?? "{}") as Record<string, unknown>;
      if (line.message === PUBLISHED_MESSAGE) published.push(line as unknown as PublishedDelivery);
      else if (line.message === QUARANTINED_MESSAGE) {
        const record = quarantineRecordOfLogLine(line);
        if (selectsQuarantined(record, { ...filter, since: new Date(0), until: new Date(8.64e15) })) quarantined.push(record);
      }
    }
    const notes: string[] = [];
    const support: SupportRecord[] = [];
    const cloudEventIds = [...new Set([...published.map((p) => p.cloudEventId), ...(filter.cloudEventId ? [filter.cloudEventId] : [])])];
    if (!this.groups.support) notes.push("no support audit log group in the outputs: redrives, replays and purges are not shown");
    else {
      const supportWindow = { ...filter, until: new Date(filter.until.getTime() + SUPPORT_AFTER_MS) };
      for (let i = 0; i < cloudEventIds.length; i += 100) {
        const rows = await this.query(this.groups.support, supportHistoryQuery(cloudEventIds.slice(i, i + 100)), { ...supportWindow, limit: 10000 }, signal);
        for (const row of rows) {
          const record = supportRecordOfAuditLine(JSON.parse(row["@message"] ?? "{}") as Record<string, unknown>);
          if (record) support.push(record);
        }
      }
    }
    const busLogs: BusLogRecord[] = [];
    if (!this.groups.bus) notes.push("no bus log group in the outputs: attempts and HTTP statuses are not shown");
    else {
      const ids = [...new Set([...published.map((p) => p.busEventId), ...support.flatMap((s) => (s.busEventId ? [s.busEventId] : []))])];
      const attemptsUntil = { ...filter, until: new Date(filter.until.getTime() + ATTEMPTS_AFTER_MS), limit: 10000 };
      for (let i = 0; i < ids.length; i += 100) {
        const rows = await this.query(this.groups.bus, busLogQuery(ids.slice(i, i + 100)), attemptsUntil, signal);
        busLogs.push(...rows.map(busLogRecordOfRow));
      }
    }
    return { published, support, busLogs, quarantined, notes };
  }

  /**
   * A trust's hold and resume audit lines in the window (docs/guarantees.md 10.24): the support audit log group, where
   * `hold` and `resume` write them (`openAuditTrail`); none, with a note, when the outputs name no such group.
   */
  async holdActions(trustId: string, endpointId: string | undefined, window: HistoryFilter, signal?: AbortSignal): Promise<{ lines: Record<string, unknown>[]; notes: string[] }> {
    if (!this.groups.support) return { lines: [], notes: ["no support audit log group in the outputs: holds and resumes are not shown"] };
    const rows = await this.query(this.groups.support, holdActionsQuery(trustId, endpointId), { ...window, limit: 10000 }, signal);
    return { lines: rows.map((row) => JSON.parse(row["@message"] ?? "{}") as Record<string, unknown>), notes: [] };
  }

  private async query(logGroupName: string, queryString: string, window: HistoryFilter, signal?: AbortSignal): Promise<Row[]> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
    const { queryId } = await this.logs.send(
      new StartQueryCommand({
        logGroupName,
        queryString,
        // Seconds since the epoch.
        startTime: Math.floor(window.since.getTime() / 1000),
        endTime: Math.ceil(window.until.getTime() / 1000),
        limit: Math.min(window.limit, 10000),
      }),
    );
    for (;;) {
      if (signal?.aborted) throw new Error("stopped");
      const answer = await this.logs.send(new GetQueryResultsCommand({ queryId }));
      if (answer.status === "Complete") {
        return (answer.results ?? []).map((fields) => Object.fromEntries(fields.map((f) => [f.field ?? "", f.value ?? ""])));
      }
      if (answer.status !== "Running" && answer.status !== "Scheduled") throw new Error(`Logs Insights query on ${logGroupName} ended ${answer.status}`);
      await sleep(this.options.pollMs ?? 1000);
    }
  }
}

/** A Logs Insights row of the bus-log query as the record it came from (numbers come back as strings). */
function busLogRecordOfRow(row: Row): BusLogRecord {
  const status = row["error.http_status_code"];
  const message = row["error.error_message"];
  return {
    event_id: row.event_id ?? "",
    message_type: row.message_type ?? "",
    message_timestamp_ms: Number(row.message_timestamp_ms ?? Date.parse(`${row["@timestamp"]}Z`)),
    ...(status || message ? { error: { ...(status ? { http_status_code: Number(status) } : {}), ...(message ? { error_message: message } : {}) } } : {}),
  };
}

/**
 * Where the support commands write the history records of what they did (docs/guarantees.md 8.21): each audit line
 * that redrove, replayed or purged a delivery. On AWS they are the audit lines in the support audit log group, not in
 * the Lambda's log group: the records are the support staff's own (their role may write there, never in the Lambda's
 * group, so a "delivery published" line is only ever the Lambda's), and the group keeps them as long as the audit needs.
 */
export interface SupportHistorySink {
  /** Keeps the line when it is a support record; ignores every other audit line. */
  record(line: AuditLine): void;
  /** Writes what was kept; throws, saying how many and where, when it cannot. */
  flush(): Promise<void>;
}

/** The local pipeline's history file: the support records go beside the published lines and the bus's steps. */
export class LocalSupportHistory implements SupportHistorySink {
  private readonly write: (line: HistoryLine) => void;
  constructor(file: string) {
    this.write = historyFileWriter(file);
  }
  record(line: AuditLine): void {
    const record = supportRecordOfAuditLine({ ...line });
    if (record) this.write({ source: "support", ...record });
  }
  async flush(): Promise<void> {}
}

/**
 * The sink for a command's target: locally the history file beside the DLQs (`.local/history.jsonl`). On AWS nothing
 * more is written: the command's audit trail (`openAuditTrail`, audit.ts) already puts every audit line into the
 * support audit log group, and `history` reads the support records from those very lines (`supportRecordOfAuditLine`),
 * so one writer serves both the audit and the history.
 */
export function supportHistoryFor(target: TargetOptions): SupportHistorySink {
  if (target.kind === "local") return new LocalSupportHistory(join(dirname(target.root), "history.jsonl"));
  return { record: () => {}, flush: async () => {} };
}
