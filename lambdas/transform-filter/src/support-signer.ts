/**
 * The support signer (docs/guarantees.md 5.20, 5.21): re-signs and publishes what support staff chose, so that their
 * own credentials never read a signing key. Two requests, parsed by the one schema in `@trust-callbacks/schemas`:
 * `redrive` (CloudEvents from a trust's DLQ, re-signed for exactly the endpoint named) and `replay` (stream records,
 * through `processBatch` restricted to one trust and endpoint). It is the core's own sign and publish stages applied
 * to deliveries support staff chose: `signedBusEntry`, `publish`, the subscription source and the signing-secret
 * port; nothing of them is copied. The Lambda (`support-handler.ts`) and the support CLI's local mode both call
 * `handleSupportRequest`, so one code path is tested.
 * With `holds`, a delivery to a held endpoint goes to its hold store like any other (the core's own `hold` stage:
 * docs/guarantees.md 10.8) and is answered `accepted` with `held: true` and the store's id.
 */
import pLimit from "p-limit";
import type { Logger } from "pino";
import {
  MAX_SUPPORT_REQUEST_BYTES,
  SupportSignerRequest,
  formatIssues,
  type PlatformEvent,
  type SupportDeliveryAnswer,
  type SupportRedriveAnswer,
  type SupportRedriveRequest,
  type SupportRefusal,
  type SupportReplayAnswer,
  type SupportReplayRequest,
  type SupportSignerAnswer,
} from "@trust-callbacks/schemas";
import { describeError } from "@trust-callbacks/runtime";
import { entrySize } from "./core/pack.ts";
import { processBatch, type ProcessorSettings } from "./core/process-batch.ts";
import type {
  DataKeyUnwrapper,
  DeliveryHistory,
  EventPublisher,
  PublishedDelivery,
  SigningSecretSource,
  Subscription,
  SubscriptionSource,
} from "./core/ports.ts";
import type { PipeKinesisRecord } from "./core/records.ts";
import { failureOf, found, notFound, type Retry } from "@trust-callbacks/runtime";
import { signedBusEntry } from "./core/signed-entry.ts";
import { NoActiveSigningKey } from "./core/signature.ts";
import type { HoldStore } from "./core/hold-ports.ts";
import type { DecidedRecord, DeliveryState, SettledDelivery, SignedDelivery, SignedRecord } from "./core/stages/batch.ts";
import { hold, readHoldStates, type HoldDeps } from "./core/stages/hold.ts";
import { publish } from "./core/stages/publish.ts";
import { oversizeReason } from "./core/stages/sign.ts";

export interface SupportSignerDeps {
  subscriptions: SubscriptionSource;
  secrets: SigningSecretSource;
  publisher: EventPublisher;
  /** Field data keys, for replay (the records are the stream's ciphertext). */
  keys: DataKeyUnwrapper;
  /** Hold states and stores: a redrive or replay to a held endpoint is held (10.8). Unset: nothing is held. */
  holds?: HoldDeps;
  logger: Logger;
  /** Told of every delivery a replay published (the local pipeline's call history); the function logs its answers. */
  history?: DeliveryHistory;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  remainingTimeMs?: () => number;
}

/** The Lambda's settings: the default bus (a trust whose document names none), the bus and CloudEvent sources. */
export type SupportSignerSettings = ProcessorSettings;

const refuse = (reason: string, retry: Retry = "never", correlationId?: string): SupportRefusal => ({
  kind: "refused",
  ...(correlationId ? { correlationId } : {}),
  retry,
  reason,
});

/**
 * Answers one request (its JSON already parsed, or the raw text). A request that does not parse, is too large, or
 * names a trust or endpoint the signer may not sign for is refused whole, with a reason; it never throws for what the
 * caller sent.
 */
export async function handleSupportRequest(
  input: unknown,
  deps: SupportSignerDeps,
  settings: SupportSignerSettings,
): Promise<SupportSignerAnswer> {
  let size: number;
  try {
    size = Buffer.byteLength(typeof input === "string" ? input : (JSON.stringify(input) ?? ""));
  } catch {
    return logged(deps.logger, refuse("the request is not JSON"));
  }
  if (size > MAX_SUPPORT_REQUEST_BYTES) {
    return logged(deps.logger, refuse(`the request is ${size} bytes; at most ${MAX_SUPPORT_REQUEST_BYTES} are read`));
  }
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch {
      return logged(deps.logger, refuse("the request is not JSON"));
    }
  }
  const parsed = SupportSignerRequest.safeParse(json);
  if (!parsed.success) return logged(deps.logger, refuse(`not a support signer request: ${formatIssues(parsed.error)}`));
  const request = parsed.data;
  // Identifiers only: never a CloudEvent's data, a record's content or a key.
  const logger = deps.logger.child({
    correlationId: request.correlationId,
    operator: request.operator,
    kind: request.kind,
    trustId: request.trustId,
    ...(request.endpointId ? { endpointId: request.endpointId } : {}),
  });
  const answer = request.kind === "redrive"
    ? await redrive(request, { ...deps, logger }, settings)
    : await replay(request, { ...deps, logger }, settings);
  return logged(logger, answer);
}

