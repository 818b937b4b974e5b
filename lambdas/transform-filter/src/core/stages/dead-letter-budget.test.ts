import { describe, expect, it } from "vitest";
import { MAX_DEAD_LETTER_ENTRY_BYTES } from "./sign.ts";

/**
 * Promise 8.8: an entry at MAX_DEAD_LETTER_ENTRY_BYTES still fits a trust's DLQ when its delivery fails, with the
 * largest envelope and message attributes EventBridge can add. Built from documented maxima, not from sign.ts:
 * - "All parts of the message attribute, including Name, Type, and Value, are part of the message size restriction"
 *   (SQS API Reference, MessageAttributeValue: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_MessageAttributeValue.html).
 * - EventBridge's dead-letter attributes: ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS,
 *   RULE_ARN, TARGET_ARN (EventBridge User Guide, "Using dead-letter queues to process undelivered events":
 *   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-event-delivery.html).
 * - Name limits: event bus 256 characters, rule 64, API destination 64 (EventBridge API Reference, CreateEventBus,
 *   PutRule, CreateApiDestination); the API destination ARN ends in a UUID.
 * - The body is the EventBridge event: version, id, detail-type, source, account, time, region, resources, detail.
 * ERROR_MESSAGE's length is not documented: the budget leaves at least 8 KiB for it.
 */
const SQS_MAX_MESSAGE_BYTES = 256 * 1024;
const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

function largestEnvelopeAndAttributes(): number {
  const partition = "aws-us-gov"; // the longest partition name
  const region = "ap-southeast-7"; // among the longest region names
  const account = "123456789012";
  const bus = "b".repeat(256);
  const rule = "r".repeat(64);
  const destination = "d".repeat(64);
  // Every field of the event except the entry's own Source, DetailType and Detail (counted in the entry's size).
  const envelope = JSON.stringify({
    version: "0",
    id: "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "",
    source: "",
    account,
    time: "2026-12-05T03:15:00Z",
    region,
    resources: [],
    detail: {},
  });
  const attributes: [name: string, type: string, value: string][] = [
    ["ERROR_CODE", "String", "SDK_CLIENT_ERROR_OR_LONGER_CODE_".padEnd(64, "X")],
    ["EXHAUSTED_RETRY_CONDITION", "String", "MaximumEventAgeInSeconds"],
    ["RETRY_ATTEMPTS", "Number", "185"],
    ["RULE_ARN", "String", `arn:${partition}:events:${region}:${account}:rule/${bus}/${rule}`],
    ["TARGET_ARN", "String", `arn:${partition}:events:${region}:${account}:api-destination/${destination}/6a7e8feb-b491-4cf7-a9f1-bf3703467718`],
    ["ERROR_MESSAGE", "String", ""],
  ];
  return utf8(envelope) + attributes.reduce((sum, [name, type, value]) => sum + utf8(name) + utf8(type) + utf8(value), 0);
}

describe("MAX_DEAD_LETTER_ENTRY_BYTES", () => {
  it("leaves room in a 256 KiB SQS message for the largest envelope and attribute set, and at least 8 KiB of ERROR_MESSAGE", () => {
    const overhead = largestEnvelopeAndAttributes();
    const roomForErrorMessage = SQS_MAX_MESSAGE_BYTES - MAX_DEAD_LETTER_ENTRY_BYTES - overhead;
    expect(overhead).toBeLessThan(1024); // measured: what the cap must leave besides ERROR_MESSAGE
    expect(roomForErrorMessage).toBeGreaterThanOrEqual(8 * 1024);
  });
});
