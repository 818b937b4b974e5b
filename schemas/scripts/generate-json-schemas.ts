/**
 * Writes schemas/json/*.schema.json from the zod sources. Run `npm run schemas:generate`
 * after changing a schema; a test fails while the committed files are stale.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderJsonSchemas } from "../src/json-schemas.ts";

const outDir = fileURLToPath(new URL("../json/", import.meta.url));
for (const [file, text] of Object.entries(renderJsonSchemas())) {
  writeFileSync(outDir + file, text);
  console.log(`wrote schemas/json/${file}`);
}