/** One info line per answer: each delivery's ids and outcome, or the refusal's reason. */
function logged(logger: Logger, answer: SupportSignerAnswer): SupportSignerAnswer {
  if (answer.kind === "refused") {
    logger.warn({ retry: answer.retry, reason: answer.reason }, "support request refused");
    return answer;
  }
  const deliveries = answer.kind === "redrive" ? answer.deliveries : answer.records.flatMap((record) => record.deliveries);
  logger.info(
    {
      deliveries: deliveries.map((d) =>
        d.status === "accepted"
          ? { endpointId: d.endpointId, cloudEventId: d.cloudEventId, status: d.status, busEventId: d.busEventId }
          : { endpointId: d.endpointId, cloudEventId: d.cloudEventId, status: d.status, retry: d.retry, reason: d.reason },
      ),
      ...(answer.kind === "replay" ? { counts: answer.counts } : {}),
    },
    "support request answered",
  );
  return answer;
}

/** The trust's current document, or why the request is refused (with the lookup's retry class). */
async function currentDocument(subscriptions: SubscriptionSource, trustId: string): Promise<Subscription | SupportRefusal> {
  let lookup;
  try {
    lookup = await subscriptions.get(trustId);
  } catch (error) {
    lookup = failureOf(error);
  }
  if (lookup.status === "found") return lookup.value;
  if (lookup.status === "not-found") return refuse(`unknown trust ${trustId}: no subscription document`);
  return refuse(`subscription document of trust ${trustId} unavailable: ${lookup.reason}`, lookup.retry);
}

/** Why an endpoint of the current document may not be signed for, if it may not. */
function endpointRefusal(document: Subscription, trustId: string, endpointId: string): string | undefined {
  if (!document.config.enabled) return `trust ${trustId} is disabled (kill switch)`;
  const endpoint = document.config.endpoints.find((e) => e.id === endpointId);
  if (!endpoint) return `endpoint ${trustId}/${endpointId} is unknown or removed from the trust's document`;
  if (!endpoint.enabled) return `endpoint ${trustId}/${endpointId} is disabled`;
  return undefined;
}

const retryOf = (state: DeliveryState): Retry => (state === "quarantined" ? "never" : "later");

async function redrive(request: SupportRedriveRequest, deps: SupportSignerDeps, settings: SupportSignerSettings): Promise<SupportRedriveAnswer> {
  const { trustId, endpointId, correlationId, cloudEvents } = request;
  return { kind: "redrive", correlationId, deliveries: await resignForEndpoint(trustId, endpointId, cloudEvents, deps, settings) };
}

/**
 * Re-signs CloudEvents for exactly one endpoint with a fresh timestamp and publishes them: one answer per event, in
 * order. The redrive's whole path, and the hold drain's (`src/hold-drain.ts`, docs/guarantees.md 10.10).
 */
