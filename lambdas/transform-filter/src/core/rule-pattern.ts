/**
 * The event pattern of the rule for one trust endpoint: it matches only events routed to that endpoint.
 * Terraform's trust-endpoint module writes the same JSON (its tests pin it); the local bus uses this function.
 * Routing only: signing and the entry the rule matches are `signedBusEntry` (`signed-entry.ts`).
 */
export function endpointRulePattern(busSource: string, trustId: string, endpointId: string) {
  return {
    source: [busSource],
    detail: { event: { trustid: [trustId], endpointid: [endpointId] } },
  };
}
