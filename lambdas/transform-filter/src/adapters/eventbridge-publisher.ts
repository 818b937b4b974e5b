import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { describeError } from "@trust-callbacks/runtime";
import type { BusEntry, EventPublisher, PublishResult } from "../core/ports.ts";
import { failed, found, type Retry } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";

/** Entry error codes that say EventBridge is busy or had a fault: resend now. */
const RESEND_NOW = new Set(["InternalFailure", "ThrottlingException"]);
/** Entry error codes that say the entry itself can never be accepted: retrying it cannot help. */
const REJECTED = new Set(["InvalidArgument", "MalformedDetail", "ValidationException"]);

/**
 * What to do about an entry PutEvents did not accept, from its error code: resend now, quarantine (never),
 * or let the Pipe retry the record later (permission and configuration errors: once the deployment is fixed).
 */
export const retryForPutEventsError = (errorCode: string): Retry =>
  RESEND_NOW.has(errorCode) ? "now" : REJECTED.has(errorCode) ? "never" : "later";

/** The answer for an entry PutEvents did not accept. */
export const putEventsEntryFailure = (errorCode: string, errorMessage?: string): PublishResult =>
  failed(retryForPutEventsError(errorCode), `PutEvents entry failed: ${errorCode}${errorMessage ? `: ${errorMessage}` : ""}`);

/**
 * One PutEvents call per `putEvents`; per-entry results in request order, classified here.
 * `traceHeader` (read at each call): the invocation's X-Ray trace header, set as each entry's `TraceHeader`
 * ("An X-Ray trace header, which is an http header (X-Amzn-Trace-Id) that contains the trace-id associated with
 * the event": https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEventsRequestEntry.html). EventBridge
 * does not pass it in the delivered event, but adds it to the `SendMessage` that writes a dead letter, as an SQS
 * message attribute (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-related-service-xray.html), so a
 * DLQ message leads back to its batch. Invalid headers are dropped by X-Ray; the event is still processed.
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly eventBridge: EventBridgeClient,
    private readonly options: { traceHeader?: () => string | undefined } = {},
  ) {}

  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    let response;
    const traceHeader = this.options.traceHeader?.();
    try {
      const request = traceHeader ? entries.map((entry) => ({ ...entry, TraceHeader: traceHeader })) : entries;
      response = await this.eventBridge.send(new PutEventsCommand({ Entries: request }));
    } catch (error) {
      // The call failed as a whole: throttled or unanswered, resend now; refused (access, configuration), the Pipe retries later.
      const classified = classifyAwsError(error, "EventBridge PutEvents");
      const answer = failed(classified.name === "TransientError" ? "now" : "later", `PutEvents failed: ${describeError(classified)}`);
      return entries.map(() => answer);
    }
    return entries.map((_entry, index): PublishResult => {
      const result = response.Entries?.[index];
      if (result?.EventId && !result.ErrorCode) return found({ eventId: result.EventId });
      return putEventsEntryFailure(result?.ErrorCode ?? "MissingResult", result?.ErrorMessage ?? "PutEvents returned no result for this entry");
    });
  }
}