export async function resignForEndpoint(
  trustId: string,
  endpointId: string,
  cloudEvents: readonly SupportRedriveRequest["cloudEvents"][number][],
  deps: SupportSignerDeps,
  settings: SupportSignerSettings,
): Promise<SupportDeliveryAnswer[]> {
  const request = { cloudEvents };
  const answer = (deliveries: SupportDeliveryAnswer[]) => deliveries;
  const allFail = (retry: Retry, reason: string) =>
    answer(request.cloudEvents.map((event) => ({ status: "failed", endpointId, cloudEventId: event.id, retry, reason })));

  const document = await currentDocument(deps.subscriptions, trustId);
  if ("kind" in document) return allFail(document.retry, document.reason);
  const refusal = endpointRefusal(document, trustId, endpointId);
  if (refusal) return allFail("never", refusal);
  const endpoint = document.config.endpoints.find((e) => e.id === endpointId)!;

  let secret;
  try {
    secret = await deps.secrets.get(endpoint.signingSecret);
  } catch (error) {
    const failure = failureOf(error);
    return allFail(failure.retry, `signing secret ${endpoint.signingSecret} unavailable: ${failure.reason}`);
  }

  // A fresh signature timestamp: receivers refuse signatures older than 5 minutes.
  const signedAt = (deps.now ?? (() => new Date()))();
  const eventBusName = document.eventBus ?? settings.eventBusName;
  const results = new Map<number, SupportDeliveryAnswer>();
  const toPublish: SignedRecord[] = [];
  const seen = new Set<string>();
  request.cloudEvents.forEach((event, position) => {
    const fail = (reason: string) => results.set(position, { status: "failed", endpointId, cloudEventId: event.id, retry: "never", reason });
    if (event.trustid !== trustId || event.endpointid !== endpointId) {
      return fail(`CloudEvent ${event.id} is for ${event.trustid}/${event.endpointid}, not ${trustId}/${endpointId}`);
    }
    if (seen.has(event.id)) return fail(`CloudEvent ${event.id} appears twice in the request`);
    seen.add(event.id);
    let entry;
    try {
      entry = signedBusEntry(event, secret, signedAt, settings.busSource, eventBusName);
    } catch (error) {
      return fail(error instanceof NoActiveSigningKey ? `signing secret ${endpoint.signingSecret}: ${error.message}` : `could not sign: ${describeError(error)}`);
    }
    const size = entrySize(entry);
    const tooLarge = oversizeReason(size, settings);
    if (tooLarge) return fail(tooLarge);
    const delivery: SignedDelivery = { endpoint, cloudEventId: event.id, entry, size };
    // The publish stage's record shape: what its history line reads of the platform event (identifiers only).
    const source = event.data?.["sourceEventId"];
    const platformEvent = {
      eventId: typeof source === "string" ? source : event.id,
      trustId,
      ...(event.correlationid ? { correlationId: event.correlationid } : {}),
    } as PlatformEvent;
    toPublish.push({ position, recordId: event.id, record: { eventID: event.id, data: "" }, event: platformEvent, deliveries: [delivery] });
  });

  const busEventIds = new Map<string, string>();
  const waits = {
    ...settings,
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    random: deps.random ?? Math.random,
    ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
  };
  // 10.8: to a held endpoint, the core's own hold stage (the current document's windows, the endpoint's hold state).
  let heldDecided: DecidedRecord[] = [];
  let toSend = toPublish;
  if (deps.holds && toPublish.length > 0) {
    const states = await readHoldStates([{ event: toPublish[0]!.event, endpoints: [endpoint] }], deps.holds.states);
    const trustHolds = new Map(toPublish.map((record) => [record.position, document.config.holds]));
    const held = await hold(toPublish, states, recordingIds(deps.holds, busEventIds), trustHolds, { ...waits, now: signedAt });
    heldDecided = held.decided;
    toSend = held.next;
  }
  const published = await publish(toSend, deps.publisher, pLimit(1), {
    ...waits,
    history: { published: (delivery: PublishedDelivery) => busEventIds.set(delivery.cloudEventId, delivery.busEventId) },
  });
  for (const decided of [...heldDecided, ...published.decided]) {
    const settled = decided.deliveries[0]!;
    results.set(decided.position, answerOf(settled, busEventIds));
  }
  return answer(request.cloudEvents.map((_event, position) => results.get(position)!));
}

/**
 * The hold store, telling `ids` the store's id of each delivery it accepts (by CloudEvent id, and by CloudEvent id and
 * endpoint for a replay), as the publish stage's history tells the bus's.
 */
const recordingIds = (holds: HoldDeps, ids: Map<string, string>): HoldDeps => ({ states: holds.states, store: storeIdsOf(holds.store, ids) });

function storeIdsOf(store: HoldStore, ids: Map<string, string>): HoldStore {
  return {
    append: async (deliveries) => {
      const answers = await store.append(deliveries);
      deliveries.forEach((delivery, index) => {
        const answer = answers[index];
        if (answer?.status !== "found") return;
        ids.set(delivery.cloudEvent.id, answer.value.eventId);
        ids.set(`${delivery.cloudEvent.id}/${delivery.endpoint.endpointId}`, answer.value.eventId);
      });
      return answers;
    },
    receive: (endpoint, max) => store.receive(endpoint, max),
    delete: (endpoint, receipts) => store.delete(endpoint, receipts),
    depth: (endpoint) => store.depth(endpoint),
  };
}

function answerOf(delivery: SettledDelivery, busEventIds: ReadonlyMap<string, string>): SupportDeliveryAnswer {
  const busEventId = delivery.cloudEventId ? busEventIds.get(delivery.cloudEventId) : undefined;
  if (delivery.state === "published" && delivery.cloudEventId && busEventId) {
    return { status: "accepted", endpointId: delivery.endpoint.id, cloudEventId: delivery.cloudEventId, busEventId, ...(delivery.held ? { held: true as const } : {}) };
  }
  return {
    status: "failed",
    endpointId: delivery.endpoint.id,
    ...(delivery.cloudEventId ? { cloudEventId: delivery.cloudEventId } : {}),
    retry: delivery.state === "published" ? "later" : retryOf(delivery.state),
    reason: delivery.reason ?? (delivery.state === "published" ? "the bus answered no event id" : delivery.state),
  };
}

