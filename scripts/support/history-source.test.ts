import { CloudWatchLogsClient, CreateLogStreamCommand, GetQueryResultsCommand, PutLogEventsCommand, StartQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { deliveryStories, supportRecordOfAuditLine } from "../lib/call-history.ts";
import { STSClient } from "@aws-sdk/client-sts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsAuditTrail } from "./audit.ts";
import { CloudWatchHistorySource, supportHistoryFor } from "./history-source.ts";
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

describe("support records on AWS are the audit trail's own lines (docs/guarantees.md 8.21)", () => {
  const line = (n: number, overrides: Partial<AuditLine> = {}): AuditLine => ({
    at: new Date(Date.parse("2026-11-22T09:00:00Z") + n * 1000).toISOString(),
    operator: "arn:aws:sts::111122223333:assumed-role/trust-callbacks-prod-support-operator/alice",
    action: "redrive",
    trustId: "RX1",
    endpointId: "ehr",
    cloudEventId: `ce-${n}`,
    messageId: `m-${n}`,
    outcome: "redriven",
    busEventId: `bus-new-${n}`,
    ...overrides,
  });

  it("every redrive, replay and purge the audit trail writes to the audit log group is a support record history reads back; dry runs, failures and views are not", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    const sts = mockClient(STSClient);
    sts.onAnyCommand().resolves({ Arn: "arn:aws:sts::111122223333:assumed-role/trust-callbacks-prod-support-operator/alice" } as never);
    const opened = await awsAuditTrail({ file: join(mkdtempSync(join(tmpdir(), "trail-")), "audit.ndjson"), logGroupName: "/trust-callbacks/prod/support-audit", sts: sts as never, logs: logs as unknown as CloudWatchLogsClient });

    opened.write(line(1));
    opened.write(line(2, { outcome: "would-redrive", busEventId: undefined }));
    opened.write(line(3, { outcome: "failed", busEventId: undefined, detail: "AccessDenied" }));
    opened.write(line(4, { action: "show-content", outcome: "shown" }));
    opened.write(line(5, { action: "replay", outcome: "replayed" }));
    opened.write(line(6, { action: "purge", outcome: "purged", busEventId: undefined }));
    await opened.close();

    const messages = logs.commandCalls(PutLogEventsCommand).flatMap((c) => c.args[0].input.logEvents ?? []).map((e) => JSON.parse(e.message!));
    expect(messages.map((m) => supportRecordOfAuditLine(m)).filter(Boolean)).toEqual([
      { action: "redrive", at: line(1).at, operator: line(1).operator, trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", busEventId: "bus-new-1" },
      { action: "replay", at: line(5).at, operator: line(5).operator, trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-5", busEventId: "bus-new-5" },
      { action: "purge", at: line(6).at, operator: line(6).operator, trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-6" },
    ]);
  });

  it("writes no second copy on AWS: the command's history sink adds nothing to what the audit trail sends", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const sink = supportHistoryFor({ kind: "aws", outputsFile: "unused.json", trustsDir: "unused" });
    sink.record(line(1));
    await sink.flush();
    expect(logs.calls()).toHaveLength(0);
  });
});
