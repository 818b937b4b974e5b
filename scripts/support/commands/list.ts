import type { SupportCommand } from "../args.ts";
import { openTarget } from "../target.ts";

/** `list`: every trust's DLQ, its depth and the age of its oldest message. */
export async function list(command: SupportCommand & { name: "list" }): Promise<number> {
  for (const [trustId, queue] of openTarget(command.target).queues) {
    const { depth, oldestSentTimestamp } = await queue.stats();
    const age = oldestSentTimestamp ? `${Math.round((Date.now() - oldestSentTimestamp) / 60000)} min` : "-";
    console.log(`${trustId.padEnd(8)} depth ${String(depth).padStart(6)}  oldest ${age.padStart(8)}  ${queue.location}`);
  }
  return 0;
}
