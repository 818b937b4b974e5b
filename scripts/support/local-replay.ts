import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { LocalPipeline, SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import type { TargetOptions } from "./args.ts";
import type { StreamWriter } from "./stream.ts";

/**
 * The local pipeline a replay puts records into: a fresh one on the given trusts (their files as they are now),
 * whose endpoints are all healthy, with the run's key, history, stream file and quarantine (all under the folder
 * of the local DLQs, `.local/`), so replayed records are processed, recorded and quarantined like any other.
 */
export async function localReplayPipeline(target: TargetOptions & { kind: "local" }): Promise<{ pipeline: LocalPipeline; stream: StreamWriter; finish(): Promise<string[]> }> {
  const local = dirname(target.root);
  const trustsDir = target.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const healthy = Object.fromEntries(loadTrusts(trustsDir).flatMap((t) => t.endpoints.map((e) => [`${t.trustId}/${e.id}`, { behaviour: { kind: "ok" } }])));
  const receiversFile = join(target.root, ".replay-receivers.json");
  writeFileSync(receiversFile, JSON.stringify(healthy));
  const pipeline = await LocalPipeline.start({
    trustsDir,
    receiversFile,
    dlqDir: target.root,
    historyFile: join(local, "history.jsonl"),
    streamFile: join(local, "stream.jsonl"),
    quarantineDir: join(local, "quarantine"),
    masterKeyFile: join(local, "master.key"),
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
      return [...pipeline.receivers].filter(([, r]) => r.deliveries.length > 0).map(([key, r]) => `${key}: received ${r.deliveries.length}`);
    },
  };
}
