import { describe, expect, it } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import { busLogQuery, deliveryPaths, lambdaHistoryQuery, type HistoryFilter } from "./call-history.ts";

const window = { since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), limit: 100 };
const published = (overrides: Partial<PublishedDelivery> = {}): PublishedDelivery => ({
  trustId: "RX1",
  endpointId: "ehr",
  cloudEventId: "ce-1",
  sourceEventId: "src-1",
  eventCorrelationId: "corr-1",
  eventType: "uk.nhs.trustcallbacks.message.created.v1",
  busEventId: "bus-1",
  publishedAt: "2026-11-21T10:30:00.000Z",
  ...overrides,
});
const at = (s: number) => Date.parse("2026-11-21T10:30:00Z") + s * 1000;

describe("lambdaHistoryQuery", () => {
  it.each<[Partial<HistoryFilter>, string[]]>([
    [{ trustId: "RX1" }, ['filter trustId = "RX1"']],
    [{ trustId: "RX1", endpointId: "ehr" }, ['filter trustId = "RX1"', 'filter endpointId = "ehr" or message = "record quarantined"']],
    [{ sourceEventId: "src-1" }, ['filter sourceEventId = "src-1" or eventId = "src-1"']],
    [{ cloudEventId: "ce-1" }, ['filter cloudEventId = "ce-1" or message = "record quarantined"']],
  ])("%j filters with %j", (filter, expected) => {
    const query = lambdaHistoryQuery({ ...window, ...filter });
    const lines = query.split("\n| ");
    expect(lines[0]).toBe("fields @timestamp, @message");
    expect(lines[1]).toBe('filter message = "delivery published" or message = "record quarantined"');
    expect(lines.slice(2, -2)).toEqual(expected);
    expect(lines.slice(-2)).toEqual(["sort @timestamp asc", "limit 100"]);
  });

  it("asks the buses' logs for the invocation steps of exactly the given bus events", () => {
    expect(busLogQuery(["a", "b"])).toBe(
      'fields @timestamp, event_id, message_type, message_timestamp_ms, error.http_status_code, error.error_message\n| filter event_id in ["a", "b"]\n| filter message_type like /^INVOCATION_/\n| sort @timestamp asc\n| limit 10000',
    );
  });
});

describe("deliveryPaths", () => {
  it("reads each delivery's path: delivered after retries, in retry, dead-lettered, pending, quarantined", () => {
    const paths = deliveryPaths(
      [
        published(),
        published({ busEventId: "bus-2", cloudEventId: "ce-2", publishedAt: "2026-11-21T10:31:00.000Z" }),
        published({ busEventId: "bus-3", cloudEventId: "ce-3", endpointId: "legacy", publishedAt: "2026-11-21T10:32:00.000Z" }),
        published({ busEventId: "bus-4", cloudEventId: "ce-4", publishedAt: "2026-11-21T10:33:00.000Z" }),
      ],
      [
        { event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: at(2) },
        { event_id: "bus-1", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: at(1), error: { http_status_code: 503, error_message: "503" } },
        { event_id: "bus-2", message_type: "INVOCATION_ATTEMPT_RETRYABLE_FAILURE", message_timestamp_ms: at(60), error: { http_status_code: 429 } },
        { event_id: "bus-3", message_type: "INVOCATION_ATTEMPT_PERMANENT_FAILURE", message_timestamp_ms: at(120), error: { http_status_code: 400 } },
        { event_id: "other", message_type: "INVOCATION_ATTEMPT_SUCCESS", message_timestamp_ms: at(3) },
      ],
      [{ cloudEventId: "ce-3", endpointId: "legacy", errorCode: "ERROR_FROM_TARGET", retryAttempts: 0 }],
      [{ trustId: "RX1", sourceEventId: "src-9", recordId: "shard:9", reason: "unknown trust", at: "2026-11-21T10:34:00.000Z", deliveries: [] }],
    );
    expect(paths.map((p) => [p.cloudEventId ?? p.sourceEventId, p.state])).toEqual([
      ["src-9", "quarantined"],
      ["ce-1", "delivered"],
      ["ce-2", "in retry"],
      ["ce-3", "dead-lettered"],
      ["ce-4", "pending"],
    ]);
    expect(paths[1]!.attempts).toEqual([
      { at: new Date(at(1)).toISOString(), outcome: "retryable_failure", httpStatus: 503, error: "503" },
      { at: new Date(at(2)).toISOString(), outcome: "success" },
    ]);
    expect(paths[3]!.detail).toBe("in the trust's DLQ: ERROR_FROM_TARGET after 0 retries");
    expect(paths[0]!.detail).toBe("2026-11-21T10:34:00.000Z: unknown trust");
  });
});