/** Holds for dry runs: hold states are read as they are; nothing is written, and the store keeps nothing. */
function dryRunHolds(holds: HoldDeps): HoldDeps {
  return {
    states: {
      getMany: (endpoints) => holds.states.getMany(endpoints),
      ...(holds.states.cached ? { cached: (endpoint: Parameters<NonNullable<HoldDeps["states"]["cached"]>>[0]) => holds.states.cached!(endpoint) } : {}),
      put: async (state) => found(state),
      delete: async (endpoint) => found(endpoint),
      list: () => holds.states.list(),
    },
    store: {
      append: async (deliveries) => deliveries.map(() => found({ eventId: "dry-run" })),
      receive: async () => found([]),
      delete: async () => found(0),
      depth: (endpoint) => holds.store.depth(endpoint),
    },
  };
}

/** A publisher for dry runs: accepts every entry and sends nothing. */
const dryRunPublisher: EventPublisher = { putEvents: async (entries) => entries.map(() => found({ eventId: "dry-run" })) };

async function replay(request: SupportReplayRequest, deps: SupportSignerDeps, settings: SupportSignerSettings): Promise<SupportReplayAnswer | SupportRefusal> {
  const { trustId, endpointId, correlationId } = request;
  const document = await currentDocument(deps.subscriptions, trustId);
  if ("kind" in document) return { ...document, correlationId };
  if (endpointId && !document.config.endpoints.some((e) => e.id === endpointId)) {
    return refuse(`endpoint ${trustId}/${endpointId} is unknown or removed from the trust's document`, "never", correlationId);
  }
  // The trust's document as it is now, with the chosen endpoint only; every other trust is unknown to this batch.
  const config = { ...document.config, endpoints: document.config.endpoints.filter((e) => !endpointId || e.id === endpointId) };
  const restricted: SubscriptionSource = {
    get: async (id) => (id === trustId ? found({ ...document, config }) : notFound(`not the replayed trust ${trustId}`)),
  };
  const busEventIds = new Map<string, string>();
  const result = await processBatch(
    request.records as PipeKinesisRecord[],
    {
      keys: deps.keys,
      secrets: deps.secrets,
      subscriptions: restricted,
      publisher: request.dryRun ? dryRunPublisher : deps.publisher,
      // A replay quarantines nothing: what the core would quarantine was quarantined, or not, when it first arrived.
      quarantine: { put: async () => {} },
      logger: deps.logger,
      // A dry run holds nothing and writes no hold state: it reads where each delivery would go, and sends nothing.
      ...(deps.holds ? { holds: recordingIds(request.dryRun ? dryRunHolds(deps.holds) : deps.holds, busEventIds) } : {}),
      history: {
        published: (delivery) => {
          busEventIds.set(`${delivery.cloudEventId}/${delivery.endpointId}`, delivery.busEventId);
          if (!request.dryRun) deps.history?.published(delivery);
        },
      },
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
    },
    settings,
  );
  return {
    kind: "replay",
    correlationId,
    records: result.outcomes.map((outcome) => ({
      recordId: outcome.recordId,
      ...(outcome.sourceEventId ? { sourceEventId: outcome.sourceEventId } : {}),
      state: outcome.state,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.duplicateOf ? { duplicateOf: outcome.duplicateOf } : {}),
      deliveries: outcome.deliveries.map((delivery): SupportDeliveryAnswer => {
        const busEventId = delivery.cloudEventId ? busEventIds.get(`${delivery.cloudEventId}/${delivery.endpointId}`) : undefined;
        if (delivery.state === "published" && delivery.cloudEventId && busEventId) {
          return { status: "accepted", endpointId: delivery.endpointId, cloudEventId: delivery.cloudEventId, busEventId, ...(delivery.held ? { held: true as const } : {}) };
        }
        return {
          status: "failed",
          endpointId: delivery.endpointId,
          ...(delivery.cloudEventId ? { cloudEventId: delivery.cloudEventId } : {}),
          retry: delivery.state === "published" ? "later" : retryOf(delivery.state),
          reason: delivery.reason ?? outcome.reason ?? delivery.state,
        };
      }),
    })),
    counts: {
      published: result.counts.published,
      filtered: result.counts.filtered,
      quarantined: result.counts.quarantined,
      retried: result.counts.retried,
    },
  };
}
