import type { Endpoint, EventAttributes, PlatformEvent, TrustConfig } from "@trust-callbacks/schemas";
import { found, notFound, type Found, type NotFound } from "@trust-callbacks/runtime";

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

/**
 * The document a bound conversation's event is filtered with: the bound version's event types, conditions and
 * payload profiles, with what must follow the current document at once taken from `current`:
 * - the trust's kill switch (`enabled`) and each endpoint's (`endpoints[].enabled`), both ways;
 * - an endpoint no longer in the current document is dropped (its rule and target are gone);
 * - each endpoint's `signingSecret` (a changed signing key signs from the next event on);
 * - the trust's and each endpoint's hold windows (`holds`: a planned downtime holds every conversation).
 * Endpoints added after the binding are not in the bound version, so the conversation does not reach them.
 */
export function boundConfig(bound: TrustConfig, current: TrustConfig): TrustConfig {
  const currentEndpoints = new Map(current.endpoints.map((endpoint) => [endpoint.id, endpoint]));
  return {
    ...bound,
    enabled: current.enabled,
    holds: current.holds,
    endpoints: bound.endpoints.flatMap((endpoint) => {
      const now = currentEndpoints.get(endpoint.id);
      return now ? [{ ...endpoint, enabled: now.enabled, signingSecret: now.signingSecret, holds: now.holds }] : [];
    }),
  };
}
