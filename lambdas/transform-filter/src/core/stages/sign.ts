import { buildCloudEvent, cloudEventTime } from "../cloudevent.ts";
import { minimalEventData } from "../event-data.ts";
import { describeError } from "@trust-callbacks/runtime";
import { entrySize } from "../pack.ts";
import type { SigningSecretValue } from "../ports.ts";
import type { PrefetchingSigningSecrets } from "../prefetching-secrets.ts";
import { found, type Result } from "@trust-callbacks/runtime";
import { signedBusEntry } from "../signed-entry.ts";
import { NoActiveSigningKey } from "../signature.ts";
import {
  fateOfDeliveries,
  isSettled,
  lookupEach,
  type ReadableRecord,
  type RoutedRecord,
  type SettledDelivery,
  type SignedDelivery,
  type SignedRecord,
  type StageResult,
} from "./batch.ts";

export interface SignOptions {
  /** CloudEvent `source` attribute. */
  cloudEventSource: string;
  /** PutEvents `Source` of every entry. */
  busSource: string;
  eventBusName: string;
  /** Request size cap of one PutEvents call: an entry larger than this can never be published. */
  maxPutEventsBytes: number;
  /** The signature timestamp of every entry of the batch. */
  signedAt: Date;
}

/** The signing secret of each endpoint in play, by secret name, as `lookupSigningSecrets` found them. */
export type SigningKeys = ReadonlyMap<string, Result<SigningSecretValue>>;

/**
 * The signing secrets of every endpoint the routed records go to, each distinct secret asked for once. The
 * orchestrator runs this beside `decrypt`, since both need only the routing. Read through the batch's
 * `PrefetchingSigningSecrets`, which holds the limit on calls and the answers the route stage prefetched.
 */
export function lookupSigningSecrets(
  records: readonly RoutedRecord[],
  secrets: PrefetchingSigningSecrets,
): Promise<SigningKeys> {
  return lookupEach(
    records.flatMap((record) => record.endpoints.map((endpoint) => endpoint.signingSecret)),
    "the source limits its calls",
    async (name) => found(await secrets.get(name)),
    secrets.cached &&
      ((name) => {
        const value = secrets.cached!(name);
        return value === undefined ? undefined : found(value);
      }),
  );
}

/**
 * Sign: one CloudEvent per subscribed endpoint, built from the decrypted data (full profile) or the
 * identifiers only (minimal), signed with every key of the endpoint's secret active at `signedAt` and sized.
 * Secret unavailable: retry; no such secret, no active key, build failure or an entry over the size cap: that
 * delivery is quarantined. A record with a delivery to retry publishes nothing now (its other deliveries are
 * held back), so the retry does not duplicate them. The plaintext is dropped here: from now on it lives only
 * inside the signed entries.
 */
export function sign(
  records: readonly ReadableRecord[],
  keys: SigningKeys,
  options: SignOptions,
): StageResult<SignedRecord> {
  const result: StageResult<SignedRecord> = { decided: [], next: [] };
  for (const record of records) {
    const deliveries = signDeliveries(record, keys, options);
    if (deliveries.some((delivery) => isSettled(delivery) && delivery.state === "retry")) {
      result.decided.push(fateOfDeliveries(record, deliveries.map(holdBack)));
      continue;
    }
    result.next.push({ position: record.position, recordId: record.recordId, record: record.record, event: record.event, deliveries });
  }
  return result;
}

function signDeliveries(
  record: ReadableRecord,
  keys: SigningKeys,
  options: SignOptions,
): (SignedDelivery | SettledDelivery)[] {
  const { event, plaintext } = record;
  let minimal: Record<string, unknown> | undefined; // computed once, shared by the record's minimal endpoints
  const time = cloudEventTime(event);
  return record.endpoints.map((endpoint): SignedDelivery | SettledDelivery => {
    const key = keys.get(endpoint.signingSecret)!;
    if (key.status !== "found") {
      const reason = `signing secret ${endpoint.signingSecret} unavailable: ${key.reason}`;
      return { endpoint, state: key.status === "failed" && key.retry === "never" ? "quarantined" : "retry", reason };
    }
    let cloudEventId: string | undefined;
    try {
      const full = endpoint.payloadProfile === "full";
      const cloudEvent = buildCloudEvent({
        event,
        time,
        endpoint,
        data: full ? plaintext!.data : (minimal ??= minimalEventData(event)),
        undecryptableFields: full ? plaintext!.undecryptable.map((field) => field.path) : [],
        source: options.cloudEventSource,
      });
      cloudEventId = cloudEvent.id;
      const entry = signedBusEntry(cloudEvent, key.value, options.signedAt, options.busSource, record.eventBus ?? options.eventBusName);
      const size = entrySize(entry);
      const tooLarge = oversizeReason(size, options);
      if (tooLarge) return { endpoint, cloudEventId, state: "quarantined", reason: tooLarge };
      return { endpoint, cloudEventId, entry, size };
    } catch (error) {
      const reason = error instanceof NoActiveSigningKey
        ? `signing secret ${endpoint.signingSecret}: ${error.message}`
        : `could not build or sign the CloudEvent: ${describeError(error)}`;
      return { endpoint, ...(cloudEventId ? { cloudEventId } : {}), state: "quarantined", reason };
    }
  });
}

/**
 * The largest entry whose dead letter still fits a trust's SQS DLQ. A delivery that exhausts its retries becomes
 * one SQS message: the whole EventBridge event (the entry plus its envelope: id, account, time, region, resources)
 * and the attributes EventBridge adds (ERROR_CODE, ERROR_MESSAGE, RULE_ARN, TARGET_ARN, ...). SQS counts both
 * against 256 KiB (the most provider 5.100 sets); a dead letter that does not fit is lost, counted only by
 * InvocationsFailedToBeSentToDlq. AWS does not document the envelope and attributes' size, so 16 KiB is kept for
 * them: far more than the ~1 KiB they take with this deployment's names.
 */
export const MAX_DEAD_LETTER_ENTRY_BYTES = 256 * 1024 - 16 * 1024;

/** Why an entry of `size` bytes can never be published, if it cannot. Every size limit on an entry goes here. */
export function oversizeReason(size: number, options: Pick<SignOptions, "maxPutEventsBytes">): string | undefined {
  if (size > options.maxPutEventsBytes) {
    return `entry of ${size} bytes exceeds the PutEvents limit of ${options.maxPutEventsBytes} bytes`;
  }
  if (size > MAX_DEAD_LETTER_ENTRY_BYTES) {
    return `entry of ${size} bytes could not be kept in the trust's DLQ (SQS 256 KiB) if its delivery failed; limit ${MAX_DEAD_LETTER_ENTRY_BYTES} bytes`;
  }
  return undefined;
}

/** A signed delivery of a record that must be retried anyway is not published now. */
const holdBack = (delivery: SignedDelivery | SettledDelivery): SettledDelivery =>
  isSettled(delivery)
    ? delivery
    : {
        endpoint: delivery.endpoint,
        cloudEventId: delivery.cloudEventId,
        state: "retry",
        reason: "held back: another delivery of this record must be retried",
      };

