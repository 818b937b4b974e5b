import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, ListConnectionsCommand } from "@aws-sdk/client-eventbridge";
import { ChangeMessageVisibilityCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SAMPLE_TRUSTS_DIR } from "../../local-pipeline/pipeline.ts";
import { COOKIE, consoleApp } from "./server.ts";
import { AppendedHistory, awsSource } from "./source.ts";

/**
 * AWS mode: the same console code against an environment, answered by recorded AWS answers (aws-sdk-client-mock)
 * in the shapes of the API references: ListConnections (ConnectionState per connection, NextToken pages), DescribeAlarms
 * (StateValue ALARM, MetricAlarms, NextToken), GetQueueAttributes (ApproximateNumberOfMessages) with a zero-visibility
 * peek for the oldest message, Logs Insights for the day's deliveries.
 */
const NOW = new Date("2026-12-05T12:00:00Z");
const row = (fields: Record<string, string>) => Object.entries(fields).map(([field, value]) => ({ field, value }));

// One mock per client class for the file (a mock replaces the class's send for every instance).
const sqs = mockClient(SQSClient);
const events = mockClient(EventBridgeClient);
const cloudWatch = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);

describe("console against an environment (recorded AWS answers)", () => {
  let outputsFile: string;

  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), "console-aws-"));
    outputsFile = join(dir, "outputs.json");
    const trust = (id: string) => ({ dlq_url: `https://sqs.eu-west-2.amazonaws.com/123456789012/trust-callbacks-prod-${id}-dlq`, event_bus_name: "trust-callbacks-prod-callbacks-0", alarm_names: [`trust-callbacks-prod-${id}-dlq-not-empty`] });
    writeFileSync(
      outputsFile,
      JSON.stringify({
        trusts: { value: { RYJ: trust("RYJ"), RX1: trust("RX1"), R0A: trust("R0A"), RDZ: trust("RDZ") } },
        pipeline: { value: { lambda_function_name: "trust-callbacks-prod-transform-filter", bus_log_group_name: "/aws/vendedlogs/events/trust-callbacks-prod" } },
      }),
    );
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0" } });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: trust("RYJ").dlq_url }).resolves({ Attributes: { ApproximateNumberOfMessages: "7" } });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    sqs.on(ReceiveMessageCommand, { QueueUrl: trust("RYJ").dlq_url, VisibilityTimeout: 0 }).resolves({
      Messages: [{ MessageId: "m1", Attributes: { SentTimestamp: String(NOW.getTime() - 5400_000) } }, { MessageId: "m2", Attributes: { SentTimestamp: String(NOW.getTime() - 60_000) } }],
    });
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    events.on(ListConnectionsCommand).resolves({ Connections: [{ Name: "trust-callbacks-prod-RX1-ehr", ConnectionState: "AUTHORIZED" }, { Name: "trust-callbacks-prod-RX1-bleep", ConnectionState: "AUTHORIZED" }], NextToken: "page-2" });
    events.on(ListConnectionsCommand, { NextToken: "page-2" }).resolves({ Connections: [{ Name: "trust-callbacks-prod-RYJ-legacy", ConnectionState: "DEAUTHORIZED" }, { Name: "trust-callbacks-prod-R0A-records", ConnectionState: "AUTHORIZED" }] });
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "trust-callbacks-prod-RYJ-dlq-not-empty", StateValue: "ALARM" }], NextToken: "next" });
    cloudWatch.on(DescribeAlarmsCommand, { NextToken: "next" }).resolves({
      MetricAlarms: [
        { AlarmName: "trust-callbacks-prod-callbacks-0-FailedInvocations", StateValue: "ALARM" },
        { AlarmName: "someone-elses-alarm", StateValue: "ALARM" },
      ],
    });
    logs.on(StartQueryCommand).resolves({ queryId: "lambda" });
    logs.on(StartQueryCommand, { logGroupName: "/aws/vendedlogs/events/trust-callbacks-prod" }).resolves({ queryId: "bus" });
    const published = { message: "delivery published", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", sourceEventId: "s-1", eventCorrelationId: "s-1", eventType: "t", busEventId: "bus-1", publishedAt: "2026-12-05T11:10:00.000Z" };
    logs.on(GetQueryResultsCommand, { queryId: "lambda" }).resolves({ status: "Complete", results: [row({ "@message": JSON.stringify(published) })] });
    logs.on(GetQueryResultsCommand, { queryId: "bus" }).resolves({
      status: "Complete",
      results: [
        row({ event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: String(Date.parse("2026-12-05T11:10:01Z")), "error.http_status_code": "503" }),
        row({ event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: String(Date.parse("2026-12-05T11:11:00Z")) }),
      ],
    });
  });
  afterEach(() => {
    sqs.reset();
    events.reset();
    cloudWatch.reset();
    logs.reset();
  });

  const source = (auditFile = join(tmpdir(), "unused-audit.ndjson")) =>
    awsSource({ kind: "aws", outputsFile, trustsDir: SAMPLE_TRUSTS_DIR }, auditFile, {
      eventBridge: events as unknown as EventBridgeClient,
      cloudWatch: cloudWatch as unknown as CloudWatchClient,
      logs: logs as unknown as CloudWatchLogsClient,
    });

  it("reads connection states, alarms in ALARM, DLQ depth and age, and the day's attempts into each endpoint's row", async () => {
    const health = await source().health(NOW);
    const byKey = Object.fromEntries(health.endpoints.map((e) => [`${e.trustId}/${e.endpointId}`, e]));
    expect(byKey["RYJ/legacy"]).toMatchObject({ connection: "DEAUTHORIZED", dlqDepth: 7, dlqOldestAgeSeconds: 5400, alarms: ["trust-callbacks-prod-RYJ-dlq-not-empty"] });
    expect(byKey["RX1/ehr"]).toMatchObject({ connection: "AUTHORIZED", dlqDepth: 0, alarms: [] });
    expect(byKey["RX1/ehr"]!.delivered.reduce((a, b) => a + b)).toBe(1);
    expect(byKey["RX1/ehr"]!.failed.reduce((a, b) => a + b)).toBe(1);
    expect(byKey["RDZ/ehr"]!.connection).toBe("unknown"); // no connection of that name listed
    expect(health.pipelineAlarms).toEqual(["trust-callbacks-prod-callbacks-0-FailedInvocations"]); // not another deployment's
    expect(events.commandCalls(ListConnectionsCommand).map((c) => c.args[0].input)).toEqual([
      { NamePrefix: "trust-callbacks-prod-", Limit: 100 },
      { NamePrefix: "trust-callbacks-prod-", Limit: 100, NextToken: "page-2" },
    ]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { StateValue: "ALARM", MaxRecords: 100 },
      { StateValue: "ALARM", MaxRecords: 100, NextToken: "next" },
    ]);
  });

  it("the overview page, by the same route as locally, puts the alarmed, deauthorized trust first and lists the alarms", async () => {
    const made = consoleApp(source(), { token: "k", now: () => NOW });
    made.setOrigin("http://127.0.0.1:1");
    const page = await (await made.app.request("http://127.0.0.1:1/", { headers: { host: "127.0.0.1:1", cookie: `${COOKIE}=k` } })).text();
    const firstRow = /<tbody>\s*<tr[^>]*>([\s\S]*?)<\/tr>/.exec(page)?.[1] ?? "";
    expect(firstRow).toContain('href="/trusts/RYJ"');
    expect(firstRow).toContain("DEAUTHORIZED");
    expect(page).toContain("trust-callbacks-prod-callbacks-0-FailedInvocations (runbook step 1)");
    expect(page).toContain("trust-callbacks-prod-RYJ-dlq-not-empty");
  });
});

