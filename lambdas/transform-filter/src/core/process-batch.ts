import pLimit from "p-limit";
import type { Logger } from "pino";
import type { Endpoint, PlatformEvent, TrustConfig } from "@trust-callbacks/schemas";
import { buildCloudEvent, cloudEventTime } from "./cloudevent.ts";
import { decryptEventData, minimalEventData, wrappedKeysOf, type DecryptedData, type UnwrappedKey } from "./decrypt.ts";
import { PermanentError, describeError } from "./errors.ts";
import { matchEndpoints } from "./filter.ts";
import { entrySize, packEntries } from "./pack.ts";
import type {
  BusEntry,
  DataKeyUnwrapper,
  EventPublisher,
  PublishResult,
  QuarantineSink,
  SigningSecretSource,
  SubscriptionSource,
} from "./ports.ts";
import { decodeRecord, type PipeKinesisRecord } from "./records.ts";
import { signedBusEntry } from "./routing.ts";

export interface ProcessorSettings {
  /** Name or ARN of the callbacks bus. */
  eventBusName: string;
  /** PutEvents `Source` of every callback; the rules match on it. */
  busSource: string;
  /** CloudEvent `source` attribute, e.g. `/trust-callbacks/prod`. */
  cloudEventSource: string;
  /** Request size cap of one PutEvents call, counted the EventBridge way. */
  maxPutEventsBytes: number;
  /** Attempts within one invocation for entries PutEvents reports as retryable. */
  publishAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Parallel calls to each AWS service. */
  concurrency: number;
}

export const DEFAULT_SETTINGS: Omit<ProcessorSettings, "eventBusName" | "cloudEventSource"> = {
  busSource: "trust-callbacks",
  maxPutEventsBytes: 256 * 1024,
  publishAttempts: 4,
  backoffBaseMs: 100,
  backoffMaxMs: 2000,
  concurrency: 8,
};

export interface ProcessorDeps {
  keys: DataKeyUnwrapper;
  subscriptions: SubscriptionSource;
  secrets: SigningSecretSource;
  publisher: EventPublisher;
  quarantine: QuarantineSink;
  logger: Logger;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds left before the invocation times out; backoff stops when it runs low. */
  remainingTimeMs?: () => number;
}

export type RecordState = "published" | "filtered" | "quarantined" | "retry";
export type DeliveryState = "published" | "quarantined" | "retry";

export interface DeliveryOutcome {
  endpointId: string;
  cloudEventId?: string;
  state: DeliveryState;
  reason?: string;
}

export interface RecordOutcome {
  eventID: string;
  state: RecordState;
  reason?: string;
  trustId?: string;
  eventId?: string;
  correlationId?: string;
  /** Set when this record repeats an event earlier in the batch; it shares that record's fate. */
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
  decryptFailures: number;
  putEventsCalls: number;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
  outcomes: RecordOutcome[];
  counts: BatchCounts;
}

/** Thrown when a record cannot be reported by eventID and could not be quarantined: the whole batch must be retried. */
export class WholeBatchRetry extends Error {
  override readonly name = "WholeBatchRetry";
}

interface Delivery {
  endpoint: Endpoint;
  state?: DeliveryState;
  reason?: string;
  cloudEventId?: string;
  entry?: BusEntry;
  size?: number;
}

interface Work {
  record: PipeKinesisRecord;
  eventID: string;
  event?: PlatformEvent;
  /** Set once the record's fate is known before publishing. */
  state?: RecordState;
  reason?: string;
  trustIdHint?: string;
  eventIdHint?: string;
  duplicateOf?: Work;
  deliveries: Delivery[];
  decrypted?: DecryptedData;
}

type Lookup<T> = { ok: true; value: T } | { ok: false; transient: boolean; reason: string };

const RETRYABLE_PUT_ERRORS = new Set(["InternalFailure", "ThrottlingException"]);
/** Errors that say the entry itself can never be accepted: retrying it cannot help. */
const ENTRY_REJECTED_ERRORS = new Set(["InvalidArgument", "MalformedDetail", "ValidationException"]);

const isPermanent = (error: unknown): boolean => error instanceof PermanentError;

async function lookupAll<T>(
  names: Iterable<string>,
  limit: ReturnType<typeof pLimit>,
  fetch: (name: string) => Promise<T>,
): Promise<Map<string, Lookup<T>>> {
  const unique = [...new Set(names)];
  const results = await Promise.all(
    unique.map((name) =>
      limit(async (): Promise<Lookup<T>> => {
        try {
          return { ok: true, value: await fetch(name) };
        } catch (error) {
          return { ok: false, transient: !isPermanent(error), reason: describeError(error) };
        }
      }),
    ),
  );
  return new Map(unique.map((name, index) => [name, results[index]!]));
}

