import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { UsageError } from "../../lib/command-line.ts";
import { FileQuarantineStore, S3QuarantineStore, type QuarantineStore } from "../../lib/quarantine-store.ts";
import type { SupportCommand } from "../args.ts";
import { auditTo, operator } from "../audit.ts";
import { localReplayPipeline } from "../local-replay.ts";
import { replayQuarantine } from "../replay-quarantine.ts";
import { KinesisStreamWriter, type StreamWriter } from "../stream.ts";
import { readOutputs } from "../target.ts";

const DEFAULT_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** `replay-quarantine`: a trust's quarantined records back on the source stream; each object removed once accepted. */
export async function replayQuarantineCommand(command: SupportCommand & { name: "replay-quarantine" }, signal: AbortSignal): Promise<number> {
  const until = command.until ?? new Date();
  const selection = { trustId: command.trust, since: command.since ?? new Date(until.getTime() - DEFAULT_WINDOW_MS), until, ...(command.reason ? { reason: command.reason } : {}) };
  let store: QuarantineStore;
  let stream: StreamWriter;
  let finish = async (): Promise<string[]> => [];
  if (command.target.kind === "aws") {
    const pipeline = readOutputs(command.target.outputsFile).pipeline?.value;
    if (!pipeline?.quarantine_bucket || !pipeline.source_stream_arn) {
      throw new UsageError("the outputs name no quarantine bucket or source stream (pipeline.quarantine_bucket, pipeline.source_stream_arn)");
    }
    store = new S3QuarantineStore(new S3Client({}), pipeline.quarantine_bucket);
    stream = new KinesisStreamWriter(new KinesisClient({}), pipeline.source_stream_arn);
  } else {
    store = new FileQuarantineStore(command.quarantineDir);
    const local = command.dryRun ? undefined : await localReplayPipeline(command.target);
    stream = local?.stream ?? { put: async () => Promise.reject(new Error("dry run puts nothing")) };
    if (local) finish = local.finish;
  }
  const summary = await replayQuarantine(store, stream, {
    selection,
    dryRun: command.dryRun,
    ratePerSecond: command.ratePerSecond,
    operator: operator(),
    audit: auditTo(command.auditFile),
    signal,
    progress: (done) => process.stderr.isTTY && process.stderr.write(`\rreplayed ${done}`),
  });
  for (const line of await finish()) console.error(line);
  console.error(`\n${JSON.stringify({ ...summary, from: store.location })}`);
  return summary.failed > 0 ? 1 : 0;
}
