import type pLimit from "p-limit";
import type { Endpoint, HoldWindow, PlatformEvent } from "@trust-callbacks/schemas";
import type { DecryptedData } from "../event-data.ts";
import type { BusEntry } from "../ports.ts";
import type { PipeKinesisRecord } from "../records.ts";
import { failureOf, type Result } from "@trust-callbacks/runtime";

/**
 * The shapes a record takes on its way through `processBatch`, and what every stage returns.
 * Names: `recordId` is the Kinesis record id (the Pipe record's `eventID`, what `batchItemFailures` names);
 * `sourceEventId` is the platform event's id (`eventId` in the event, `data.sourceEventId` in the webhook).
 */

export type RecordState = "published" | "filtered" | "quarantined" | "retry";
export type DeliveryState = "published" | "quarantined" | "retry";

/** A record as the Pipe handed it over, and where it stood in the batch. */
export interface ReceivedRecord {
  position: number;
  recordId: string;
  record: PipeKinesisRecord;
}

/** A received record that holds a valid platform event (the decode stage passes on the first of each event). */
export interface EventRecord extends ReceivedRecord {
  event: PlatformEvent;
}

/** A later record of an event already in the batch: it shares the fate of the first (`firstPosition`). */
export interface RepeatedRecord extends EventRecord {
  firstPosition: number;
}

/** A record with the endpoints of its trust that subscribe to it (at least one). */
export interface RoutedRecord extends EventRecord {
  endpoints: Endpoint[];
  /** The bus the trust's rules are on, when the subscription source knows it. */
  eventBus?: string;
  /** The trust's own hold windows (its current document's `holds`), when it has any: the `hold` stage reads them. */
  trustHolds?: readonly HoldWindow[];
}

/** A routed record, with its encrypted fields opened when some endpoint receives it in full. */
export interface ReadableRecord extends RoutedRecord {
  plaintext?: DecryptedData;
}

/** One endpoint's signed entry, ready for the bus. */
export interface SignedDelivery {
  endpoint: Endpoint;
  cloudEventId: string;
  entry: BusEntry;
  /** The entry's size as PutEvents counts it. */
  size: number;
}

/** One endpoint's delivery whose fate is known. */
export interface SettledDelivery {
  endpoint: Endpoint;
  state: DeliveryState;
  reason?: string;
  cloudEventId?: string;
  /** Published to the endpoint's hold store, not the bus (the `hold` stage; docs/guarantees.md 10.1). */
  held?: true;
}

/** A record with one delivery per subscribed endpoint: signed (to publish) or already settled. */
export interface SignedRecord extends EventRecord {
  deliveries: (SignedDelivery | SettledDelivery)[];
}

/**
 * A record whose fate a stage decided. `quarantined` is a verdict until the quarantine stage has
 * written it (a failed write turns it into `retry`).
 */
export interface DecidedRecord extends ReceivedRecord {
  state: RecordState;
  reason?: string;
  event?: PlatformEvent;
  /** What could be read of an undecodable record, for the quarantine and the logs. */
  trustId?: string;
  sourceEventId?: string;
  deliveries: SettledDelivery[];
}

/** What every stage returns: the records it decided, and the ones it passes on to the next stage. */
export interface StageResult<Next> {
  decided: DecidedRecord[];
  next: Next[];
}

export function decide(
  record: ReceivedRecord & { event?: PlatformEvent },
  state: RecordState,
  reason: string | undefined,
  deliveries: SettledDelivery[] = [],
): DecidedRecord {
  // Built by assignment, not conditional spreads: once per record on the hot path.
  const decided: DecidedRecord = { position: record.position, recordId: record.recordId, record: record.record, state, deliveries };
  if (record.event) decided.event = record.event;
  if (reason !== undefined) decided.reason = reason;
  return decided;
}

export const isSettled = (delivery: SignedDelivery | SettledDelivery): delivery is SettledDelivery => "state" in delivery;

/**
 * A record's fate from its settled deliveries: retry if any must be retried (the first one's reason),
 * quarantined if any can never be published, published otherwise.
 */
export function fateOfDeliveries(record: EventRecord, deliveries: SettledDelivery[]): DecidedRecord {
  const retry = deliveries.find((delivery) => delivery.state === "retry");
  if (retry) return decide(record, "retry", retry.reason, deliveries);
  if (deliveries.some((delivery) => delivery.state === "quarantined")) {
    return decide(record, "quarantined", "one or more deliveries can never be published", deliveries);
  }
  return decide(record, "published", undefined, deliveries);
}

/**
 * Asks `lookup` once per distinct key, at most `limit` at a time. A lookup that throws answers `Failed`
 * (see `failureOf`), so every key has a result. `cached` answers the keys whose answer is at hand (a port's
 * fresh cache entry) without a promise or a place in `limit` each: in a warm batch, that is every key.
 * `limit` is the stage's own, or `"the source limits its calls"` for a source that owns its limit
 * (`PrefetchingSigningSecrets`): no stage holds an unlimited limiter.
 */
export async function lookupEach<T>(
  keys: Iterable<string>,
  limit: ReturnType<typeof pLimit> | "the source limits its calls",
  lookup: (key: string) => Promise<Result<T>>,
  cached?: (key: string) => Result<T> | undefined,
): Promise<Map<string, Result<T>>> {
  const answers = new Map<string, Result<T>>();
  const misses: string[] = [];
  for (const key of new Set(keys)) {
    let hit: Result<T> | undefined;
    try {
      hit = cached?.(key);
    } catch (error) {
      hit = failureOf(error); // as a lookup that throws: this key fails, not the batch
    }
    if (hit) answers.set(key, hit);
    else misses.push(key);
  }
  if (misses.length === 0) return answers;
  const ask = async (key: string): Promise<Result<T>> => {
    try {
      return await lookup(key);
    } catch (error) {
      return failureOf(error);
    }
  };
  const results = await Promise.all(misses.map(typeof limit === "function" ? (key) => limit(() => ask(key)) : ask));
  misses.forEach((key, index) => answers.set(key, results[index]!));
  return answers;
}
