import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CloudEvent } from "cloudevents";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, PlatformEvent } from "@trust-callbacks/schemas";
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
