import { appendFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import { CreateLogStreamCommand, PutLogEventsCommand, type CloudWatchLogsClient, type InputLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { CloudWatchLogsClient as LogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { STSClient as StsClient } from "@aws-sdk/client-sts";
import { UsageError } from "../lib/command-line.ts";
import type { TargetOptions } from "./args.ts";
import type { AuditLine } from "./redrive.ts";
import { readOutputs, supportAuditLogGroup, type EnvironmentOutputs } from "./target.ts";

/** Who runs the tool, locally (the OS user, and the AWS profile when one is set). */
export const operator = (): string => `${userInfo().username}${process.env.AWS_PROFILE ? ` (profile ${process.env.AWS_PROFILE})` : ""}`;

/** Appends one audit line to the audit file only (0600 when it creates the file: lines name trusts and events). */
export const appendAudit = (file: string, line: object): void => appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });

/** Writes one audit line to stdout and appends it to the audit file (kept for callers that print audit lines). */
export const auditTo = (file: string) => (line: AuditLine): void => {
  console.log(JSON.stringify(line));
  appendAudit(file, line);
};

/**
 * Where a command's audit lines go, and who they name. Open it before the command sends or deletes anything: in AWS
 * it reads the caller's identity and opens the log stream first, so a command that cannot be audited does nothing.
 */
export interface AuditTrail {
  /** The `operator` of every line: the STS caller ARN in AWS, the OS user locally. */
  readonly operator: string;
  /** Appends the line to the local file at once; in AWS also queues it for the log group. */
  write(line: object): void;
  /** Sends what is queued (AWS); throws, naming the local file, when the log group did not take every line. */
  close(): Promise<void>;
}

export function localAuditTrail(file: string): AuditTrail {
  return { operator: operator(), write: (line) => appendAudit(file, line), close: async () => {} };
}

/**
 * PutLogEvents limits (CloudWatch Logs API Reference, "PutLogEvents":
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html): a batch is at most
 * 10,000 events and 1,048,576 bytes, counted as each message's UTF-8 bytes plus 26; events in a batch in
 * chronological order and spanning at most 24 hours; one event at most 256 KB. A run's lines are written in the order
 * they happen, so they are chronological; batches are sent at 1,000 lines or 512 KB, well inside every limit, and
 * also whenever 1 hour has passed since the batch's first line. Batches go one at a time on the run's own stream (the
 * quota is 5 PutLogEvents requests per second per stream; a run writes far fewer lines than 5,000 a second).
 */
export const PUT_LOG_EVENTS_LIMITS = { maxEvents: 1000, maxBytes: 512 * 1024, overheadBytes: 26, maxSpanMs: 3600_000 } as const;

export interface AwsAuditOptions {
  file: string;
  /** The outputs' `pipeline.support.audit_log_group_name`. */
  logGroupName: string;
  sts: Pick<STSClient, "send">;
  logs: Pick<CloudWatchLogsClient, "send">;
  now?: () => Date;
}

/**
 * The audit trail in AWS: the caller's identity from STS GetCallerIdentity (its ARN: which role session, so which
 * person, ran the command; "No permissions are required to perform this operation", even under an explicit deny:
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html), one new log stream per run in the support audit log group (support roles may only create streams
 * and put events there), every line also in the local file. Fails before anything is done when either cannot be had.
 */
export async function awsAuditTrail(options: AwsAuditOptions): Promise<AuditTrail> {
  const now = options.now ?? (() => new Date());
  const arn = await callerArn(options.sts);
  // Log stream names: 1-512 characters, unique in the group, no ':' or '*' (CloudWatch Logs API Reference,
  // "CreateLogStream": https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogStream.html).
  const stream = `${now().toISOString().slice(0, 10)}/${arn.split(":").pop()!.replaceAll("*", "_")}/${randomBytes(6).toString("hex")}`.slice(0, 512);
  try {
    await options.logs.send(new CreateLogStreamCommand({ logGroupName: options.logGroupName, logStreamName: stream }));
  } catch (error) {
    throw new Error(`cannot write to the support audit log group ${options.logGroupName} (CreateLogStream: ${(error as Error).name}); nothing was done`);
  }

  let batch: InputLogEvent[] = [];
  let bytes = 0;
  let sending: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  const flush = () => {
    if (batch.length === 0) return;
    const logEvents = batch;
    batch = [];
    bytes = 0;
    sending = sending.then(async () => {
      try {
        const answer = await options.logs.send(new PutLogEventsCommand({ logGroupName: options.logGroupName, logStreamName: stream, logEvents }));
        const rejected = answer.rejectedLogEventsInfo;
        if (rejected && Object.values(rejected).some((index) => index !== undefined)) throw Object.assign(new Error("some lines were rejected"), { name: "RejectedLogEvents" });
      } catch (error) {
        failure ??= error as Error;
      }
    });
  };
  return {
    operator: arn,
    write(line) {
      const message = JSON.stringify(line);
      appendAudit(options.file, line);
      const timestamp = now().getTime();
      const size = Buffer.byteLength(message) + PUT_LOG_EVENTS_LIMITS.overheadBytes;
      const first = batch[0]?.timestamp;
      if (batch.length >= PUT_LOG_EVENTS_LIMITS.maxEvents || bytes + size > PUT_LOG_EVENTS_LIMITS.maxBytes || (first !== undefined && timestamp - first > PUT_LOG_EVENTS_LIMITS.maxSpanMs)) flush();
      batch.push({ timestamp, message });
      bytes += size;
    },
    async close() {
      flush();
      await sending;
      if (failure) {
        throw new Error(`audit lines not all written to the log group ${options.logGroupName} (${failure.name}); every line is in ${options.file}: send it to the platform team`);
      }
    },
  };
}

/** The caller's ARN from STS GetCallerIdentity, or an error saying nothing was done (call it before doing anything). */
export async function callerArn(sts: Pick<STSClient, "send"> = new StsClient({})): Promise<string> {
  let arn: string | undefined;
  try {
    arn = (await sts.send(new GetCallerIdentityCommand({}))).Arn;
  } catch (error) {
    throw new Error(`cannot read your AWS identity (STS GetCallerIdentity: ${(error as Error).name}); nothing was done. Check AWS_PROFILE / your session`);
  }
  if (!arn) throw new Error("STS GetCallerIdentity returned no ARN; nothing was done");
  return arn;
}

/** The outputs' audit log group, or a usage error: an AWS command that sends or deletes is not run unaudited. */
export function auditLogGroupOf(outputs: Pick<EnvironmentOutputs, "pipeline">, file: string): string {
  const name = supportAuditLogGroup(outputs);
  if (name === undefined) {
    throw new UsageError(`--outputs ${file} has no pipeline.support.audit_log_group_name: take the outputs of an environment deployed with the support audit log group (make output ENV=<env>)`);
  }
  return name;
}


/** The command's audit trail: in AWS (`--outputs`) the caller's STS identity and the outputs' log group; locally the file. */
export async function openAuditTrail(target: TargetOptions, file: string): Promise<AuditTrail> {
  if (target.kind === "local") return localAuditTrail(file);
  const logGroupName = auditLogGroupOf(readOutputs(target.outputsFile), target.outputsFile);
  return awsAuditTrail({ file, logGroupName, sts: new StsClient({}), logs: new LogsClient({}) });
}
