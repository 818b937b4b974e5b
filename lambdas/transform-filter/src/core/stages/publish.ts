import type pLimit from "p-limit";
import { describeError } from "@trust-callbacks/runtime";
import { packEntries } from "../pack.ts";
import type { DeliveryHistory, EventPublisher, PublishResult } from "../ports.ts";
import { failed, failureOf } from "@trust-callbacks/runtime";
import {
  fateOfDeliveries,
  isSettled,
  type DecidedRecord,
  type SettledDelivery,
  type SignedDelivery,
  type SignedRecord,
} from "./batch.ts";

export interface PublishOptions {
  /** Request size cap of one PutEvents call, counted the EventBridge way. */
  maxPutEventsBytes: number;
  /** Attempts within one invocation for entries the publisher says to resend now. */
  publishAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Milliseconds left before the invocation times out; backoff stops when it runs low. */
  remainingTimeMs?: () => number;
  /** Told of every delivery the bus accepted, as it is accepted. */
  history?: DeliveryHistory;
  now?: () => Date;
}

export interface PublishStageResult {
  /** Every record passed in, its fate decided by its deliveries. */
  decided: DecidedRecord[];
  putEventsCalls: number;
}

/** Time kept in hand after the last backoff, to quarantine and report before the invocation times out. */
const TIME_TO_FINISH_MS = 5000;

/**
 * Publish: the signed entries packed into PutEvents calls. The publisher classifies each entry's answer:
 * resend now (resent with exponential backoff and jitter, while attempts and time remain), retry later
 * (the Pipe retries the record) or never (the delivery is quarantined). The only stage that waits.
 */
export async function publish(
  records: readonly SignedRecord[],
  publisher: EventPublisher,
  limit: ReturnType<typeof pLimit>,
  options: PublishOptions,
): Promise<PublishStageResult> {
  const settled = new Map<SignedDelivery, SettledDelivery>();
  const settle = (delivery: SignedDelivery, state: SettledDelivery["state"], reason?: string) => {
    const outcome: SettledDelivery = { endpoint: delivery.endpoint, cloudEventId: delivery.cloudEventId, state };
    if (reason) outcome.reason = reason;
    settled.set(delivery, outcome);
  };
  const recordOf = new Map<SignedDelivery, SignedRecord>();
  let unpublished = records.flatMap((record) =>
    record.deliveries.filter((delivery): delivery is SignedDelivery => {
      if (isSettled(delivery)) return false;
      recordOf.set(delivery, record);
      return true;
    }),
  );
  const recordHistory = (delivery: SignedDelivery, busEventId: string, publishedAt: string) => {
    if (!options.history) return;
    const { event } = recordOf.get(delivery)!;
    options.history.published({
      trustId: event.trustId,
      endpointId: delivery.endpoint.id,
      cloudEventId: delivery.cloudEventId,
      sourceEventId: event.eventId,
      eventCorrelationId: event.correlationId ?? event.eventId,
      eventType: delivery.entry.DetailType,
      busEventId,
      publishedAt,
    });
  };
  let putEventsCalls = 0;

  for (let attempt = 1; unpublished.length > 0; attempt++) {
    const resend: { delivery: SignedDelivery; reason: string }[] = [];
    const calls = packEntries(unpublished, options.maxPutEventsBytes);
    putEventsCalls += calls.length;
    await Promise.all(
      calls.map((call) =>
        limit(async () => {
          const answers = await putEvents(publisher, call);
          // When the bus accepted them: one time for the call's entries, not a Date per delivery.
          let publishedAt: string | undefined;
          call.forEach((delivery, index) => {
            const answer = answers[index] ?? failed("later", "PutEvents entry failed: MissingResult");
            if (answer.status === "found") {
              settle(delivery, "published");
              if (options.history) recordHistory(delivery, answer.value.eventId, (publishedAt ??= (options.now?.() ?? new Date()).toISOString()));
            }
            else if (answer.retry === "now") resend.push({ delivery, reason: answer.reason });
            else settle(delivery, answer.retry === "never" ? "quarantined" : "retry", answer.reason);
          });
        }),
      ),
    );
    if (resend.length === 0) break;
    const delay = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + options.random() / 2);
    const outOfTime = options.remainingTimeMs !== undefined && options.remainingTimeMs() < delay + TIME_TO_FINISH_MS;
    if (attempt >= options.publishAttempts || outOfTime) {
      for (const { delivery, reason } of resend) settle(delivery, "retry", reason);
      break;
    }
    await options.sleep(delay);
    unpublished = resend.map(({ delivery }) => delivery);
  }

  const decided = records.map((record) =>
    fateOfDeliveries(record, record.deliveries.map((delivery) => (isSettled(delivery) ? delivery : settled.get(delivery)!))),
  );
  return { decided, putEventsCalls };
}

/**
 * One PutEvents call. A publisher that throws instead of answering failed the call as a whole, which says
 * nothing against the entries: resend them now, or let the Pipe retry them later, but never quarantine them.
 */
async function putEvents(publisher: EventPublisher, call: SignedDelivery[]): Promise<PublishResult[]> {
  try {
    return await publisher.putEvents(call.map((delivery) => delivery.entry));
  } catch (error) {
    const failure = failureOf(error);
    const answer = failed(failure.retry === "never" ? "later" : "now", `PutEvents failed: ${describeError(error)}`);
    return call.map(() => answer);
  }
}
