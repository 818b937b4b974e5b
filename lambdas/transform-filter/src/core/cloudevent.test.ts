import { CloudEvent } from "cloudevents";
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
});
