import { CloudWatchLogsClient, CreateLogStreamCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { deliveryStories, supportRecordOfAuditLine } from "../lib/call-history.ts";
import { CloudWatchHistorySource, CloudWatchSupportHistory } from "./history-source.ts";
import type { AuditLine } from "./redrive.ts";

const filter = { trustId: "RX1", since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), limit: 50 };
const row = (fields: Record<string, string>) => Object.entries(fields).map(([field, value]) => ({ field, value }));

describe("CloudWatchHistorySource", () => {
  it("queries the Lambda's log group for the window, then the buses' log group for those deliveries' attempts", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(StartQueryCommand, { logGroupName: "/aws/lambda/fn" }).resolves({ queryId: "q1" });
    logs.on(StartQueryCommand, { logGroupName: "/aws/vendedlogs/events/bus" }).resolves({ queryId: "q2" });
    const publishedLine = { message: "delivery published", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", sourceEventId: "s-1", eventCorrelationId: "c-1", eventType: "t", busEventId: "bus-1", publishedAt: "2026-11-21T10:30:00.000Z" };
    const quarantineLine = { message: "record quarantined", trustId: "RX1", eventId: "s-2", eventID: "shard:2", reason: "unknown trust", deliveries: [], time: "2026-11-21T10:40:00.000Z" };
    logs
      .on(GetQueryResultsCommand, { queryId: "q1" })
      .resolvesOnce({ status: "Running" })
      .resolves({ status: "Complete", results: [row({ "@message": JSON.stringify(publishedLine) }), row({ "@message": JSON.stringify(quarantineLine) })] });
    logs.on(GetQueryResultsCommand, { queryId: "q2" }).resolves({
      status: "Complete",
      results: [row({ event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: "1795257000000", "error.http_status_code": "503" })],
    });
    const source = new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn", bus: "/aws/vendedlogs/events/bus" }, { sleep: async () => {} });

    const found = await source.find(filter);

    const first = logs.commandCalls(StartQueryCommand)[0]!.args[0].input;
    expect(first).toMatchObject({ logGroupName: "/aws/lambda/fn", startTime: 1795255200, endTime: 1795258800, limit: 50 });
    expect(first.queryString).toContain('filter trustId = "RX1"');
    expect(logs.commandCalls(StartQueryCommand)[1]!.args[0].input.queryString).toContain('filter event_id in ["bus-1"]');
    expect(found.published).toEqual([publishedLine]);
    expect(found.quarantined).toEqual([{ trustId: "RX1", sourceEventId: "s-2", recordId: "shard:2", reason: "unknown trust", at: "2026-11-21T10:40:00.000Z", deliveries: [] }]);
    expect(found.busLogs).toEqual([{ event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: 1795257000000, error: { http_status_code: 503 } }]);
  });

  it("says so when a query fails, and notes a missing bus log group instead of hiding it", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(StartQueryCommand).resolves({ queryId: "q" });
    logs.on(GetQueryResultsCommand).resolves({ status: "Complete", results: [] });
    const noBus = await new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn" }).find(filter);
    expect(noBus.notes).toEqual([
      "no support audit log group in the outputs: redrives, replays and purges are not shown",
      "no bus log group in the outputs: attempts and HTTP statuses are not shown",
    ]);
    logs.on(GetQueryResultsCommand).resolves({ status: "Failed" });
    await expect(new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn" }).find(filter)).rejects.toThrow(
      "Logs Insights query on /aws/lambda/fn ended Failed",
    );
  });

  it("finds a redrive in the support audit log group and the new bus event's attempts, from answers in the documented record formats", async () => {
    // Recorded answers: the Lambda's "delivery published" line; the support CLI's audit line of the redrive; the bus
    // log records (EventBridge User Guide, "Amazon EventBridge event bus log schema") as Logs Insights returns their
    // fields at INFO with IncludeDetail NONE: no `details`, `error` only on the failed steps.
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(StartQueryCommand, { logGroupName: "/aws/lambda/fn" }).resolves({ queryId: "lambda" });
    logs.on(StartQueryCommand, { logGroupName: "/trust-callbacks/prod/support-audit" }).resolves({ queryId: "audit" });
    logs.on(StartQueryCommand, { logGroupName: "/aws/vendedlogs/events/bus" }).resolves({ queryId: "bus" });
    const publishedLine = { level: 30, message: "delivery published", history: "published", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", sourceEventId: "s-1", eventCorrelationId: "c-1", eventType: "t", busEventId: "bus-1", publishedAt: "2026-11-21T10:30:00.000Z" };
    const redriveLine = { at: "2026-11-22T09:00:00.000Z", operator: "alice (profile prod-support)", action: "redrive", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", messageId: "m-1", outcome: "redriven", busEventId: "bus-2" };
    logs.on(GetQueryResultsCommand, { queryId: "lambda" }).resolves({ status: "Complete", results: [row({ "@timestamp": "2026-11-21 10:30:00.000", "@message": JSON.stringify(publishedLine) })] });
    logs.on(GetQueryResultsCommand, { queryId: "audit" }).resolves({ status: "Complete", results: [row({ "@timestamp": "2026-11-22 09:00:00.000", "@message": JSON.stringify(redriveLine) })] });
    logs.on(GetQueryResultsCommand, { queryId: "bus" }).resolves({
      status: "Complete",
      results: [
        row({ "@timestamp": "2026-11-21 10:30:01.000", event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: "1795257001000", "error.http_status_code": "503", "error.error_message": "Received a response with status code 503" }),
        row({ "@timestamp": "2026-11-22 08:00:00.000", event_id: "bus-1", message_type: "INVOCATION_DLQ", message_timestamp_ms: "1795334400000" }),
        row({ "@timestamp": "2026-11-22 09:00:01.000", event_id: "bus-2", message_type: "INVOCATION_SUCCESS", message_timestamp_ms: "1795338001000" }),
      ],
    });
    const source = new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn", support: "/trust-callbacks/prod/support-audit", bus: "/aws/vendedlogs/events/bus" }, { sleep: async () => {} });

    const found = await source.find(filter);

    const queries = logs.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => q.logGroupName)).toEqual(["/aws/lambda/fn", "/trust-callbacks/prod/support-audit", "/aws/vendedlogs/events/bus"]);
    // Support actions and attempts come after the window: up to the DLQ's 14 days (+ the retry policy's 24 h for attempts).
    expect(queries[1]).toMatchObject({ startTime: 1795255200, endTime: 1795258800 + 14 * 86400 });
    expect(queries[1]!.queryString).toContain('filter cloudEventId in ["ce-1"]');
    expect(queries[2]).toMatchObject({ startTime: 1795255200, endTime: 1795258800 + 15 * 86400 });
    expect(queries[2]!.queryString).toContain('filter event_id in ["bus-1", "bus-2"]');
    expect(found.support).toEqual([{ action: "redrive", at: "2026-11-22T09:00:00.000Z", operator: "alice (profile prod-support)", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", busEventId: "bus-2" }]);
    const [story] = deliveryStories({ ...found, deadLetters: [] });
    expect(story).toMatchObject({ cloudEventId: "ce-1", state: "DELIVERED" });
    expect(story!.steps.map((s) => [s.kind, "httpStatus" in s ? s.httpStatus : undefined])).toEqual([
      ["published", undefined],
      ["attempt", 503],
      ["dead-lettered", undefined],
      ["redrive", undefined],
      ["attempt", undefined], // EventBridge logs no HTTP status for a success
    ]);
  });
});

describe("CloudWatchSupportHistory (docs/guarantees.md 8.21)", () => {
  const line = (n: number, overrides: Partial<AuditLine> = {}): AuditLine => ({
    at: new Date(Date.parse("2026-11-22T09:00:00Z") + n * 1000).toISOString(),
    operator: "alice (profile prod-support)",
    action: "redrive",
    trustId: "RX1",
    endpointId: "ehr",
    cloudEventId: `ce-${n}`,
    messageId: `m-${n}`,
    outcome: "redriven",
    busEventId: `bus-new-${n}`,
    ...overrides,
  });

  it("writes each redrive, replay and purge (and nothing else) to its own stream of the audit log group, in time order, as lines the history query reads back", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    const sink = new CloudWatchSupportHistory(logs as unknown as CloudWatchLogsClient, "/trust-callbacks/prod/support-audit", "history/2026-11-22/run-1");

    sink.record(line(2));
    sink.record(line(1));
    sink.record(line(3, { outcome: "failed", busEventId: undefined, detail: "AccessDenied" }));
    sink.record(line(4, { action: "show-content", outcome: "shown" }));
    sink.record(line(5, { action: "purge", outcome: "purged", busEventId: undefined }));
    await sink.flush();

    expect(logs.commandCalls(CreateLogStreamCommand).map((c) => c.args[0].input)).toEqual([{ logGroupName: "/trust-callbacks/prod/support-audit", logStreamName: "history/2026-11-22/run-1" }]);
    const [put] = logs.commandCalls(PutLogEventsCommand).map((c) => c.args[0].input);
    expect(put).toMatchObject({ logGroupName: "/trust-callbacks/prod/support-audit", logStreamName: "history/2026-11-22/run-1" });
    expect(put!.logEvents!.map((e) => e.timestamp)).toEqual([1, 2, 5].map((n) => Date.parse("2026-11-22T09:00:00Z") + n * 1000));
    expect(put!.logEvents!.map((e) => supportRecordOfAuditLine(JSON.parse(e.message!))?.cloudEventId)).toEqual(["ce-1", "ce-2", "ce-5"]);
  });

  it("writes nothing, and creates no stream, when nothing was redriven, replayed or purged", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const sink = new CloudWatchSupportHistory(logs as unknown as CloudWatchLogsClient, "g", "s");
    sink.record(line(1, { outcome: "would-redrive" }));
    await sink.flush();
    expect(logs.calls()).toHaveLength(0);
  });

  it("says so, naming the group, when the records cannot be written or are rejected (the action happened: never a silent gap)", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(CreateLogStreamCommand).rejects(Object.assign(new Error("User is not authorized to perform: logs:CreateLogStream"), { name: "AccessDeniedException" }));
    const denied = new CloudWatchSupportHistory(logs as unknown as CloudWatchLogsClient, "/audit", "s");
    denied.record(line(1));
    await expect(denied.flush()).rejects.toThrow("1 history record(s) not written to /audit (AccessDeniedException); the audit file has them");

    logs.reset();
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({ rejectedLogEventsInfo: { tooOldLogEventEndIndex: 0 } });
    const rejected = new CloudWatchSupportHistory(logs as unknown as CloudWatchLogsClient, "/audit", "s");
    rejected.record(line(1));
    await expect(rejected.flush()).rejects.toThrow("1 history record(s) not written to /audit (rejected:");
  });
});
