import { dirname, join } from "node:path";
import { LocalPipeline } from "../local-pipeline/pipeline.ts";
import type { TargetOptions } from "./args.ts";
import type { StreamWriter } from "./stream.ts";
import { deliveredLines, localDelivery } from "./target.ts";

/**
 * The local pipeline a replay puts records into: a fresh one on the given trusts (their files as they are now),
 * delivering where `localDelivery` says (your trust files' URLs, or the sample trusts' healthy receivers), with the run's key, history, stream file and quarantine (all under the folder
 * of the local DLQs, `.local/`), so replayed records are processed, recorded and quarantined like any other.
 */
export async function localReplayPipeline(target: TargetOptions & { kind: "local" }): Promise<{ pipeline: LocalPipeline; stream: StreamWriter; finish(): Promise<string[]> }> {
  const local = dirname(target.root);
  const pipeline = await LocalPipeline.start({
    ...localDelivery(target),
    dlqDir: target.root,
    historyFile: join(local, "history.jsonl"),
    streamFile: join(local, "stream.jsonl"),
    quarantineDir: join(local, "quarantine"),
    masterKeyFile: join(local, "master.key"),
    holdsDir: join(local, "holds"),
  });
  return {
    pipeline,
    stream: {
      put: async (records) =>
        records.map((record) => {
          pipeline.putRecord(record.data, record.partitionKey);
          return { accepted: true };
        }),
    },
    finish: async () => {
      await pipeline.drain();
      await pipeline.stop();
      return deliveredLines(pipeline, target.root);
    },
  };
}
