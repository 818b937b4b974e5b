import { dirname, join } from "node:path";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import { historyFileWriter } from "../../lib/call-history.ts";
import { UsageError } from "../../lib/command-line.ts";
import type { SupportCommand } from "../args.ts";
import { openAuditTrail } from "../audit.ts";
import { supportHistoryFor } from "../history-source.ts";
import { actionReport, terminalProgress } from "../output.ts";
import { localReplayPipeline } from "../local-replay.ts";
import { replay } from "../replay.ts";
import { FileStreamReader, KinesisStreamReader, type StreamReader } from "../stream.ts";
import { InProcessSupportSigner, LambdaSupportSigner, type SupportSigner } from "../support-signer.ts";
import { openTarget, readOutputs, supportSignerOf } from "../target.ts";

/** `replay`: a window of the source stream, re-delivered to one trust (and endpoint) through the Lambda's core. */
export async function replayCommand(command: SupportCommand & { name: "replay" }, signal: AbortSignal): Promise<number> {
  const target = openTarget(command.target);
  const trust = target.trusts.find((t) => t.trustId === command.trust);
  if (!trust) throw new UsageError(`trust ${command.trust} is not in the trust files; the trusts are ${target.trusts.map((t) => t.trustId).join(", ")}`);
  if (command.endpoint && !trust.endpoints.some((e) => e.id === command.endpoint)) {
    throw new UsageError(`trust ${command.trust} has no endpoint ${command.endpoint}; it has ${trust.endpoints.map((e) => e.id).join(", ")}`);
  }
  let reader: StreamReader;
  let signer: SupportSigner;
  let finish = async (): Promise<string[]> => [];
  if (command.target.kind === "aws") {
    const outputs = readOutputs(command.target.outputsFile);
    const pipeline = outputs.pipeline?.value;
    if (!pipeline?.source_stream_arn) throw new UsageError("the outputs name no source stream (pipeline.source_stream_arn)");
    if (!outputs.trusts.value[trust.trustId]?.event_bus_name) throw new UsageError(`the outputs name no callbacks bus for trust ${trust.trustId}`);
    if (command.cloudEventSource) console.error("note: on AWS the support signer's own CLOUDEVENT_SOURCE is used; --cloudevent-source applies locally only");
    // The operator reads the stream (ciphertext); the support signer decrypts, signs and publishes (guarantees 5.20).
    reader = new KinesisStreamReader(new KinesisClient({}), pipeline.source_stream_arn);
    signer = LambdaSupportSigner.forFunction(supportSignerOf(outputs));
  } else {
    reader = new FileStreamReader(command.streamFile);
    const local = await localReplayPipeline(command.target);
    const write = historyFileWriter(join(dirname(command.target.root), "history.jsonl"));
    // The signer's own code, in-process (the local pipeline has no IAM).
    signer = new InProcessSupportSigner({
      trusts: local.pipeline.trusts,
      keys: local.pipeline.keyProvider,
      secrets: local.pipeline.secrets,
      publisher: local.pipeline.bus,
      eventBusName: local.pipeline.bus.busName,
      cloudEventSource: command.cloudEventSource ?? "/trust-callbacks/local",
      holds: local.pipeline.holds,
      ...(command.dryRun ? {} : { history: { published: (delivery: PublishedDelivery) => write({ source: "lambda", kind: "published", ...delivery }) } }),
    });
    finish = local.finish;
  }
  // The audit trail before anything is sent: in AWS a command that cannot be audited does nothing (promise 7.5).
  const trail = await openAuditTrail(command.target, command.auditFile);
  const report = actionReport(command.json, trail);
  // Each redriven or replayed delivery's history record (docs/guarantees.md 8.21), written even when the run stops early.
  const history = supportHistoryFor(command.target);
  const progress = terminalProgress();
  const summary = await replay(reader, {
    trust,
    ...(command.endpoint ? { endpointId: command.endpoint } : {}),
    window: { since: command.since, until: command.until },
    dryRun: command.dryRun,
    ratePerSecond: command.ratePerSecond,
    signer,
    operator: trail.operator,
    audit: (line) => {
      report.audit(line);
      history.record(line);
    },
    signal,
    progress: (read, replayed) => progress(`read ${read} stream records, replayed ${replayed} deliveries`),
  }).finally(() => history.flush());
  if (process.stderr.isTTY) process.stderr.write("\n");
  for (const line of await finish()) console.error(line);
  await report.finish(summary, [
    `${command.trust}: read ${summary.read} records in the window, ${summary.selected} of the trust's events; ${summary.deliveriesReplayed} deliveries ${command.dryRun ? "would be replayed" : "replayed"}, ${summary.filtered} events filtered, ${summary.skipped} skipped (would be quarantined), ${summary.failed} failed${summary.stoppedEarly ? "; stopped early" : ""}`,
  ]);
  return summary.failed > 0 ? 1 : 0;
}
