import type pLimit from "p-limit";
import { matchEndpoints } from "../filter.ts";
import type { SubscriptionSource } from "../ports.ts";
import { decide, lookupEach, type DecodedRecord, type RoutedRecord, type StageResult } from "./batch.ts";

/**
 * Route: each record's trust's subscription document, and the endpoints in it that subscribe. Unknown
 * trust or invalid document: bound for quarantine. Document unavailable: retry. No endpoint subscribes,
 * or the trust is switched off: filtered.
 */
export async function route(
  records: readonly DecodedRecord[],
  subscriptions: SubscriptionSource,
  limit: ReturnType<typeof pLimit>,
): Promise<StageResult<RoutedRecord>> {
  const documents = await lookupEach(
    records.map((record) => record.event.trustId),
    limit,
    (trustId) => subscriptions.get(trustId),
  );
  const result: StageResult<RoutedRecord> = { decided: [], next: [] };
  for (const record of records) {
    const { trustId } = record.event;
    const document = documents.get(trustId)!;
    if (document.status === "not-found") {
      result.decided.push(decide(record, "quarantined", `unknown trust ${trustId}: no subscription document`));
    } else if (document.status === "failed") {
      result.decided.push(
        document.retry === "never"
          ? decide(record, "quarantined", `subscription document of trust ${trustId} is invalid: ${document.reason}`)
          : decide(record, "retry", `subscription document unavailable: ${document.reason}`),
      );
    } else {
      const match = matchEndpoints(record.event, document.value.config);
      const { eventBus } = document.value;
      if (match.status === "found") result.next.push({ ...record, endpoints: match.value, ...(eventBus ? { eventBus } : {}) });
      else result.decided.push(decide(record, "filtered", match.reason));
    }
  }
  return result;
}
