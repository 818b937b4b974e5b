import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import {
  EVENT_TYPES,
  PlatformEvent,
  WEBHOOK_BODIES,
  WEBHOOK_SCHEMAS_DIR,
  mapSensitiveFields,
  webhookBodySchemaId,
  webhookDataSchemaId,
  type EventType,
  type PayloadProfile,
} from "@trust-callbacks/schemas";
import { VECTORS_FILE, type SignatureVector } from "./signature-vectors.ts";
import { CATALOGUE_DIR } from "./webhook-catalogue.ts";

describe("webhook catalogue (docs/webhooks)", () => {
  it.each(EVENT_TYPES)("%s: the example is a valid CloudEvent whose data matches the platform event schema", (type) => {
    const example = JSON.parse(readFileSync(join(CATALOGUE_DIR, `${type}.json`), "utf8"));
    expect(new CloudEvent(example).validate()).toBe(true);
    expect(example).toMatchObject({ specversion: "1.0", type: `uk.nhs.trustcallbacks.${type}.v1`, payloadprofile: "full" });
    const { sourceEventId, conversationId, attributes, ...data } = example.data;
    const event = {
      eventId: sourceEventId,
      type,
      occurredAt: example.time,
      trustId: example.trustid,
      conversationId,
      correlationId: example.correlationid,
      attributes,
      data,
    };
    const parsed = PlatformEvent.safeParse(event);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    // Nothing in the example that the schema does not define (zod drops unknown keys).
    expect(parsed.data!.data).toEqual(data);
    expect(example.subject).toBe(`conversations/${conversationId}`);
  });
});

// The published files, as a trust would load them (the generator keeps them equal to the zod sources).
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
for (const { type, profile } of WEBHOOK_BODIES) {
  ajv.addSchema(JSON.parse(readFileSync(new URL(`../../${WEBHOOK_SCHEMAS_DIR}${type}/${profile}/v1.json`, import.meta.url), "utf8")));
}
const validate = (body: Record<string, unknown>, type: EventType, profile: PayloadProfile) => {
  const check = ajv.getSchema(webhookBodySchemaId(type, profile))!;
  return check(body) ? "valid" : ajv.errorsText(check.errors);
};
const catalogueExample = (type: EventType) => JSON.parse(readFileSync(join(CATALOGUE_DIR, `${type}.json`), "utf8")) as Record<string, unknown> & { data: Record<string, unknown> };
/** The same delivery to a minimal endpoint: every sensitive field removed (as the Lambda's minimalEventData does). */
const asMinimal = (type: EventType, example: ReturnType<typeof catalogueExample>) => ({
  ...example,
  payloadprofile: "minimal",
  dataschema: webhookDataSchemaId(type, "minimal"),
  data: mapSensitiveFields({ type, data: example.data } as unknown as PlatformEvent, () => undefined),
});
const typeOf = (body: { type?: unknown }) => String(body.type).replace("uk.nhs.trustcallbacks.", "").replace(/\.v1$/, "") as EventType;

describe("webhook body JSON Schemas (docs/webhooks/schemas)", () => {
  it.each(EVENT_TYPES)("%s: the catalogue example validates against its full-profile schema, and its minimal form against the minimal one", (type) => {
    const example = catalogueExample(type);
    expect(validate(example, type, "full")).toBe("valid");
    const minimal = asMinimal(type, example);
    expect(minimal.data).not.toEqual(example.data);
    expect(validate(minimal, type, "minimal")).toBe("valid");
    // Each schema refuses the other profile's body.
    expect(validate(minimal, type, "full")).not.toBe("valid");
    expect(validate(example, type, "minimal")).not.toBe("valid");
  });

  it("every signature vector's body validates against its schema (undecryptable fields included)", () => {
    const { vectors } = JSON.parse(readFileSync(VECTORS_FILE, "utf8")) as { vectors: SignatureVector[] };
    for (const vector of vectors) {
      const body = JSON.parse(vector.body);
      expect(validate(body, typeOf(body), body.payloadprofile), vector.name).toBe("valid");
    }
  });

  it("`dataschema` ids resolve to the data subschema", () => {
    const example = catalogueExample("message.created");
    const data = ajv.getSchema(webhookDataSchemaId("message.created", "full"))!;
    expect(data(example.data)).toBe(true);
    expect(data(example)).toBe(false);
    expect(validate({ ...example, dataschema: webhookDataSchemaId("message.created", "full") }, "message.created", "full")).toBe("valid");
  });

  it.each([
    ["an unknown attribute", (e: Record<string, unknown>) => ({ ...e, colour: "blue" }), /must NOT have additional properties/],
    ["another event type", (e: Record<string, unknown>) => ({ ...e, type: "uk.nhs.trustcallbacks.message.read.v1" }), /type must be equal to constant/],
    ["an unknown data field", (e: Record<string, unknown> & { data: object }) => ({ ...e, data: { ...e.data, extra: 1 } }), /data must NOT have additional properties/],
    ["a missing message text", (e: Record<string, unknown> & { data: object }) => ({ ...e, data: { ...e.data, text: undefined } }), /must have required property 'text'/],
    ["an undecryptable path of another type", (e: Record<string, unknown> & { data: object }) => ({ ...e, data: { ...e.data, text: null, undecryptableFields: ["data.topic"] } }), /must match pattern/],
    ["a time with an offset", (e: Record<string, unknown>) => ({ ...e, time: "2026-11-22T10:00:02.447+01:00" }), /time must match/],
  ])("the message.created full schema refuses %s", (_what, change, message) => {
    const body = JSON.parse(JSON.stringify(change(catalogueExample("message.created"))));
    expect(validate(body, "message.created", "full")).toMatch(message);
  });

  it("a null field listed in undecryptableFields is valid in the full profile", () => {
    const example = catalogueExample("message.created");
    const body = { ...example, data: { ...example.data, text: null, undecryptableFields: ["data.text"] } };
    expect(validate(body, "message.created", "full")).toBe("valid");
  });
});
