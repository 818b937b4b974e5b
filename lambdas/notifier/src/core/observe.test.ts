import { describe, expect, it } from "vitest";
import { observationOf } from "./observe.ts";

const PREFIX = "trust-callbacks-prod";

/** A dead-letter alarm's state change as CloudWatch sends it (docs sample shape). */
const alarm = (name: string, before: string, now: string, extra: Record<string, unknown> = {}) => ({
  version: "0",
  id: "c4c1c1c9-6542-e61b-6ef0-8c4d36933a92",
  "detail-type": "CloudWatch Alarm State Change",
  source: "aws.cloudwatch",
  account: "123456789012",
  time: "2026-12-05T06:00:41Z",
  region: "eu-west-2",
  resources: [`arn:aws:cloudwatch:eu-west-2:123456789012:alarm:${name}`],
  detail: {
    alarmName: name,
    previousState: { value: before, reason: "r", timestamp: "2026-12-04T10:00:00.000+0000" },
    state: {
      value: now,
      reason: "Threshold Crossed: 1 out of the last 1 datapoints [3.0 (05/12/26 05:59:00)] was greater than the threshold (0.0)",
      reasonData: JSON.stringify({ version: "1.0", statistic: "Maximum", recentDatapoints: [3.0], threshold: 0 }),
      timestamp: "2026-12-05T06:00:40.123+0000",
    },
    ...extra,
  },
});

/** A connection state event as EventBridge sends it. */
const connection = (detailType: string, name: string | undefined, resources = [`arn:aws:events:eu-west-2:123456789012:connection/${name ?? "x"}/3b7e0d1c-5a0f-4b8e-9f7e-1a2b3c4d5e6f`]) => ({
  version: "0",
  id: "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": detailType,
  source: "aws.events",
  account: "123456789012",
  time: "2026-12-05T07:00:00Z",
  region: "eu-west-2",
  resources,
  detail: { ...(name === undefined ? {} : { ConnectionName: name }), StateReason: "Invalid credentials", Timestamp: "2026-12-05T06:59:58.000Z" },
});

describe("AWS events → observations (promise 10.31)", () => {
  const table: [string, unknown, object][] = [
    // Dead-letter alarms
    ["dead-letter alarm OK → ALARM: failing, with the DLQ depth", alarm(`${PREFIX}-RX1-main-dead-letters`, "OK", "ALARM"), { observation: { trustId: "RX1", endpointId: "main", cause: "dead-letters", health: "failing", at: "2026-12-05T06:00:40.123Z", deadLetters: 3 } }],
    ["dead-letter alarm ALARM → OK: healthy", alarm(`${PREFIX}-RX1-main-dead-letters`, "ALARM", "OK"), { observation: { trustId: "RX1", endpointId: "main", cause: "dead-letters", health: "healthy", at: "2026-12-05T06:00:40.123Z" } }],
    ["an endpoint id with dashes", alarm(`${PREFIX}-R0A12-epr-main-2-dead-letters`, "OK", "ALARM"), { observation: { trustId: "R0A12", endpointId: "epr-main-2", health: "failing" } }],
    ["a new alarm: INSUFFICIENT_DATA → ALARM tells nothing", alarm(`${PREFIX}-RX1-main-dead-letters`, "INSUFFICIENT_DATA", "ALARM"), { ignored: expect.stringContaining("INSUFFICIENT_DATA -> ALARM") }],
    ["INSUFFICIENT_DATA → OK tells nothing", alarm(`${PREFIX}-RX1-main-dead-letters`, "INSUFFICIENT_DATA", "OK"), { ignored: expect.any(String) }],
    ["ALARM → INSUFFICIENT_DATA tells nothing", alarm(`${PREFIX}-RX1-main-dead-letters`, "ALARM", "INSUFFICIENT_DATA"), { ignored: expect.any(String) }],
    ["an alarm that fires again in the same state tells nothing", alarm(`${PREFIX}-RX1-main-dead-letters`, "ALARM", "ALARM"), { ignored: expect.any(String) }],
    ["another alarm of ours", alarm(`${PREFIX}-RX1-main-dlq-age`, "OK", "ALARM"), { ignored: expect.stringContaining("not a dead-letter alarm") }],
    ["another environment's dead-letter alarm", alarm("trust-callbacks-dev-RX1-main-dead-letters", "OK", "ALARM"), { ignored: expect.stringContaining("not an endpoint's") }],
    ["a dead-letter alarm whose name is no endpoint", alarm(`${PREFIX}-rx1-main-dead-letters`, "OK", "ALARM"), { ignored: expect.any(String) }],
    ["alarm timestamps unreadable: the event's time", alarm(`${PREFIX}-RX1-main-dead-letters`, "OK", "ALARM", { state: { value: "ALARM" } }), { observation: { at: "2026-12-05T06:00:41.000Z", health: "failing" } }],
    // Connections
    ["connection deauthorized: failing", connection("Connection Deauthorized", `${PREFIX}-RX1-main`), { observation: { trustId: "RX1", endpointId: "main", cause: "connection-deauthorized", health: "failing", at: "2026-12-05T06:59:58.000Z" } }],
    ["connection authorized: healthy", connection("Connection Authorized", `${PREFIX}-RX1-main`), { observation: { cause: "connection-deauthorized", health: "healthy" } }],
    ["connection active (private API): healthy", connection("Connection Activated", `${PREFIX}-RX1-main`), { observation: { health: "healthy" } }],
    ["the connection's name from its ARN when the detail lacks it", connection("Connection Deauthorized", undefined, [`arn:aws:events:eu-west-2:123456789012:connection/${PREFIX}-RX1-main/3b7e0d1c-5a0f`]), { observation: { trustId: "RX1", endpointId: "main", health: "failing" } }],
    ["authorization started tells nothing", connection("Connection Authorization Started", `${PREFIX}-RX1-main`), { ignored: expect.any(String) }],
    ["update started tells nothing", connection("Connection Update Started", `${PREFIX}-RX1-main`), { ignored: expect.any(String) }],
    ["failed connectivity tells nothing (public endpoints never have it)", connection("Connection Failed Connectivity", `${PREFIX}-RX1-main`), { ignored: expect.any(String) }],
    ["a connection not of ours", connection("Connection Deauthorized", "someone-elses"), { ignored: expect.stringContaining("not an endpoint's") }],
    // Anything else
    ["the schedule", { source: "aws.events", "detail-type": "Scheduled Event", detail: {} }, { ignored: expect.any(String) }],
    ["not an event", "hello", { ignored: "not an EventBridge event" }],
    ["null", null, { ignored: "not an EventBridge event" }],
  ];
  it.each(table)("%s", (_case, event, expected) => {
    expect(observationOf(event, PREFIX)).toMatchObject(expected);
  });

  it("a repeated delivery of one event is the same observation", () => {
    const event = alarm(`${PREFIX}-RX1-main-dead-letters`, "OK", "ALARM");
    expect(observationOf(structuredClone(event), PREFIX)).toEqual(observationOf(event, PREFIX));
  });
});
