/**
 * Writes docs/webhooks/<event type>.json: one example webhook body per event type, exactly as the
 * RX1/ehr sample endpoint (full profile) receives it from the local pipeline. `npm run catalogue`.
 * webhook-catalogue.test.ts keeps the committed examples valid against schemas/.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EVENT_TYPES } from "@trust-callbacks/schemas";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";

export const CATALOGUE_DIR = fileURLToPath(new URL("../../docs/webhooks/", import.meta.url));

export async function collectExamples(): Promise<Record<string, Record<string, unknown>>> {
  const pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir: mkdtempSync(join(tmpdir(), "cat-")) });
  const wanted = new Set<string>(EVENT_TYPES);
  for (const event of pipeline.events(3, ["RX1"])) {
    if (wanted.delete(event.type)) pipeline.put(event);
    if (wanted.size === 0) break;
  }
  await pipeline.drain();
  await pipeline.stop();
  const deliveries = pipeline.receivers.get("RX1/ehr")!.deliveries;
  return Object.fromEntries(deliveries.map((d) => [String(d.event.type).replace("uk.nhs.trustcallbacks.", "").replace(/\.v1$/, ""), d.event]));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const [type, event] of Object.entries(await collectExamples())) {
    writeFileSync(join(CATALOGUE_DIR, `${type}.json`), JSON.stringify(event, null, 2) + "\n");
    console.log(`wrote docs/webhooks/${type}.json`);
  }
}
