import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { BusEntry, EventPublisher, PublishResult } from "../core/ports.ts";
import { classifyAwsError } from "./aws-errors.ts";

/** One PutEvents call per `putEvents`; per-entry results in request order. */
export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly eventBridge: EventBridgeClient) {}

  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    let response;
    try {
      response = await this.eventBridge.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      throw classifyAwsError(error, "EventBridge PutEvents");
    }
    return entries.map((_entry, index): PublishResult => {
      const result = response.Entries?.[index];
      if (result?.EventId && !result.ErrorCode) return { ok: true };
      return {
        ok: false,
        errorCode: result?.ErrorCode ?? "MissingResult",
        errorMessage: result?.ErrorMessage ?? "PutEvents returned no result for this entry",
      };
    });
  }
}
