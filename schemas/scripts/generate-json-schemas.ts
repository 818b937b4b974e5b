/**
 * Writes schemas/json/*.schema.json and the webhook body schemas in docs/webhooks/schemas/ from the zod
 * sources. Run `npm run schemas:generate` after changing a schema; tests fail while the committed files are stale.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { WEBHOOK_SCHEMAS_DIR, renderJsonSchemas, renderWebhookBodySchemas } from "../src/json-schemas.ts";

const outDir = fileURLToPath(new URL("../json/", import.meta.url));
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(outDir + file, text);
  console.log(`wrote schemas/json/${file}`);
}

const webhooksDir = fileURLToPath(new URL(`../../${WEBHOOK_SCHEMAS_DIR}`, import.meta.url));
rmSync(webhooksDir, { recursive: true, force: true }); // no stale schema of a removed type survives
for (const [path, text] of Object.entries(renderWebhookBodySchemas())) {
  mkdirSync(dirname(webhooksDir + path), { recursive: true });
  writeFileSync(webhooksDir + path, text);
}
console.log(`wrote ${WEBHOOK_SCHEMAS_DIR}<event type>/<full|minimal>/v1.json`);