describe("console trace against an environment, after a redrive (recorded AWS answers)", () => {
  afterEach(() => {
    sqs.reset();
    logs.reset();
  });

  // 7.26: the redrive is found in the support audit log group (the audit trail's own line), and the redriven bus event's
  // attempts in the buses' log group, by the `history` command's own reader.
  it("finds the redrive in the support audit log group and follows its bus event in the buses' log group: the story ends DELIVERED", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-aws-trace-"));
    const outputsFile = join(dir, "outputs.json");
    writeFileSync(
      outputsFile,
      JSON.stringify({ trusts: { value: {} }, pipeline: { value: { lambda_function_name: "trust-callbacks-prod-transform-filter", bus_log_group_name: "/bus", support: { audit_log_group_name: "/support" } } } }),
    );
    const published = { message: "delivery published", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", sourceEventId: "s-1", eventCorrelationId: "s-1", eventType: "t", busEventId: "bus-1", publishedAt: "2026-12-05T11:10:00.000Z" };
    const redriven = { at: "2026-12-05T11:30:00.000Z", operator: "arn:aws:sts::123456789012:assumed-role/support-operator/alice", action: "redrive", trustId: "RX1", endpointId: "ehr", cloudEventId: "ce-1", messageId: "m", outcome: "redriven", busEventId: "re-1" };
    logs.on(StartQueryCommand).callsFake((input: { logGroupName: string }) => ({ queryId: input.logGroupName }));
    logs.on(GetQueryResultsCommand, { queryId: "/aws/lambda/trust-callbacks-prod-transform-filter" }).resolves({ status: "Complete", results: [row({ "@message": JSON.stringify(published) })] });
    logs.on(GetQueryResultsCommand, { queryId: "/support" }).resolves({ status: "Complete", results: [row({ "@message": JSON.stringify(redriven) })] });
    logs.on(GetQueryResultsCommand, { queryId: "/bus" }).resolves({
      status: "Complete",
      results: [
        row({ event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: String(Date.parse("2026-12-05T11:10:01Z")), "error.http_status_code": "503" }),
        row({ event_id: "bus-1", message_type: "INVOCATION_DLQ", message_timestamp_ms: String(Date.parse("2026-12-05T11:20:00Z")) }),
        row({ event_id: "re-1", message_type: "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: String(Date.parse("2026-12-05T11:30:01Z")) }),
      ],
    });
    const aws = awsSource({ kind: "aws", outputsFile, trustsDir: SAMPLE_TRUSTS_DIR }, join(dir, "audit.ndjson"), {
      eventBridge: events as unknown as EventBridgeClient,
      cloudWatch: cloudWatch as unknown as CloudWatchClient,
      logs: logs as unknown as CloudWatchLogsClient,
    });

    const { stories } = await aws.history.stories({ cloudEventId: "ce-1", since: new Date("2026-12-05T00:00:00Z"), until: NOW, limit: 100 });

    expect(stories).toHaveLength(1);
    expect(stories[0]!.state).toBe("DELIVERED");
    expect(stories[0]!.steps.map((s) => [s.kind, "httpStatus" in s ? s.httpStatus : "by" in s ? s.by : undefined])).toEqual([
      ["published", undefined],
      ["attempt", 503],
      ["dead-lettered", undefined],
      ["redrive", redriven.operator],
      ["attempt", undefined], // an AWS success carries no HTTP status (8.23)
    ]);
    const asked = logs.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(asked.find((i) => i.logGroupName === "/support")?.queryString).toContain('"ce-1"');
    expect(asked.find((i) => i.logGroupName === "/bus")?.queryString).toMatch(/"bus-1", "re-1"/);
  }, 10_000);
});

describe("the local history, read as it grows", () => {
  const now = new Date("2026-12-05T12:00:00Z");
  const published = (n: number, at: string) => JSON.stringify({ source: "lambda", kind: "published", trustId: "RX1", endpointId: "ehr", cloudEventId: `ce-${n}`, sourceEventId: `s-${n}`, eventCorrelationId: "c", eventType: "t", busEventId: `bus-${n}`, publishedAt: at });
  const attempt = (n: number, ms: number) => JSON.stringify({ source: "bus", event_id: `bus-${n}`, message_type: "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: ms });

  it("counts what was appended since the last read, a line once it is whole, a replaced file afresh, and only the last 24 h", () => {
    const file = join(mkdtempSync(join(tmpdir(), "appended-")), "history.jsonl");
    const history = new AppendedHistory(file);
    expect(history.read(now)).toEqual({ published: [], busLogs: [], support: [] }); // no file yet

    writeFileSync(file, `${published(1, "2026-12-05T11:00:00.000Z")}\n${published(2, "2026-12-04T10:00:00.000Z")}\n`);
    expect(history.read(now).published.map((p) => p.cloudEventId)).toEqual(["ce-1"]); // ce-2 is older than 24 h

    const line = attempt(1, now.getTime() - 1000);
    appendFileSync(file, line.slice(0, 20)); // the pipeline is writing it
    expect(history.read(now).busLogs).toEqual([]);
    appendFileSync(file, `${line.slice(20)}\n${published(3, "2026-12-05T11:30:00.000Z")}\n`);
    const read = history.read(now);
    expect(read.busLogs.map((l) => l.event_id)).toEqual(["bus-1"]);
    expect(read.published.map((p) => p.cloudEventId)).toEqual(["ce-1", "ce-3"]);

    writeFileSync(file, `${published(4, "2026-12-05T11:45:00.000Z")}\n`); // a new run replaced the file
    expect(history.read(now)).toEqual({ published: [expect.objectContaining({ cloudEventId: "ce-4" })], busLogs: [], support: [] });
  });
});
