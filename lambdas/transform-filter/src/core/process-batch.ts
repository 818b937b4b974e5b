import pLimit from "p-limit";
import type { Logger } from "pino";
import type {
  ConversationBindingStore,
  DataKeyUnwrapper,
  DeliveryHistory,
  EventPublisher,
  QuarantineSink,
  SigningSecretSource,
  SubscriptionSource,
  SubscriptionVersionSource,
} from "./ports.ts";
import type { HoldWindow } from "@trust-callbacks/schemas";
import { PrefetchingSigningSecrets } from "./prefetching-secrets.ts";
import type { PipeKinesisRecord } from "./records.ts";
import type { RoutedRecord } from "./stages/batch.ts";
import { decode, receive } from "./stages/decode.ts";
import { decrypt } from "./stages/decrypt.ts";
import { hold, readHoldStates, type HoldDeps, type HoldStageResult } from "./stages/hold.ts";
import { publish } from "./stages/publish.ts";
import { quarantine } from "./stages/quarantine.ts";
import { report, type BatchResult } from "./stages/report.ts";
import { DEFAULT_BINDING_TTL_MS } from "./stages/conversation-bindings.ts";
import { route } from "./stages/route.ts";
import { lookupSigningSecrets, sign } from "./stages/sign.ts";

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
  /**
   * Parallel calls to each AWS service (each kind of lookup has its own limit). A cold batch over 100 trusts
   * makes one call per trust document, data key and signing secret: at 48 they take a few round trips, not 20.
   * Each SDK client's own socket pool (50) is the ceiling.
   */
  concurrency: number;
  /** How long a conversation binding counts after it is made; default 30 days. */
  bindingTtlMs?: number;
}

export const DEFAULT_SETTINGS: Omit<ProcessorSettings, "eventBusName" | "cloudEventSource"> = {
  busSource: "trust-callbacks",
  maxPutEventsBytes: 256 * 1024,
  publishAttempts: 4,
  backoffBaseMs: 100,
  backoffMaxMs: 2000,
  concurrency: 48,
};

export interface ProcessorDeps {
  keys: DataKeyUnwrapper;
  subscriptions: SubscriptionSource;
  secrets: SigningSecretSource;
  publisher: EventPublisher;
  quarantine: QuarantineSink;
  /** Conversation bindings (see core/stages/route.ts); without them every event uses its trust's current document. */
  bindings?: {
    store: ConversationBindingStore;
    versions: SubscriptionVersionSource;
    /** The clock bindings are made and expire by (default `now`): the local pipeline's tests move it alone. */
    now?: () => Date;
  };
  logger: Logger;
  /**
   * Holds (docs/adr/0002-holds.md; docs/guarantees.md 10.1-10.7): hold states and hold stores. A delivery to a held
   * endpoint goes to its store, not the bus. Without them nothing is held: windows and hold states are not read.
   */
  holds?: HoldDeps;
  /** Told of every delivery the bus accepts (the call history). */
  history?: DeliveryHistory;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Milliseconds left before the invocation times out; backoff stops when it runs low. */
  remainingTimeMs?: () => number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Turns one Pipe batch of Kinesis records into signed CloudEvents on the callbacks bus, stage by stage.
 * Each stage takes the records still in play and returns the ones it decided and the ones it passes on.
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
  const limitCalls = () => pLimit(settings.concurrency);

  const received = receive(records);
  const decoded = decode(received);
  const bindings = deps.bindings && { now, ...deps.bindings, ttlMs: settings.bindingTtlMs ?? DEFAULT_BINDING_TTL_MS };
  // Signing secrets are asked for as each trust's document arrives, not once every record is routed.
  const secrets = new PrefetchingSigningSecrets(deps.secrets, settings.concurrency);
  const routed = await route(decoded.next, deps.subscriptions, limitCalls(), bindings, secrets);
  // Hold states depend only on the routing too: read beside the data keys and signing secrets.
  const holdStates = deps.holds && readHoldStates(routed.next, deps.holds.states);
  // Data keys and the rest of the signing secrets depend only on the routing: looked up together.
  const [readable, signingKeys] = await Promise.all([
    decrypt(routed.next, deps.keys, limitCalls()),
    lookupSigningSecrets(routed.next, secrets),
  ]);
  const signedAt = now();
  const signed = sign(readable.next, signingKeys, { ...settings, signedAt });
  const waits = {
    ...settings,
    sleep: deps.sleep ?? sleepFor,
    random: deps.random ?? Math.random,
    ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
  };
  const held: HoldStageResult = deps.holds
    ? await hold(signed.next, await holdStates!, deps.holds, trustHoldsOf(routed.next), { ...waits, now: signedAt })
    : { decided: [], next: signed.next, holdStoreCalls: 0 };
  const published = await publish(held.next, deps.publisher, limitCalls(), {
    ...waits,
    now,
    ...(deps.history ? { history: deps.history } : {}),
  });
  const decided = [decoded, routed, readable, signed, held, published].flatMap((stage) => stage.decided);
  const settled = await quarantine(
    decided.sort((a, b) => a.position - b.position),
    deps.quarantine,
    limitCalls(),
    now,
  );

  return report(received, settled, decoded.repeats, {
    decryptFailures: readable.undecryptableFields,
    putEventsCalls: published.putEventsCalls,
    holdStoreCalls: held.holdStoreCalls,
    unboundEvents: routed.unbound,
  }, deps.logger);
}

/** The trust windows of each routed record that has any, by position (most have none: an empty map). */
function trustHoldsOf(records: readonly RoutedRecord[]): Map<number, readonly HoldWindow[]> {
  const windows = new Map<number, readonly HoldWindow[]>();
  for (const record of records) if (record.trustHolds) windows.set(record.position, record.trustHolds);
  return windows;
}
