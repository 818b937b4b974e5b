import { CloudEvent } from "cloudevents";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import { buildCloudEvent, cloudEventId, cloudEventTime } from "./cloudevent.ts";

describe("cloudEventId", () => {
  it("is a UUIDv8, the same for the same event and endpoint, and different per endpoint", () => {
    const id = cloudEventId("e1", "RX1", "ep1");
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(cloudEventId("e1", "RX1", "ep1")).toBe(id);
    expect(cloudEventId("e1", "RX1", "ep2")).not.toBe(id);
    expect(cloudEventId("e1", "RX2", "ep1")).not.toBe(id);
  });

  it("never changes for a given input: receivers deduplicate on it across deployments", () => {
    // SHA-256("e1\nRX1\nep1")[0..16] with the version and variant bits set, per RFC 9562.
    expect(cloudEventId("e1", "RX1", "ep1")).toBe("03eff837-ac06-8c6a-80a7-491de37f58d4");
  });
});

describe("buildCloudEvent", () => {
  it("builds a valid CloudEvents 1.0 event with trust, endpoint and correlation extensions", () => {
    const event = plainMessageCreated("RX1", { correlationId: "corr-9" });
    const endpoint = trustConfig("RX1").endpoints[0]!;
    const built = buildCloudEvent({ event, time: cloudEventTime(event), endpoint, data: event.data, undecryptableFields: [], source: "/trust-callbacks/test" });
    expect(built).toMatchObject({
      specversion: "1.0",
      type: "uk.nhs.trustcallbacks.message.created.v1",
      source: "/trust-callbacks/test",
      subject: `conversations/${event.conversationId}`,
      time: "2026-11-22T09:30:00.000Z",
      trustid: "RX1",
      endpointid: "ep1",
      correlationid: "corr-9",
      payloadprofile: "full",
      data: { sourceEventId: event.eventId, conversationId: event.conversationId },
    });
    expect(new CloudEvent(built as never).validate()).toBe(true);
    expect(JSON.parse(JSON.stringify(built))).toEqual(new CloudEvent(built as never).toJSON()); // what the SDK would serialize
    expect(built.data).not.toHaveProperty("undecryptableFields");
  });

  it("gives time in UTC whatever offset the platform wrote", () => {
    const event = plainMessageCreated("RX1", { occurredAt: "2026-11-22T10:30:00.5+01:00" });
    expect(cloudEventTime(event)).toBe("2026-11-22T09:30:00.500Z");
  });

  it("gives the time Date gives, for times already in UTC too, including dates Date rolls over", () => {
    // Prepare: times in toISOString()'s own form (answered without a Date) beside ones that are not
    const dateOf = (occurredAt: string) => {
      try {
        return new Date(occurredAt).toISOString();
      } catch {
        return "invalid";
      }
    };
    const timeOf = (occurredAt: string) => {
      try {
        return cloudEventTime(plainMessageCreated("RX1", { occurredAt }));
      } catch {
        return "invalid";
      }
    };
    const edges = [
      "2024-02-29T10:00:00.000Z", "2026-02-29T10:00:00.000Z", "1900-02-29T00:00:00.000Z", "2000-02-29T00:00:00.000Z",
      "2026-02-30T00:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-12-31T23:59:59.999Z", "2026-11-22T24:00:00.000Z",
      "2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "2026-01-00T00:00:00.000Z", "2026-12-31T23:59:60.000Z",
      "2026-12-31T23:60:00.000Z", "0000-01-01T00:00:00.000Z", "2026-11-22T09:30:00Z", "2026-11-22T09:30:00.5Z",
    ];
    const pad = (n: number, width = 2) => String(n).padStart(width, "0");
    const generated = fc.tuple(
      fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 999 }),
    ).map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}.${pad(ms, 3)}Z`);

    // Act / Assess
    for (const occurredAt of edges) expect(timeOf(occurredAt), occurredAt).toBe(dateOf(occurredAt));
    fc.assert(fc.property(generated, (occurredAt) => timeOf(occurredAt) === dateOf(occurredAt)), { numRuns: 2000 });
  });
});
