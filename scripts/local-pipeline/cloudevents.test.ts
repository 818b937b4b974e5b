import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { CloudEvent, HTTP } from "cloudevents";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, WEBHOOK_SCHEMAS_DIR } from "@trust-callbacks/schemas";
import { readLocalSecrets } from "../lib/local-secrets.ts";
import { verifyWebhook } from "../lib/verify-webhook.ts";
import { LocalPipeline } from "./pipeline.ts";

const ROOT = join(import.meta.dirname, "../..");
const SCHEMA_BASE = "https://schemas.trust-callbacks.nhs.uk/webhooks/";

/**
 * Resolves a `dataschema` as a receiver would with the published files: the URI names a file under
 * docs/webhooks/schemas/ (its path after the base) and a JSON Pointer into it. Returns the validator of `data`.
 */
function dataValidator(dataschema: string) {
  expect(dataschema.startsWith(SCHEMA_BASE)).toBe(true);
  const [path, pointer] = dataschema.slice(SCHEMA_BASE.length).split("#") as [string, string];
  const file = join(ROOT, WEBHOOK_SCHEMAS_DIR, path);
  expect(existsSync(file), file).toBe(true);
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));
  expect(pointer).toBe("/properties/data");
  return ajv.getSchema(dataschema)!;
}

describe("CloudEvents contract of a delivery", () => {
  it("a real local delivery is structured-mode CloudEvents that the SDK's HTTP binding parses, signed with the secrets file's key", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
    const dir = mkdtempSync(join(tmpdir(), "ce-"));
    writeFileSync(
      join(dir, "RX1.json"),
      JSON.stringify({
        trustId: "RX1",
        name: "Test",
        enabled: true,
        endpoints: ["full", "minimal"].map((payloadProfile) => ({
          id: payloadProfile,
          url: `${url}/${payloadProfile}`,
          eventTypes: [...EVENT_TYPES],
          payloadProfile,
          auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: `trust-callbacks/local/credentials/RX1/${payloadProfile}` },
          signingSecret: `trust-callbacks/local/signing/RX1/${payloadProfile}`,
        })),
      }),
    );
    const secretsFile = join(dir, "secrets.json");
    const pipeline = await LocalPipeline.start({ trustsDir: dir, dlqDir: join(dir, "dlq"), secretsFile });
    try {
      let count = 0;
      for (const event of pipeline.events(5, ["RX1"])) {
        pipeline.put(event);
        if (++count === 10) break;
      }
      await pipeline.drain();
    } finally {
      await pipeline.stop();
      server.close();
    }
    const secrets = readLocalSecrets(secretsFile);
    expect(received.length).toBe(20);
    for (const { headers, body } of received) {
      expect(headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
      const [event] = [HTTP.toEvent({ headers, body })].flat() as CloudEvent<Record<string, unknown>>[];
      expect(event).toBeInstanceOf(CloudEvent);
      expect(event!.validate()).toBe(true);
      const sent = JSON.parse(body);
      expect(event!.id).toBe(headers["webhook-id"]);
      expect(event!.data).toEqual(sent.data);
      expect(event!.dataschema).toBe(sent.dataschema);
      expect(event!.payloadprofile).toBe(sent.endpointid);
      expect(headers["x-api-key"]).toBe(JSON.parse(secrets[`trust-callbacks/local/credentials/RX1/${sent.endpointid}`]!).api_key);
      verifyWebhook(secrets[`trust-callbacks/local/signing/RX1/${sent.endpointid}`]!, headers as Record<string, string>, body);
      const validate = dataValidator(event!.dataschema!);
      expect(validate(event!.data), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it.each(EVENT_TYPES)("the catalogue's %s example names its dataschema, which resolves to a published file that validates its data", (type) => {
    const example = JSON.parse(readFileSync(join(ROOT, "docs/webhooks", `${type}.json`), "utf8"));
    expect(example.dataschema).toBe(`${SCHEMA_BASE}${type}/${example.payloadprofile}/v1.json#/properties/data`);
    const validate = dataValidator(example.dataschema);
    expect(validate(example.data), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...example.data, unexpected: true })).toBe(false);
  });
});