/**
 * Turns one Pipe batch of Kinesis records into signed CloudEvents on the callbacks bus.
 *
 * Every record ends in exactly one state: published (each subscribed endpoint got its entry),
 * filtered (no endpoint subscribes, or the trust is switched off), quarantined (written with its
 * reason to the quarantine sink) or retry (listed in batchItemFailures for the Pipe to resend).
 * Within one call no entry is published twice.
 *
 * @example
 *   const { batchItemFailures } = await processBatch(records, deps, settings);
 */
export async function processBatch(
  records: readonly PipeKinesisRecord[],
  deps: ProcessorDeps,
  settings: ProcessorSettings,
): Promise<BatchResult> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = deps.random ?? Math.random;
  const limit = pLimit(settings.concurrency);
  const counts: BatchCounts = {
    received: records.length,
    published: 0,
    filtered: 0,
    quarantined: 0,
    retried: 0,
    duplicates: 0,
    deliveriesPublished: 0,
    decryptFailures: 0,
    putEventsCalls: 0,
  };

  // 1. Parse and validate; repeat deliveries of one event within the batch ride on the first.
  const firstByEventId = new Map<string, Work>();
  const works: Work[] = records.map((record) => {
    const work: Work = { record, eventID: typeof record?.eventID === "string" ? record.eventID : "", deliveries: [] };
    const decoded = decodeRecord(record ?? ({} as PipeKinesisRecord));
    if (!decoded.ok) {
      work.state = "quarantined";
      work.reason = decoded.reason;
      work.trustIdHint = decoded.trustId;
      work.eventIdHint = decoded.eventId;
      return work;
    }
    work.event = decoded.event;
    const first = firstByEventId.get(decoded.event.eventId);
    if (first) work.duplicateOf = first;
    else firstByEventId.set(decoded.event.eventId, work);
    return work;
  });
  const leaders = works.filter((work) => work.event && !work.duplicateOf && !work.state);

  // 2. Subscriptions of the trusts in this batch.
  const subscriptions = await lookupAll(
    leaders.map((work) => work.event!.trustId),
    limit,
    (trustId) => deps.subscriptions.get(trustId),
  );
  for (const work of leaders) {
    const event = work.event!;
    const lookup = subscriptions.get(event.trustId)!;
    if (!lookup.ok) {
      if (lookup.transient) {
        work.state = "retry";
        work.reason = `subscription document unavailable: ${lookup.reason}`;
      } else {
        work.state = "quarantined";
        work.reason = `subscription document unreadable: ${lookup.reason}`;
      }
      continue;
    }
    const found = lookup.value;
    if (found.kind === "unknown") {
      work.state = "quarantined";
      work.reason = `unknown trust ${event.trustId}: no subscription document`;
      continue;
    }
    if (found.kind === "invalid") {
      work.state = "quarantined";
      work.reason = `subscription document of trust ${event.trustId} is invalid: ${found.reason}`;
      continue;
    }
    const config: TrustConfig = found.config;
    const match = matchEndpoints(event, config);
    if ("filteredReason" in match) {
      work.state = "filtered";
      work.reason = match.filteredReason;
      continue;
    }
    work.deliveries = match.endpoints.map((endpoint) => ({ endpoint }));
  }
  const delivering = leaders.filter((work) => !work.state);

  // 3. Data keys, only for events that some endpoint receives in full.
  const needsPlaintext = delivering.filter((work) => work.deliveries.some((d) => d.endpoint.payloadProfile === "full"));
  const keysNeeded = new Map(needsPlaintext.map((work) => [work, wrappedKeysOf(work.event!)]));
  const keyRequests = new Map([...keysNeeded.values()].flat().map((r) => [r.cacheKey, r]));
  const keyLookups = await lookupAll(keyRequests.keys(), limit, (cacheKey) => {
    const request = keyRequests.get(cacheKey)!;
    return deps.keys.unwrap(request.wrappedKey, request.encryptionContext);
  });
  const keys = new Map<string, UnwrappedKey>();
  for (const [cacheKey, lookup] of keyLookups) {
    if (lookup.ok) keys.set(cacheKey, { ok: true, key: lookup.value });
    else if (!lookup.transient) keys.set(cacheKey, { ok: false, reason: lookup.reason });
  }
  for (const work of needsPlaintext) {
    const missing = keysNeeded.get(work)!.find((request) => !keys.has(request.cacheKey));
    if (missing) {
      const lookup = keyLookups.get(missing.cacheKey);
      work.state = "retry";
      work.reason = `data key unavailable: ${lookup && !lookup.ok ? lookup.reason : "not unwrapped"}`;
      continue;
    }
    work.decrypted = decryptEventData(work.event!, keys);
    counts.decryptFailures += work.decrypted.undecryptable.length;
  }

  // 4. Signing keys, then build, sign and size one entry per delivery.
  const building = delivering.filter((work) => !work.state);
  const secrets = await lookupAll(
    building.flatMap((work) => work.deliveries.map((d) => d.endpoint.signingSecret)),
    limit,
    (name) => deps.secrets.get(name),
  );
  const signedAt = now();
  for (const work of building) {
    const event = work.event!;
    let minimal: Record<string, unknown> | undefined; // computed once, shared by the record's minimal endpoints
    const time = cloudEventTime(event);
    for (const delivery of work.deliveries) {
      const secret = secrets.get(delivery.endpoint.signingSecret)!;
      if (!secret.ok) {
        delivery.state = secret.transient ? "retry" : "quarantined";
        delivery.reason = `signing secret ${delivery.endpoint.signingSecret} unavailable: ${secret.reason}`;
        continue;
      }
      try {
        const full = delivery.endpoint.payloadProfile === "full";
        const cloudEvent = buildCloudEvent({
          event,
          time,
          endpoint: delivery.endpoint,
          data: full ? work.decrypted!.data : (minimal ??= minimalEventData(event)),
          undecryptableFields: full ? work.decrypted!.undecryptable.map((u) => u.path) : [],
          source: settings.cloudEventSource,
        });
        delivery.cloudEventId = cloudEvent.id;
        delivery.entry = signedBusEntry(cloudEvent, secret.value, signedAt, settings.busSource, settings.eventBusName);
        delivery.size = entrySize(delivery.entry);
        if (delivery.size > settings.maxPutEventsBytes) {
          delivery.state = "quarantined";
          delivery.reason = `entry of ${delivery.size} bytes exceeds the PutEvents limit of ${settings.maxPutEventsBytes} bytes`;
          delete delivery.entry;
        }
      } catch (error) {
        delivery.state = "quarantined";
        delivery.reason = `could not build or sign the CloudEvent: ${describeError(error)}`;
      }
    }
    // The plaintext now lives only inside the signed entries; drop it before waiting on PutEvents.
    delete work.decrypted;
  }

  // A record that goes back to the Pipe anyway publishes nothing now, so the retry does not duplicate it.
  for (const work of building) {
    if (work.deliveries.some((d) => d.state === "retry")) {
      for (const delivery of work.deliveries) {
        if (delivery.state) continue;
        delivery.state = "retry";
        delivery.reason = "held back: another delivery of this record must be retried";
      }
    }
  }

  // 5. Publish, resending only the entries PutEvents reports as retryable.
  let pending = building.flatMap((work) => work.deliveries.filter((d) => !d.state && d.entry)) as (Delivery & {
    entry: BusEntry;
    size: number;
  })[];
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retryable: typeof pending = [];
    const calls = packEntries(pending, settings.maxPutEventsBytes);
    counts.putEventsCalls += calls.length;
    await Promise.all(
      calls.map((call) =>
        limit(async () => {
          let results: PublishResult[];
          try {
            results = await deps.publisher.putEvents(call.map((d) => d.entry));
          } catch (error) {
            for (const delivery of call) {
              delivery.reason = `PutEvents failed: ${describeError(error)}`;
              if (isPermanent(error)) delivery.state = "retry";
              else retryable.push(delivery);
            }
            return;
          }
          call.forEach((delivery, index) => {
            const result = results[index];
            if (result?.ok) {
              delivery.state = "published";
              delete delivery.reason;
              return;
            }
            const code = result?.errorCode ?? "MissingResult";
            delivery.reason = `PutEvents entry failed: ${code}${result?.errorMessage ? `: ${result.errorMessage}` : ""}`;
            if (RETRYABLE_PUT_ERRORS.has(code)) retryable.push(delivery);
            else if (ENTRY_REJECTED_ERRORS.has(code)) delivery.state = "quarantined";
            // Permission and configuration errors: the Pipe retries the record once the deployment is fixed.
            else delivery.state = "retry";
          });
        }),
      ),
    );
    pending = retryable;
    if (pending.length === 0) break;
    const delay = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempt - 1)) * (0.5 + random() / 2);
    const outOfTime = deps.remainingTimeMs !== undefined && deps.remainingTimeMs() < delay + 5000;
    if (attempt >= settings.publishAttempts || outOfTime) {
      for (const delivery of pending) delivery.state = "retry";
      break;
    }
    await sleep(delay);
  }

  // 6. Each record's fate from its deliveries.
  for (const work of delivering) {
    if (work.state) continue;
    const states = work.deliveries.map((d) => d.state);
    if (states.includes("retry")) {
      work.state = "retry";
      work.reason = work.deliveries.find((d) => d.state === "retry")!.reason;
    } else if (states.includes("quarantined")) {
      work.state = "quarantined";
      work.reason = "one or more deliveries can never be published";
    } else {
      work.state = "published";
    }
  }

  // 7. Quarantine what must be; a record that cannot be written is retried instead.
  const leaderOutcomes = works.filter((work) => !work.duplicateOf);
  await Promise.all(
    leaderOutcomes
      .filter((work) => work.state === "quarantined")
      .map((work) =>
        limit(async () => {
          try {
            await deps.quarantine.put({
              reason: work.reason ?? "quarantined",
              eventID: work.eventID,
              ...((work.event?.trustId ?? work.trustIdHint) ? { trustId: work.event?.trustId ?? work.trustIdHint } : {}),
              ...((work.event?.eventId ?? work.eventIdHint) ? { eventId: work.event?.eventId ?? work.eventIdHint } : {}),
              publishedEndpoints: work.deliveries.filter((d) => d.state === "published").map((d) => d.endpoint.id),
              endpointFailures: work.deliveries
                .filter((d) => d.state === "quarantined")
                .map((d) => ({ endpointId: d.endpoint.id, reason: d.reason ?? "" })),
              quarantinedAt: now().toISOString(),
              record: work.record,
            });
          } catch (error) {
            work.state = "retry";
            work.reason = `quarantine write failed (${describeError(error)}) for: ${work.reason}`;
          }
        }),
      ),
  );

  // 8. Outcomes, counts and the Pipe's partial-failure report.
  const outcomes: RecordOutcome[] = works.map((work) => {
    const leader = work.duplicateOf ?? work;
    const outcome: RecordOutcome = {
      eventID: work.eventID,
      state: leader.state!,
      deliveries: work.duplicateOf
        ? []
        : work.deliveries.map((d) => ({
            endpointId: d.endpoint.id,
            state: d.state!,
            ...(d.cloudEventId ? { cloudEventId: d.cloudEventId } : {}),
            ...(d.reason ? { reason: d.reason } : {}),
          })),
    };
    if (leader.reason) outcome.reason = leader.reason;
    const trustId = work.event?.trustId ?? work.trustIdHint;
    const eventId = work.event?.eventId ?? work.eventIdHint;
    if (trustId) outcome.trustId = trustId;
    if (eventId) outcome.eventId = eventId;
    if (work.event) outcome.correlationId = work.event.correlationId ?? work.event.eventId;
    if (work.duplicateOf) {
      outcome.duplicateOf = work.duplicateOf.eventID;
      counts.duplicates += 1;
    }
    return outcome;
  });

  const batchItemFailures: { itemIdentifier: string }[] = [];
  for (const outcome of outcomes) {
    if (outcome.state === "published") counts.published += 1;
    if (outcome.state === "filtered") counts.filtered += 1;
    if (outcome.state === "quarantined") counts.quarantined += 1;
    if (outcome.state === "retry") {
      counts.retried += 1;
      if (!outcome.eventID) throw new WholeBatchRetry("a record without eventID must be retried; retrying the whole batch");
      batchItemFailures.push({ itemIdentifier: outcome.eventID });
    }
    counts.deliveriesPublished += outcome.deliveries.filter((d) => d.state === "published").length;
    logOutcome(deps.logger, outcome);
  }
  return { batchItemFailures, outcomes, counts };
}

function logOutcome(logger: Logger, outcome: RecordOutcome): void {
  const routine = outcome.state === "published" || outcome.state === "filtered";
  if (routine && !logger.isLevelEnabled("debug")) return; // one line per record is debug; skip building it
  const fields = {
    eventID: outcome.eventID,
    eventId: outcome.eventId,
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
