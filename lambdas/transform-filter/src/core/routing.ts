import type { CallbackCloudEvent } from "./cloudevent.ts";
import type { BusEntry } from "./ports.ts";
import type { WebhookHeaders } from "./signature.ts";

/**
 * The PutEvents `Detail` of one delivery. The API destination target sends `$.detail.event` as the
 * body and maps `$.detail.webhook.*` to the webhook-id/-timestamp/-signature headers.
 */
export interface CallbackDetail {
  webhook: WebhookHeaders;
  event: CallbackCloudEvent;
}

/**
 * The event pattern of the rule for one trust endpoint: it matches only events routed to that endpoint.
 * Terraform's trust-endpoint module writes the same JSON (its tests pin it); the local bus uses this function.
 */
export function endpointRulePattern(busSource: string, trustId: string, endpointId: string) {
  return {
    source: [busSource],
    detail: { event: { trustid: [trustId], endpointid: [endpointId] } },
  };
}

/**
 * The PutEvents entry of one delivery. `eventJson` is the event's JSON text when the caller already has it
 * (the canonical form it signed), so the event is not serialized twice.
 */
export const toBusEntry = (detail: CallbackDetail, busSource: string, eventBusName: string, eventJson?: string): BusEntry => ({
  Source: busSource,
  DetailType: detail.event.type,
  Detail: eventJson === undefined ? JSON.stringify(detail) : `{"webhook":${JSON.stringify(detail.webhook)},"event":${eventJson}}`,
  EventBusName: eventBusName,
});
