import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { UsageError } from "../../lib/command-line.ts";
import { FileQuarantineStore, S3QuarantineStore, type QuarantineStore } from "../../lib/quarantine-store.ts";
import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { actionReport, terminalProgress } from "../output.ts";
import { SAMPLE_TRUSTS_DIR } from "../../local-pipeline/pipeline.ts";
import { localReplayPipeline } from "../local-replay.ts";
import { replayQuarantine } from "../replay-quarantine.ts";
import { KinesisStreamWriter, type StreamWriter } from "../stream.ts";
import { readOutputs } from "../target.ts";
import { readTrustFiles } from "../trust-files.ts";

const DEFAULT_WINDOW_MS = 14 * 24 * 3600 * 1000;

/** `replay-quarantine`: a trust's quarantined records back on the source stream; each object removed once accepted. */
export async function replayQuarantineCommand(command: SupportCommand & { name: "replay-quarantine" }, signal: AbortSignal): Promise<number> {
  const until = command.until ?? new Date();
  const selection = { trustId: command.trust, since: command.since ?? new Date(until.getTime() - DEFAULT_WINDOW_MS), until, ...(command.reason ? { reason: command.reason } : {}) };
  // Promise 7.2: the one cause this tool can check, a trust with no trust file, refuses before anything is sent.
  const trustsDir = command.target.trustsDir ?? (command.target.kind === "local" ? SAMPLE_TRUSTS_DIR : undefined);
  if (trustsDir !== undefined) {
    const trusts = readTrustFiles(trustsDir, command.target.kind === "aws");
    if (!trusts.some((t) => t.trustId === command.trust)) {
      const refusal = `${command.trust} has no trust file in ${trustsDir}: its records would be quarantined again ("unknown trust"); deploy ${command.trust}.json first`;
      if (!command.dryRun) throw new UsageError(`${refusal}; nothing replayed`);
      console.error(`warning: ${refusal}`);
    }
  }
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
  const trail = await openAuditTrail(command.target, command.auditFile);
  const report = actionReport(command.json, trail);
  const startedAt = Date.now();
  const progress = terminalProgress();
  const summary = await replayQuarantine(store, stream, {
    selection,
    dryRun: command.dryRun,
    ratePerSecond: command.ratePerSecond,
    operator: trail.operator,
    audit: report.audit,
    signal,
    progress: (done) => progress(`replayed ${done} (${Math.round((Date.now() - startedAt) / 1000)} s)`),
  });
  if (process.stderr.isTTY) process.stderr.write("\n");
  for (const line of await finish()) console.error(line);
  await report.finish({ ...summary, from: store.location }, [
    `${command.trust}: ${summary.selected} quarantined record(s) selected in ${store.location}; ${command.dryRun ? `${summary.selected - summary.skipped} would be replayed` : `${summary.replayed} replayed and removed`}, ${summary.failed} failed (kept), ${summary.skipped} skipped (kept)${summary.stoppedEarly ? "; stopped early" : ""}`,
  ]);
  return summary.failed > 0 ? 1 : 0;
}
