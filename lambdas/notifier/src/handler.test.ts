import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { failed } from "@trust-callbacks/runtime";
import { readNotifierEnvironment } from "./config.ts";
import { createHandler, NoticeNotRecorded, type NotifierDeps } from "./handler.ts";
import { InMemoryEpisodes, InMemoryNoticeTable, RecordingPublisher } from "./testing.ts";

const env = readNotifierEnvironment({
  NAME_PREFIX: "trust-callbacks-prod",
  NOTICES_TABLE_NAME: "trust-callbacks-prod-notices",
  NOTICE_TOPIC_ARN_PREFIX: "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-prod-",
});
const context = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 50_000 };
const alarm = (before: string, now: string, timestamp: string) => ({
  source: "aws.cloudwatch",
  "detail-type": "CloudWatch Alarm State Change",
  time: "2026-12-05T06:00:00Z",
  detail: { alarmName: "trust-callbacks-prod-RX1-main-dead-letters", previousState: { value: before }, state: { value: now, timestamp } },
});
const schedule = { source: "aws.events", "detail-type": "Scheduled Event", time: "2026-12-05T06:01:00Z", detail: {} };

function setup() {
  const table = new InMemoryNoticeTable();
  const publisher = new RecordingPublisher();
  const episodes = new InMemoryEpisodes();
  let now = new Date("2026-12-05T06:01:00.000Z");
  const deps: NotifierDeps = { env, logger: pino({ level: "silent" }), notices: table, episodes, table, publisher, now: () => now };
  return { table, publisher, episodes, handler: createHandler(deps), at: (iso: string) => (now = new Date(iso)) };
}

describe("the notifier handler (promises 10.31, 10.33, 10.34)", () => {
  it("an alarm event records a notice and publishes nothing; the schedule publishes it to the trust's topic", async () => {
    const { table, publisher, handler } = setup();
    expect(await handler(alarm("OK", "ALARM", "2026-12-05T06:00:00.000+0000"), context)).toMatchObject({ action: "observed", notice: expect.stringContaining("deliveries-failing#RX1#main#") });
    expect(publisher.published).toEqual([]);
    expect(table.rows.size).toBe(1);
    expect(await handler(schedule, context)).toEqual({ action: "swept", sent: 1, failed: 0, skipped: 0 });
    expect(publisher.published.map((p) => [p.topicArn, p.message.subject])).toEqual([
      ["arn:aws:sns:eu-west-2:123456789012:trust-callbacks-prod-RX1-notices", "[RX1] Deliveries to endpoint main are failing"],
    ]);
    expect(await handler(schedule, context)).toMatchObject({ sent: 0 });
    expect(await handler({ sweep: true }, context)).toMatchObject({ action: "swept", sent: 0 }); // a Scheduler schedule's input
  });

  it("the recovery after it is one more message; the alarm's event delivered twice is not", async () => {
    const { publisher, handler, at } = setup();
    at("2026-12-05T06:31:00.000Z");
    for (const event of [alarm("OK", "ALARM", "2026-12-05T06:00:00.000+0000"), alarm("OK", "ALARM", "2026-12-05T06:00:00.000+0000"), alarm("ALARM", "OK", "2026-12-05T06:30:00.000+0000"), alarm("ALARM", "OK", "2026-12-05T06:30:00.000+0000")]) {
      await handler(event, context);
    }
    await handler(schedule, context);
    expect(publisher.published.map((p) => p.message.subject)).toEqual(["[RX1] Deliveries to endpoint main are failing", "[RX1] Deliveries to endpoint main have recovered"]);
  });

  it("an event that is no change is answered, not thrown", async () => {
    const { handler, table } = setup();
    expect(await handler(alarm("INSUFFICIENT_DATA", "ALARM", "2026-12-05T06:00:00.000+0000"), context)).toMatchObject({ action: "ignored" });
    expect(await handler({ anything: true }, context)).toMatchObject({ action: "ignored" });
    expect(table.rows.size).toBe(0);
  });

  it("an observation that cannot be recorded is thrown, so Lambda delivers the event again; the retry records it once", async () => {
    const { handler, table } = setup();
    table.failNext("record", failed("now", "DynamoDB throttled"));
    await expect(handler(alarm("OK", "ALARM", "2026-12-05T06:00:00.000+0000"), context)).rejects.toBeInstanceOf(NoticeNotRecorded);
    await handler(alarm("OK", "ALARM", "2026-12-05T06:00:00.000+0000"), context);
    expect(table.rows.size).toBe(1);
  });

  it("refuses an environment without the names every part shares", () => {
    expect(() => readNotifierEnvironment({ NAME_PREFIX: "tc", NOTICES_TABLE_NAME: "t-notices", NOTICE_TOPIC_ARN_PREFIX: "arn:aws:sns:eu-west-2:1:tc" })).toThrow(/NOTICE_TOPIC_ARN_PREFIX/);
  });

  it("the core imports no AWS SDK", () => {
    const core = fileURLToPath(new URL("./core/", import.meta.url));
    for (const file of readdirSync(core)) expect(readFileSync(join(core, file), "utf8"), file).not.toMatch(/from "@aws-sdk\//);
  });
});
