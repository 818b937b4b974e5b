import type pLimit from "p-limit";
import { boundConfig, matchEndpoints, type EndpointMatch } from "../filter.ts";
import { conversationKey, type SubscriptionSource } from "../ports.ts";
import type { PrefetchingSigningSecrets } from "../prefetching-secrets.ts";
import { decide, lookupEach, type EventRecord, type RoutedRecord, type StageResult } from "./batch.ts";
import { resolveBindings, type RouteBindings } from "./conversation-bindings.ts";

export interface RouteResult extends StageResult<RoutedRecord> {
  /** Later events of conversations with no binding in force (none, expired, version gone): filtered with the current document. */
  unbound: number;
}

/**
 * Route: each record's trust's subscription document, and the endpoints in it that subscribe. Unknown
 * trust or invalid document: bound for quarantine. Document unavailable: retry. No endpoint subscribes,
 * or the trust is switched off: filtered.
 *
 * With `bindings`: a `conversation.created` binds its conversation to the current document's version (the first
 * binding wins); every other event is filtered with its conversation's bound version (`boundConfig`: kill switches,
 * removed endpoints and signing keys still follow the current document), or with the current document when there is
 * no binding in force (counted in `unbound`). A binding that cannot be read or written hands the record back.
 * The documents and the binding reads are looked up in parallel; the writes wait for the documents.
 *
 * `secrets` is told to prefetch each record's endpoints' signing secrets under its trust's current document as soon
 * as that document arrives, before the other documents and the bindings (`PrefetchingSigningSecrets`).
 */
export async function route(
  records: readonly EventRecord[],
  subscriptions: SubscriptionSource,
  limit: ReturnType<typeof pLimit>,
  bindings?: RouteBindings,
  secrets?: Pick<PrefetchingSigningSecrets, "prefetch">,
): Promise<RouteResult> {
  const recordsOfTrust = new Map<string, EventRecord[]>();
  for (const record of records) {
    const ofTrust = recordsOfTrust.get(record.event.trustId);
    if (ofTrust) ofTrust.push(record);
    else recordsOfTrust.set(record.event.trustId, [record]);
  }
  // A document that had to be fetched: its records are matched against it the moment it arrives (a document the
  // source had at hand is matched below, with no prefetch: its secrets are as likely at hand).
  const currentMatch = new Map<EventRecord, EndpointMatch>();
  const documentsLookup = lookupEach(
    recordsOfTrust.keys(),
    limit,
    async (trustId) => {
      const document = await subscriptions.get(trustId);
      if (document.status === "found") {
        for (const record of recordsOfTrust.get(trustId)!) {
          const match = matchEndpoints(record.event, document.value.config);
          currentMatch.set(record, match);
          if (match.status === "found") secrets?.prefetch(match.value);
        }
      }
      return document;
    },
    subscriptions.cached && ((trustId) => subscriptions.cached!(trustId)),
  );
  const [documents, bound] = await Promise.all([
    documentsLookup,
    bindings ? resolveBindings(records, documentsLookup, bindings, limit) : undefined,
  ]);
  const result: RouteResult = { decided: [], next: [], unbound: 0 };
  for (const record of records) {
    const { trustId } = record.event;
    const document = documents.get(trustId)!;
    if (document.status === "not-found") {
      result.decided.push(decide(record, "quarantined", `unknown trust ${trustId}: no subscription document`));
      continue;
    }
    if (document.status === "failed") {
      result.decided.push(
        document.retry === "never"
          ? decide(record, "quarantined", `subscription document of trust ${trustId} is invalid: ${document.reason}`)
          : decide(record, "retry", `subscription document unavailable: ${document.reason}`),
      );
      continue;
    }
    let match: EndpointMatch | undefined;
    if (bound) {
      const conversation = bound.get(conversationKey(record.event))!;
      if (conversation.status === "failed") {
        result.decided.push(decide(record, "retry", conversation.reason));
        continue;
      }
      if (conversation.status === "bound") {
        if (conversation.config) match = matchEndpoints(record.event, boundConfig(conversation.config, document.value.config));
      } else if (record.event.type !== "conversation.created") result.unbound += 1;
    }
    // Unbound, or bound to the current document: its match, made when the document arrived or made now.
    match ??= currentMatch.get(record) ?? matchEndpoints(record.event, document.value.config);
    const { eventBus } = document.value;
    if (match.status !== "found") {
      result.decided.push(decide(record, "filtered", match.reason));
      continue;
    }
    // Field by field, not spreads: once per record on the hot path.
    const routed: RoutedRecord = { position: record.position, recordId: record.recordId, record: record.record, event: record.event, endpoints: match.value };
    if (eventBus) routed.eventBus = eventBus;
    // Windows are operational, like the kill switches: always the current document's (docs/guarantees.md 10.7).
    if (document.value.config.holds.length > 0) routed.trustHolds = document.value.config.holds;
    result.next.push(routed);
  }
  return result;
}
