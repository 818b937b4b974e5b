import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileNoticeOutbox } from "../lib/local-holds.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "./pipeline.ts";

/** Waits until every record put so far has its final state and every delivery ended, without closing the stream. */
async function settle(pipeline: LocalPipeline): Promise<void> {
  for (;;) {
    const progress = pipeline.progress();
    if (progress.processed >= progress.put && progress.inFlight === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await Promise.all([...pipeline.destinations.values()].map((destination) => destination.idle()));
  await pipeline.notices!.idle();
}

// docs/guarantees.md 10.36: RYJ/legacy answers 503 (sample receivers) until it is brought back; the test reads the outbox.
describe("the local pipeline tells trusts of failing and recovered deliveries", () => {
  it("one deliveries-failing at the first dead letter, nothing for more, one deliveries-recovered at the first accepted delivery", async () => {
    const dir = mkdtempSync(join(tmpdir(), "local-notices-"));
    const noticesFile = join(dir, "notices.ndjson");
    const pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir: join(dir, "dlq"),
      masterKeyFile: join(dir, "master.key"),
      maxRetries: 0,
      noticesFile,
    });
    try {
      const events = pipeline.events(11, ["RYJ"]);
      for (let i = 0; i < 20; i++) pipeline.put(events.next().value!);
      await settle(pipeline);
      const deadLettered = pipeline.progress().deadLettered;
      expect(deadLettered).toBeGreaterThan(1);
      const outbox = new FileNoticeOutbox(noticesFile);
      const failing = outbox.read();
      expect(failing).toEqual([
        expect.objectContaining({ kind: "deliveries-failing", trustId: "RYJ", endpointId: "legacy", cause: "dead-letters", id: expect.stringMatching(/^deliveries-failing#RYJ#legacy#dead-letters@/) }),
      ]);

      pipeline.receivers.get("RYJ/legacy")!.setBehaviour({ kind: "ok" });
      const later = pipeline.events(12, ["RYJ"]);
      for (let i = 0; i < 20; i++) pipeline.put(later.next().value!);
      await pipeline.drain();
      expect(pipeline.progress().deadLettered).toBe(deadLettered);
      const told = outbox.read();
      expect(told.map((n) => `${n.kind} ${n.trustId}/${n.endpointId}`)).toEqual(["deliveries-failing RYJ/legacy", "deliveries-recovered RYJ/legacy"]);
      expect(told[1]!.id.split("#").at(-1)).toBe(told[0]!.id.split("#").at(-1)); // the recovery names the failure it ends
      expect(Date.parse(told[1]!.at)).toBeGreaterThanOrEqual(Date.parse(told[0]!.at));
      expect(pipeline.notices!.failures).toEqual([]);
    } finally {
      await pipeline.stop();
    }
  }, 120_000);
});
