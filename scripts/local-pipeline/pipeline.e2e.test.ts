import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, type LocalPipelineSummary } from "./pipeline.ts";

describe("local pipeline on the sample trusts, end to end", () => {
  let pipeline: LocalPipeline;
  let summary: LocalPipelineSummary;
  const put = 400;

  beforeAll(async () => {
    pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir: mkdtempSync(join(tmpdir(), "dlq-")),
    });
    const events = pipeline.events(7);
    for (let i = 0; i < put; i++) pipeline.put(events.next().value!);
    pipeline.put("not even base64!"); // bad input is quarantined, not lost
    await pipeline.drain();
    summary = pipeline.summary();
  }, 60_000);
  afterAll(() => pipeline.stop());

  it("accounts for every event", () => {
    expect(summary.unaccounted).toBe(0);
    const r = summary.records;
    expect(r.put).toBe(put + 1);
    expect(r.published + r.filtered + r.quarantined + r.pipeDeadLettered).toBe(put + 1);
    expect(r.quarantined).toBe(1);
    expect(r.published).toBeGreaterThan(50);
  });

  it("delivers to each endpoint exactly the event types and conditions it subscribed to", () => {
    for (const trust of pipeline.trusts) {
      for (const endpoint of trust.endpoints) {
        const receiver = pipeline.receivers.get(`${trust.trustId}/${endpoint.id}`)!;
        const allowed = endpoint.eventTypes.map((t) => `uk.nhs.trustcallbacks.${t}.v1`);
        for (const delivery of receiver.deliveries) {
          expect(allowed).toContain(delivery.type);
          expect(delivery.event).toMatchObject({ trustid: trust.trustId, endpointid: endpoint.id, payloadprofile: endpoint.payloadProfile });
          const priority = (delivery.event.data as { attributes: { priority?: string } }).attributes.priority;
          if (endpoint.conditions.priority) expect(endpoint.conditions.priority).toContain(priority);
        }
      }
    }
    const bleep = pipeline.receivers.get("RX1/bleep")!.deliveries;
    expect(bleep.length).toBeGreaterThan(0);
    expect(JSON.stringify(bleep)).not.toMatch(/"text"|displayName/);
    const ehr = pipeline.receivers.get("RX1/ehr")!.deliveries;
    expect(ehr.some((d) => typeof (d.event.data as { text?: unknown }).text === "string")).toBe(true);
    expect(pipeline.receivers.get("RDZ/ehr")!.deliveries).toHaveLength(0); // the trust's kill switch
  });

  it("presents each auth type correctly, fetching the OAuth token once and refreshing it after a 401", () => {
    const ehr = pipeline.receivers.get("RX1/ehr")!;
    expect(ehr.tokenRequests).toBe(2);
    expect(pipeline.destinations.get("RX1/ehr")!.stats.tokenFetches).toBe(2);
    // One revocation; requests already in flight with that token are refused too, then retried with the new one.
    const reasons = ehr.rejections.map((r) => r.reason);
    expect(reasons.filter((r) => r === "bearer token revoked")).toHaveLength(1);
    expect(reasons.every((r) => r === "bearer token revoked" || r === "unknown or expired bearer token")).toBe(true);
    const ehrSummary = summary.endpoints.find((e) => e.trustId === "RX1" && e.endpointId === "ehr")!;
    expect(ehrSummary.delivered).toBe(ehrSummary.published);
    for (const key of ["RX1/bleep", "R0A/records", "RYJ/legacy"]) {
      expect(pipeline.receivers.get(key)!.rejections).toEqual([]); // api_key and basic always accepted, every signature verified
    }
  });

  it("gets everything to the flaky endpoint in the end, and nothing twice", () => {
    const flaky = summary.endpoints.find((e) => e.endpointId === "records")!;
    expect(flaky.retries).toBeGreaterThan(0);
    expect(flaky.delivered).toBe(flaky.published);
    const receiver = pipeline.receivers.get("R0A/records")!;
    expect(receiver.deliveries).toHaveLength(flaky.published);
    expect(receiver.attempts).toBeGreaterThan(flaky.published);
  });

  it("dead-letters the down endpoint's events to its trust's DLQ with EventBridge's attributes", async () => {
    const down = summary.endpoints.find((e) => e.endpointId === "legacy")!;
    expect(down.published).toBeGreaterThan(0);
    expect(down.deadLettered).toBe(down.published);
    const messages = await pipeline.dlqs.get("RYJ")!.receive(1000, 30);
    expect(messages).toHaveLength(down.published);
    for (const message of messages) {
      expect(message.attributes).toEqual({
        ERROR_CODE: "ERROR_FROM_TARGET",
        ERROR_MESSAGE: "Received a response with status code 503 from the endpoint",
        EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts",
        RETRY_ATTEMPTS: "3",
        RULE_ARN: "arn:aws:events:local:000000000000:rule/trust-callbacks-local-callbacks/trust-callbacks-local-RYJ-legacy",
        TARGET_ARN: "arn:aws:events:local:000000000000:api-destination/trust-callbacks-local-RYJ-legacy/local",
      });
      const body = JSON.parse(message.body);
      expect(body).toMatchObject({ source: "trust-callbacks", detail: { event: { trustid: "RYJ", endpointid: "legacy" } } });
    }
    expect((await pipeline.dlqs.get("RX1")!.stats()).depth).toBe(0);
  });
});
