import { UsageError } from "../../lib/command-line.ts";
import type { TriggerCommand } from "../args.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../pipeline.ts";

/** `trigger`: one generated event of the named type for the trust, through the pipeline; prints its outcome. */
export async function trigger(command: TriggerCommand): Promise<number> {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const pipeline = await LocalPipeline.start({
    trustsDir,
    ...(command.trustsDir ? {} : { receiversFile: SAMPLE_RECEIVERS_FILE }),
    dlqDir: command.dlqDir,
  });
  try {
    if (!pipeline.trusts.some((t) => t.trustId === command.trust)) throw new UsageError(`no trust ${command.trust} in ${trustsDir}`);
    const event = [...take(pipeline.events(command.seed, [command.trust]), 5000)].find((e) => e.type === command.type);
    if (!event) throw new Error(`could not generate a ${command.type}`);
    pipeline.put(event);
    await pipeline.drain();
  } finally {
    await pipeline.stop();
  }
  const outcome = [...pipeline.outcomes.values()][0];
  console.log(JSON.stringify({ state: outcome?.state, reason: outcome?.reason, deliveries: outcome?.deliveries }, null, 2));
  return pipeline.summary().unaccounted === 0 ? 0 : 1;
}

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  for (const item of items) {
    if (n-- <= 0) return;
    yield item;
  }
}
