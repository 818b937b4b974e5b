import { BatchGetItemCommand, ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { TrustConfig } from "@trust-callbacks/schemas";
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from "@aws-sdk/client-cloudwatch-logs";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { CloudWatchHistorySource } from "./history-source.ts";
import { holdEndpoints, holdEvents, holdViews } from "./holds.ts";
import { awsHolds, type EnvironmentOutputs } from "./target.ts";

// In AWS `hold`, `resume` and `list` use the holds table and the hold stores the outputs name (10.20, 10.23), through
// the hold-path engineer's adapters (DynamoDbHoldStates, SqsHoldStore), answered here at the SDK.

const outputs = (holds?: object, namePrefix?: string): EnvironmentOutputs => ({
  trusts: { value: { RX1: { dlq_url: "https://sqs.eu-west-2.amazonaws.com/111122223333/trust-callbacks-prod-RX1-dlq", event_bus_name: "b" } } },
  // As `make output` writes them: pipeline.name_prefix (stacks/pipeline outputs.tf); no trusts_stack_inputs.
  // With a prefix the Lambda is named otherwise, so only pipeline.name_prefix can give the stores' names.
  pipeline: { value: { lambda_function_name: namePrefix ? "fn-named-otherwise" : "trust-callbacks-prod-transform-filter", ...(namePrefix ? { name_prefix: namePrefix } : {}), ...(holds ? { holds } : {}) } },
});
const trust = TrustConfig.parse({
  trustId: "RX1",
  name: "T",
  enabled: true,
  endpoints: [{ id: "ehr", url: "https://ehr.example.nhs.uk/h", eventTypes: ["message.created"], payloadProfile: "full", auth: { type: "basic", credentialsSecret: "tc/prod/credentials/RX1/ehr" }, signingSecret: "tc/prod/signing/RX1/ehr" }],
});

describe("awsHolds: the outputs' holds table and hold stores", () => {
  it("writes the hold to pipeline.holds.table_name, conditional on absence, and reads the store's depth at its queue", async () => {
    const dynamodb = mockClient(DynamoDBClient);
    const sqs = mockClient(SQSClient);
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { "trust-callbacks-prod-holds": [] } });
    dynamodb.on(PutItemCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "40", ApproximateNumberOfMessagesNotVisible: "2" } });
    const holds = awsHolds(outputs({ table_name: "trust-callbacks-prod-holds", queue_url_base: "https://sqs.eu-west-2.amazonaws.com/111122223333/" }, "trust-callbacks-prod"), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) });

    const rows = await holdEndpoints(holds.states, { trust, endpointId: "ehr", reason: "EPR upgrade", dryRun: false, operator: "arn:op", now: new Date("2026-12-05T10:00:00Z") });
    expect(rows.map((r) => r.outcome)).toEqual(["held"]);
    const put = dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put).toMatchObject({ TableName: "trust-callbacks-prod-holds", ConditionExpression: "attribute_not_exists(#pk)" });
    expect(put.Item?.pk).toEqual({ S: "RX1#ehr" });

    const store = await holds.store.depth({ trustId: "RX1", endpointId: "ehr" });
    expect(store).toEqual({ status: "found", value: 42 });
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input.QueueUrl).toBe("https://sqs.eu-west-2.amazonaws.com/111122223333/trust-callbacks-prod-RX1-ehr-hold.fifo");
  });

  it("a conditional write DynamoDB refuses is a lost race, nothing overwritten", async () => {
    const dynamodb = mockClient(DynamoDBClient);
    dynamodb.on(BatchGetItemCommand).resolves({ Responses: { h: [] } });
    dynamodb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }));
    const holds = awsHolds(outputs({ table_name: "h", queue_url_base: "https://sqs.eu-west-2.amazonaws.com/111122223333/" }, "trust-callbacks-prod"), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) });
    const rows = await holdEndpoints(holds.states, { trust, endpointId: "ehr", reason: "r", dryRun: false, operator: "arn:op", now: new Date() });
    expect(rows.map((r) => r.outcome)).toEqual(["lost-race"]);
  });

  it("without pipeline.name_prefix: the Lambda's name prefix; without queue_url_base: a usage error", async () => {
    const sqs = mockClient(SQSClient);
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "0" } });
    expect(() => awsHolds(outputs({ table_name: "h" }), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) })).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(/pipeline\.holds\.queue_url_base/) }));
    const holds = awsHolds(outputs({ table_name: "h", queue_url_base: "https://sqs.eu-west-2.amazonaws.com/111122223333/" }), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) });
    await holds.store.depth({ trustId: "RX1", endpointId: "ehr" });
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input.QueueUrl).toBe("https://sqs.eu-west-2.amazonaws.com/111122223333/trust-callbacks-prod-RX1-ehr-hold.fifo");
  });

  it("outputs of a version without holds: a usage error naming the output", async () => {
    expect(() => awsHolds(outputs(), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) })).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(/pipeline\.holds\.table_name/) }));
  });

  it("list's view: one table scan, the depth of held endpoints only", async () => {
    const dynamodb = mockClient(DynamoDBClient);
    const sqs = mockClient(SQSClient);
    dynamodb.resolves({ Items: [] });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: {} });
    const holds = awsHolds(outputs({ table_name: "h", queue_url_base: "https://sqs.eu-west-2.amazonaws.com/111122223333/" }, "trust-callbacks-prod"), { dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) });
    expect(await holdViews([trust], holds, new Date())).toEqual([]);
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(0);
  });
});

describe("history in AWS (10.24): the trust's hold and resume audit lines from the support audit log group", () => {
  it("asks Logs Insights for hold/resume lines that took effect, of that trust (and endpoint), in the window", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const held = { at: "2026-12-05T09:00:00.000Z", operator: "arn:aws:sts::1:assumed-role/op/alice", action: "hold", trustId: "RX1", endpointId: "ehr", outcome: "held", reason: "EPR" };
    logs.on(StartQueryCommand).resolves({ queryId: "q" });
    logs.on(GetQueryResultsCommand).resolves({ status: "Complete", results: [[{ field: "@message", value: JSON.stringify(held) }]] });
    const source = new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn", support: "support-audit" }, { sleep: async () => {} });
    const window = { trustId: "RX1", since: new Date("2026-12-05T00:00:00Z"), until: new Date("2026-12-06T00:00:00Z"), limit: 10 };

    const found = await source.holdActions("RX1", "ehr", window);

    const query = logs.commandCalls(StartQueryCommand)[0]!.args[0].input;
    expect(query).toMatchObject({ logGroupName: "support-audit", startTime: 1796428800, endTime: 1796515200 });
    expect(query.queryString).toContain('filter action in ["hold", "resume"] and outcome in ["held", "resumed"] and trustId = "RX1" and endpointId = "ehr"');
    expect(holdEvents({ actions: found.lines, notices: [], states: [] }, window).map((e) => [e.event, e.by])).toEqual([["held", held.operator]]);
  });

  it("without a support audit log group: a note, no query", async () => {
    const logs = mockClient(CloudWatchLogsClient);
    const source = new CloudWatchHistorySource(logs as unknown as CloudWatchLogsClient, { lambda: "/aws/lambda/fn" });
    expect(await source.holdActions("RX1", undefined, { since: new Date(0), until: new Date(1), limit: 1 })).toEqual({ lines: [], notes: ["no support audit log group in the outputs: holds and resumes are not shown"] });
    expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});
