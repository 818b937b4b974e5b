import { existsSync, readFileSync } from "node:fs";
import { GetQueryResultsCommand, StartQueryCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import {
  PUBLISHED_MESSAGE,
  QUARANTINED_MESSAGE,
  busLogQuery,
  lambdaHistoryQuery,
  quarantineRecordOfLogLine,
  selectsPublished,
  selectsQuarantined,
  type BusLogRecord,
  type HistoryFilter,
  type HistoryLine,
  type QuarantineRecord,
} from "../lib/call-history.ts";

/** What a history source found for a filter: published deliveries, the buses' log records of them, quarantined records. */
export interface HistoryRecords {
  published: PublishedDelivery[];
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
    if (!existsSync(this.file)) return { published: [], busLogs: [], quarantined: [], notes: [`no history file ${this.file}: run the local pipeline first`] };
    const lines = readFileSync(this.file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as HistoryLine);
    const published: PublishedDelivery[] = [];
    const quarantined: QuarantineRecord[] = [];
    const busLogs: BusLogRecord[] = [];
    for (const line of lines) {
      if (line.source === "bus") busLogs.push(line);
      else if (line.kind === "published" && selectsPublished(line, filter)) published.push(line);
      else if (line.kind === "quarantined" && selectsQuarantined(line, filter)) quarantined.push(line);
    }
    const ids = new Set(published.map((p) => p.busEventId));
    return {
      published: published.slice(0, filter.limit),
      busLogs: busLogs.filter((log) => ids.has(log.event_id)),
      quarantined: quarantined.slice(0, filter.limit),
      notes: [],
    };
  }
}

type Row = Record<string, string>;

/**
 * CloudWatch Logs Insights over the Lambda's log group (published and quarantined lines) and, when given,
 * the callbacks buses' log group (the invocation attempts of those deliveries, by bus event id).
 * StartQuery then GetQueryResults until the status is Complete (CloudWatch Logs API Reference, "StartQuery",
 * "GetQueryResults": https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html;
 * statuses Scheduled, Running, Complete, Failed, Cancelled, Timeout, Unknown).
 */
export class CloudWatchHistorySource implements HistorySource {
  constructor(
    private readonly logs: CloudWatchLogsClient,
    private readonly groups: { lambda: string; bus?: string },
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
    const busLogs: BusLogRecord[] = [];
    if (!this.groups.bus) notes.push("no bus log group in the outputs: attempts and HTTP statuses are not shown");
    else {
      const ids = [...new Set(published.map((p) => p.busEventId))];
      // Until shortly after the window: attempts go on after publishing (up to the retry policy's 24 h).
      const attemptsUntil = { ...filter, until: new Date(filter.until.getTime() + 24 * 3600 * 1000) };
      for (let i = 0; i < ids.length; i += 100) {
        const rows = await this.query(this.groups.bus, busLogQuery(ids.slice(i, i + 100)), attemptsUntil, signal);
        busLogs.push(
          ...rows.map((row): BusLogRecord => ({
            event_id: row.event_id ?? "",
            message_type: row.message_type ?? "",
            message_timestamp_ms: Number(row.message_timestamp_ms ?? Date.parse(`${row["@timestamp"]}Z`)),
            ...(row["error.http_status_code"] || row["error.error_message"]
              ? {
                  error: {
                    ...(row["error.http_status_code"] ? { http_status_code: Number(row["error.http_status_code"]) } : {}),
                    ...(row["error.error_message"] ? { error_message: row["error.error_message"] } : {}),
                  },
                }
              : {}),
          })),
        );
      }
    }
    return { published, busLogs, quarantined, notes };
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
