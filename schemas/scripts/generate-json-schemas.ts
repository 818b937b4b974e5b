/**
 * Writes schemas/json/*.schema.json, the webhook body schemas in docs/webhooks/schemas/ and the field reference
 * in docs/trust-config.md (between its markers; the prose around it is kept) from the zod sources. Run
 * `npm run schemas:generate` after changing a schema; tests fail while the committed files are stale.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { renderFieldReference, withFieldReference } from "../src/field-reference.ts";
import { WEBHOOK_SCHEMAS_DIR, renderJsonSchemas, renderWebhookBodySchemas } from "../src/json-schemas.ts";
import { TrustConfig } from "../src/trust-config.ts";

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

const trustConfigDoc = fileURLToPath(new URL("../../docs/trust-config.md", import.meta.url));
writeFileSync(trustConfigDoc, withFieldReference(readFileSync(trustConfigDoc, "utf8"), renderFieldReference(TrustConfig)));
console.log("wrote the field reference in docs/trust-config.md");
