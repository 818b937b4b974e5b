import { MAX_NOTICE_SUBJECT_LENGTH, type Notice } from "@trust-callbacks/schemas";
import type { NoticeMessage } from "./ports.ts";

/**
 * A notice as the trust reads it (docs/guarantees.md 10.32): built only from the notice's own fields. SNS takes a
 * subject of "UTF-8 text with no line breaks or control characters, and less than 100 characters long" (Amazon SNS
 * API Reference, Publish, Subject: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html); ours is printable
 * ASCII (trust and endpoint ids are), shorter than `MAX_NOTICE_SUBJECT_LENGTH`. The body is plain text (email
 * subscriptions get the message as it is).
 */

const CAUSES: Record<NonNullable<Notice["cause"]>, string> = {
  "dead-letters": "deliveries were dead-lettered: your endpoint refused them or did not answer through all of EventBridge's retries",
  "connection-deauthorized": "the endpoint's connection was deauthorized: your authorization server or endpoint refused the credentials we hold",
};

/** Printable ASCII only, one line. */
const oneLine = (text: string): string => text.replace(/[^\x20-\x7e]+/g, " ").replace(/\s+/g, " ").trim();

const where = (notice: Notice): string => (notice.endpointId ? `endpoint ${notice.endpointId}` : "all endpoints");

function subjectOf(notice: Notice): string {
  const target = where(notice);
  const text: Record<Notice["kind"], string> = {
    "deliveries-failing": `Deliveries to ${target} are failing`,
    "deliveries-recovered": `Deliveries to ${target} have recovered`,
    "hold-started": `Deliveries to ${target} are held`,
    "hold-ended": `Hold on ${target} ended: sending held deliveries`,
    "hold-drained": `Every held delivery to ${target} was sent`,
    "signing-key-rotation-started": `New signing key for ${target}`,
    "signing-key-overlap-ended": `Old signing key for ${target} no longer signs`,
  };
  const subject = oneLine(`[${notice.trustId}] ${text[notice.kind]}`);
  return subject.length < MAX_NOTICE_SUBJECT_LENGTH ? subject : `${subject.slice(0, MAX_NOTICE_SUBJECT_LENGTH - 4)}...`;
}

function whatHappened(notice: Notice): string[] {
  const until = notice.until ? ` until ${notice.until}` : "";
  switch (notice.kind) {
    case "deliveries-failing":
      return [
        `Deliveries to ${where(notice)} started failing at ${notice.at}.`,
        ...(notice.cause ? [`Cause: ${CAUSES[notice.cause]}.`] : []),
        "Failed deliveries are kept in your dead-letter queue; support can redrive them once your endpoint accepts them again.",
      ];
    case "deliveries-recovered":
      return [
        `Deliveries to ${where(notice)} succeed again since ${notice.at}.`,
        ...(notice.cause === "connection-deauthorized" ? ["The connection is authorized again."] : []),
        ...(notice.cause === "dead-letters" ? ["No new dead letters are arriving."] : []),
      ];
    case "hold-started":
      return [`Deliveries to ${where(notice)} are held from ${notice.at}${until}: kept in order, not sent, and sent when the hold ends.`];
    case "hold-ended":
      return [`The hold on ${where(notice)} ended at ${notice.at}. Held deliveries are being sent, oldest first, re-signed with a fresh timestamp.`];
    case "hold-drained":
      return [`Every delivery held for ${where(notice)} was sent by ${notice.at}. New deliveries go straight to you again.`];
    case "signing-key-rotation-started":
      return [
        `A new signing key for ${where(notice)} signs deliveries from ${notice.at}.`,
        `Until the overlap ends${notice.until ? ` at ${notice.until}` : ""}, each delivery carries a signature by the old key and one by the new key: accept either, and switch your verifier to the new key.`,
      ];
    case "signing-key-overlap-ended":
      return [`From ${notice.at}, deliveries to ${where(notice)} are signed by the new key only. The old key no longer signs.`];
  }
}

const COUNT_LABELS: Record<string, string> = { deadLetters: "Dead letters", held: "Deliveries held", drained: "Held deliveries sent" };

const utc = (instant: string): string => new Date(instant).toISOString();

export function renderNotice(given: Notice): NoticeMessage {
  const notice: Notice = { ...given, at: utc(given.at), ...(given.until ? { until: utc(given.until) } : {}) };
  const lines = [
    ...whatHappened(notice),
    "",
    `Trust: ${notice.trustId}`,
    `Endpoint: ${notice.endpointId ?? "all endpoints"}`,
    `When: ${notice.at}`,
    ...(notice.until ? [`Until: ${notice.until}`] : []),
    ...(notice.reason ? [`Reason: ${oneLine(notice.reason)}`] : []),
    ...Object.entries(notice.counts ?? {}).map(([name, count]) => `${COUNT_LABELS[name] ?? name}: ${count}`),
    "",
    `Notice: ${notice.kind} (${notice.id})`,
    "You receive this because your address is a contact in your trust's callbacks configuration. Times are UTC.",
  ];
  return { subject: subjectOf(notice), body: lines.join("\n") };
}
