import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { describeError } from "../core/errors.ts";
import type { BusEntry, EventPublisher, PublishResult } from "../core/ports.ts";
import { failed, found, type Retry } from "../core/result.ts";
import { classifyAwsError } from "./aws-errors.ts";

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

/** One PutEvents call per `putEvents`; per-entry results in request order, classified here. */
export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly eventBridge: EventBridgeClient) {}

  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    let response;
    try {
      response = await this.eventBridge.send(new PutEventsCommand({ Entries: entries }));
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
