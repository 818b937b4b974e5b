import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "./pipeline.ts";

describe("local pipeline under load", () => {
  it("delivers or dead-letters every one of thousands of events, none lost, none to the wrong endpoint", async () => {
    const pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir: mkdtempSync(join(tmpdir(), "dlq-load-")),
      batchSize: 100,
      shards: 4,
    });
    const events = pipeline.events(2026);
    const count = 3000;
    for (let i = 0; i < count; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
    const summary = pipeline.summary();

    expect(summary.unaccounted).toBe(0);
    expect(summary.records.put).toBe(count);
    expect(summary.records.published + summary.records.filtered).toBe(count);
    for (const endpoint of summary.endpoints) {
      const receiver = pipeline.receivers.get(`${endpoint.trustId}/${endpoint.endpointId}`)!;
      expect(endpoint.delivered + endpoint.deadLettered, `${endpoint.trustId}/${endpoint.endpointId}`).toBe(endpoint.published);
      expect(receiver.deliveries).toHaveLength(endpoint.delivered);
      for (const delivery of receiver.deliveries) {
        expect(delivery.event).toMatchObject({ trustid: endpoint.trustId, endpointid: endpoint.endpointId });
      }
      expect(new Set(receiver.deliveries.map((d) => d.webhookId)).size).toBe(receiver.deliveries.length);
    }
    const flaky = summary.endpoints.find((e) => e.endpointId === "records")!;
    expect(flaky.published).toBeGreaterThan(300);
    expect(flaky.retries).toBeGreaterThan(100);
    expect(flaky.delivered).toBe(flaky.published);
  }, 120_000);
});
