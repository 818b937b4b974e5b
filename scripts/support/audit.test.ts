import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { parseSupportArgs, type SupportCommand } from "./args.ts";
import { PUT_LOG_EVENTS_LIMITS, awsAuditTrail, localAuditTrail } from "./audit.ts";
import { purge } from "./commands/purge.ts";

const ARN = "arn:aws:sts::111122223333:assumed-role/trust-callbacks-prod-support-operator/jane.doe@nhs.net";
const GROUP = "/trust-callbacks/prod/support-audit";
const sts = mockClient(STSClient);
const logs = mockClient(CloudWatchLogsClient);
const sqs = mockClient(SQSClient);

function awsSetup(outputs: Record<string, unknown> = { pipeline: { value: { support: { audit_log_group_name: GROUP } } } }) {
  const dir = mkdtempSync(join(tmpdir(), "audit-"));
  const outputsFile = join(dir, "outputs.json");
  writeFileSync(outputsFile, JSON.stringify({ trusts: { value: { RYJ: { dlq_url: "https://sqs.eu-west-2.amazonaws.com/111122223333/ryj-dlq", event_bus_name: "bus-0" } } }, ...outputs }));
  const auditFile = join(dir, "audit.ndjson");
  const argv = ["purge", "--outputs", outputsFile, "--trusts", "scripts/local-pipeline/sample-trusts", "--trust", "RYJ", "--confirm", "RYJ", "--audit-file", auditFile];
  return { auditFile, run: () => purge(parseSupportArgs(argv) as SupportCommand & { name: "purge" }) };
}

const fileLines = (file: string) => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return [];
  }
};
const sentLines = () => logs.commandCalls(PutLogEventsCommand).flatMap((call) => call.args[0].input.logEvents!.map((e) => JSON.parse(e.message!)));

describe("promise 7.5: a purge in AWS is audited with the caller's AWS identity, in the log group and the local file", () => {
  beforeEach(() => {
    sts.reset();
    logs.reset();
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "3" } });
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    sqs.on(PurgeQueueCommand).resolves({});
    vi.spyOn(console, "log").mockImplementation(() => {});
  });
  afterEach(() => vi.restoreAllMocks());

  // Each fault → the one state the command ends in: purged and audited in both places, or refused before purging.
  it("no fault: purged; the line names the STS ARN and is in the log group (a new stream) and the local file", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN, Account: "111122223333", UserId: "AROA:jane" });
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    const { auditFile, run } = awsSetup();

    expect(await run()).toBe(0);

    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(1);
    const [created] = logs.commandCalls(CreateLogStreamCommand);
    expect(created!.args[0].input.logGroupName).toBe(GROUP);
    expect(created!.args[0].input.logStreamName).not.toMatch(/[:*]/);
    expect(logs.commandCalls(PutLogEventsCommand)[0]!.args[0].input).toMatchObject({ logGroupName: GROUP, logStreamName: created!.args[0].input.logStreamName });
    const expected = [expect.objectContaining({ action: "purge", trustId: "RYJ", outcome: "purged", operator: ARN })];
    expect(sentLines()).toEqual(expected);
    expect(fileLines(auditFile)).toEqual(expected);
    expect(statSync(auditFile).mode & 0o777).toBe(0o600);
  });

  it.each<[string, () => void, Record<string, unknown> | undefined, string | RegExp]>([
    ["STS cannot say who the caller is", () => sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error("expired"), { name: "ExpiredTokenException" })), undefined, "cannot read your AWS identity (STS GetCallerIdentity: ExpiredTokenException); nothing was done. Check AWS_PROFILE / your session"],
    ["the role may not write to the log group", () => logs.on(CreateLogStreamCommand).rejects(Object.assign(new Error("denied"), { name: "AccessDeniedException" })), undefined, `cannot write to the support audit log group ${GROUP} (CreateLogStream: AccessDeniedException); nothing was done`],
    ["the outputs have no audit log group", () => {}, {}, /^--outputs \S+ has no pipeline\.support\.audit_log_group_name: take the outputs of an environment deployed with the support audit log group/],
  ])("%s: refused before anything is purged, nothing audited", async (_case, fault, outputs, error) => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN });
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    fault();
    const { auditFile, run } = awsSetup(outputs);

    await expect(run()).rejects.toThrow(error);

    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(0);
    expect(sentLines()).toEqual([]);
    expect(fileLines(auditFile)).toEqual([]);
  });

  it("the log group refuses the line after the purge: the command fails (exit 1) naming the local file, which holds the line", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN });
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).rejects(Object.assign(new Error("throttled"), { name: "ThrottlingException" }));
    const { auditFile, run } = awsSetup();

    await expect(run()).rejects.toThrow(`audit lines not all written to the log group ${GROUP} (ThrottlingException); every line is in ${auditFile}: send it to the platform team`);

    expect(sqs.commandCalls(PurgeQueueCommand)).toHaveLength(1);
    expect(fileLines(auditFile)).toEqual([expect.objectContaining({ outcome: "purged", operator: ARN })]);
  });
});

describe("awsAuditTrail batching (PutLogEvents limits)", () => {
  beforeEach(() => {
    sts.reset();
    logs.reset();
  });

  it("sends 2,500 lines in order, each once, in batches inside the documented limits", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: ARN });
    logs.on(CreateLogStreamCommand).resolves({});
    logs.on(PutLogEventsCommand).resolves({});
    let clock = Date.parse("2026-12-05T04:00:00Z");
    const trail = await awsAuditTrail({ file: join(mkdtempSync(join(tmpdir(), "audit-")), "a.ndjson"), logGroupName: GROUP, sts: new STSClient({}), logs: new CloudWatchLogsClient({}), now: () => new Date((clock += 10)) });

    for (let i = 0; i < 2500; i++) trail.write({ n: i, detail: "x".repeat(300) });
    await trail.close();

    const batches = logs.commandCalls(PutLogEventsCommand).map((call) => call.args[0].input.logEvents!);
    expect(sentLines().map((line) => line.n)).toEqual([...Array(2500).keys()]);
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(10_000);
      expect(batch.reduce((sum, e) => sum + Buffer.byteLength(e.message!) + 26, 0)).toBeLessThanOrEqual(1_048_576);
      expect(batch.map((e) => e.timestamp)).toEqual([...batch.map((e) => e.timestamp!)].sort((a, b) => a - b));
      expect(batch.at(-1)!.timestamp! - batch[0]!.timestamp!).toBeLessThanOrEqual(24 * 3600_000);
    }
    expect(batches.length).toBe(Math.ceil(2500 / PUT_LOG_EVENTS_LIMITS.maxEvents));
  });

  it("locally, the operator is the OS user and nothing is sent to AWS", async () => {
    const trail = localAuditTrail(join(mkdtempSync(join(tmpdir(), "audit-")), "a.ndjson"));
    trail.write({ n: 1 });
    await trail.close();
    expect(trail.operator).not.toMatch(/^arn:/);
    expect(logs.commandCalls(PutLogEventsCommand)).toHaveLength(0);
  });
});
