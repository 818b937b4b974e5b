import { z } from "zod";
import { EncryptedField } from "./envelope.ts";
import { PlatformEvent } from "./events.ts";
import { TrustConfig } from "./trust-config.ts";
import { WEBHOOK_BODIES, webhookBodySchema, webhookBodySchemaId } from "./webhook-body.ts";

export { WEBHOOK_SCHEMAS_DIR } from "./webhook-body.ts";

const SCHEMA_BASE = "https://schemas.trust-callbacks.nhs.uk/";

/** The JSON Schema files generated from the zod sources, by file name, as the text committed in schemas/json. */
export function renderJsonSchemas(): Record<string, string> {
  const sources = {
    "platform-event.schema.json": { schema: PlatformEvent, io: "output", title: "Platform conversation event" },
    "encrypted-field.schema.json": { schema: EncryptedField, io: "output", title: "Encrypted field envelope" },
    // Trust files are written by people, so their schema is the input side (defaults optional).
    "trust-config.schema.json": { schema: TrustConfig, io: "input", title: "Trust config file" },
  } as const;
  return Object.fromEntries(
    Object.entries(sources).map(([file, { schema, io, title }]) => {
      const json = z.toJSONSchema(schema, { io, target: "draft-2020-12" });
      return [file, JSON.stringify({ $id: SCHEMA_BASE + file, title, ...json }, null, 2) + "\n"];
    }),
  );
}

/**
 * The JSON Schema of each webhook body (event type × payload profile), by path below WEBHOOK_SCHEMAS_DIR
 * (`message.created/full/v1.json`), as the text committed there.
 */
export function renderWebhookBodySchemas(): Record<string, string> {
  return Object.fromEntries(
    WEBHOOK_BODIES.map(({ type, profile }) => {
      const $id = webhookBodySchemaId(type, profile);
      const { $schema, title, description, ...json } = z.toJSONSchema(webhookBodySchema(type, profile), { io: "output", target: "draft-2020-12" });
      const text = JSON.stringify({ $id, $schema, title, description, ...json }, null, 2) + "\n";
      return [`${type}/${profile}/v1.json`, text];
    }),
  );
}
