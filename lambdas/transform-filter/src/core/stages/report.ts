import type { Logger } from "pino";
import type { DecidedRecord, DeliveryState, ReceivedRecord, RecordState, RepeatedRecord, SettledDelivery } from "./batch.ts";

export interface DeliveryOutcome {
  endpointId: string;
  cloudEventId?: string;
  state: DeliveryState;
  reason?: string;
  /** Kept in the endpoint's hold store, not put on the bus (published to the store). */
  held?: true;
}

export interface RecordOutcome {
  /** The Kinesis record id (the Pipe record's `eventID`); "" when the record had none. */
  recordId: string;
  state: RecordState;
  reason?: string;
  trustId?: string;
  /** The platform event's id, when it could be read. */
  sourceEventId?: string;
  correlationId?: string;
  /** Set when this record repeats an event earlier in the batch: that record's id. It shares that record's fate. */
  duplicateOf?: string;
  deliveries: DeliveryOutcome[];
}

export interface BatchCounts {
  received: number;
  published: number;
  filtered: number;
  quarantined: number;
  retried: number;
  duplicates: number;
  deliveriesPublished: number;
  /** Deliveries kept in their endpoint's hold store instead of the bus (not in `deliveriesPublished`). */
  deliveriesHeld: number;
  decryptFailures: number;
  putEventsCalls: number;
  /** Hold store calls (SQS SendMessageBatch on AWS). */
  holdStoreCalls: number;
  /** Events of conversations with no binding in force, filtered with the current document. */
  unboundEvents: number;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: RecordOutcome[];
  counts: BatchCounts;
}

/** Thrown when a record cannot be reported by its record id and could not be quarantined: the whole batch must be retried. */
export class WholeBatchRetry extends Error {
  override readonly name = "WholeBatchRetry";
}

/** What the stages counted along the way. */
export interface StageCounts {
  decryptFailures: number;
  putEventsCalls: number;
  holdStoreCalls: number;
  unboundEvents: number;
}

/**
 * Report: one outcome per record in the order received (a repeat takes its first record's fate), the
 * counts, and the Pipe's partial-failure report listing exactly the records to retry. Logs one line per
 * record: routine ones at debug, quarantined and retried ones at warn.
 */
export function report(
  received: readonly ReceivedRecord[],
  decided: readonly DecidedRecord[],
  repeats: readonly RepeatedRecord[],
  stageCounts: StageCounts,
  logger: Logger,
): BatchResult {
  const byPosition = new Map<number, DecidedRecord>(decided.map((record) => [record.position, record]));
  const repeatByPosition = new Map(repeats.map((repeat) => [repeat.position, repeat]));
  const counts: BatchCounts = {
    received: received.length,
    published: 0,
    filtered: 0,
    quarantined: 0,
    retried: 0,
    duplicates: 0,
    deliveriesPublished: 0,
    deliveriesHeld: 0,
    ...stageCounts,
  };
  const outcomes = received.map(({ position }) => {
    const repeat = repeatByPosition.get(position);
    if (!repeat) return outcomeOf(byPosition.get(position)!);
    counts.duplicates += 1;
    const first = byPosition.get(repeat.firstPosition)!;
    return outcomeOf({ ...first, position, recordId: repeat.recordId, record: repeat.record, event: repeat.event, deliveries: [] }, first.recordId);
  });

  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const outcome of outcomes) {
    if (outcome.state === "published") counts.published += 1;
    if (outcome.state === "filtered") counts.filtered += 1;
    if (outcome.state === "quarantined") counts.quarantined += 1;
    if (outcome.state === "retry") {
      counts.retried += 1;
      if (!outcome.recordId) throw new WholeBatchRetry("a record without eventID must be retried; retrying the whole batch");
      batchItemFailures.push({ itemIdentifier: outcome.recordId });
    }
    for (const delivery of outcome.deliveries) {
      if (delivery.held) counts.deliveriesHeld += 1;
      else if (delivery.state === "published") counts.deliveriesPublished += 1;
    }
    logOutcome(logger, outcome);
  }
  return { batchItemFailures, outcomes, counts };
}

function outcomeOf(record: DecidedRecord, duplicateOf?: string): RecordOutcome {
  const outcome: RecordOutcome = {
    recordId: record.recordId,
    state: record.state,
    deliveries: record.deliveries.map(deliveryOutcome),
  };
  if (record.reason) outcome.reason = record.reason;
  const trustId = record.event?.trustId ?? record.trustId;
  const sourceEventId = record.event?.eventId ?? record.sourceEventId;
  if (trustId) outcome.trustId = trustId;
  if (sourceEventId) outcome.sourceEventId = sourceEventId;
  if (record.event) outcome.correlationId = record.event.correlationId ?? record.event.eventId;
  if (duplicateOf !== undefined) outcome.duplicateOf = duplicateOf;
  return outcome;
}

/** Built by assignment, not conditional spreads: once per delivery on the hot path. */
function deliveryOutcome(delivery: SettledDelivery): DeliveryOutcome {
  const outcome: DeliveryOutcome = { endpointId: delivery.endpoint.id, state: delivery.state };
  if (delivery.cloudEventId) outcome.cloudEventId = delivery.cloudEventId;
  if (delivery.reason) outcome.reason = delivery.reason;
  if (delivery.held) outcome.held = true;
  return outcome;
}

function logOutcome(logger: Logger, outcome: RecordOutcome): void {
  const routine = outcome.state === "published" || outcome.state === "filtered";
  if (routine && !logger.isLevelEnabled("debug")) return; // one line per record is debug; skip building it
  // The log keeps its field names (`eventID` the Kinesis record id, `eventId` the platform event id): queries and the runbook use them.
  const fields = {
    eventID: outcome.recordId,
    eventId: outcome.sourceEventId,
    trustId: outcome.trustId,
    correlationId: outcome.correlationId,
    state: outcome.state,
    reason: outcome.reason,
    deliveries: outcome.deliveries,
    duplicateOf: outcome.duplicateOf,
  };
  if (outcome.state === "quarantined") logger.warn(fields, "record quarantined");
  else if (outcome.state === "retry") logger.warn(fields, "record handed back for retry");
  else logger.debug(fields, `record ${outcome.state}`);
}
