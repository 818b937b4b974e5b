import type { Endpoint, EventAttributes, PlatformEvent, TrustConfig } from "@trust-callbacks/schemas";
import { found, notFound, type Found, type NotFound } from "./result.ts";

/** Found: the endpoints that subscribe. Not found: why none does (the record is filtered). */
export type EndpointMatch = Found<Endpoint[]> | NotFound;

/** Every listed condition must hold: the event's attribute is present and one of the allowed values. */
export function conditionsMatch(conditions: Endpoint["conditions"], attributes: EventAttributes): boolean {
  return Object.entries(conditions).every(([name, allowed]) => {
    const actual = attributes[name as keyof EventAttributes];
    return allowed === undefined || (actual !== undefined && (allowed as string[]).includes(actual));
  });
}

/** The endpoints of a trust that subscribe to this event, or why none does. */
export function matchEndpoints(event: PlatformEvent, config: TrustConfig): EndpointMatch {
  if (!config.enabled) return notFound("trust disabled (kill switch)");
  const endpoints = config.endpoints.filter(
    (endpoint) =>
      endpoint.enabled && endpoint.eventTypes.includes(event.type) && conditionsMatch(endpoint.conditions, event.attributes),
  );
  return endpoints.length > 0 ? found(endpoints) : notFound(`no endpoint subscribes to ${event.type}`);
}
