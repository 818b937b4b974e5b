import pLimit from "p-limit";
import type { Logger } from "pino";
import type { DataKeyUnwrapper, DeliveryHistory, EventPublisher, QuarantineSink, SigningSecretSource, SubscriptionSource } from "./ports.ts";
import type { PipeKinesisRecord } from "./records.ts";
import { decode, receive } from "./stages/decode.ts";
import { decrypt } from "./stages/decrypt.ts";
import { publish } from "./stages/publish.ts";
import { quarantine } from "./stages/quarantine.ts";
import { report, type BatchResult } from "./stages/report.ts";
import { route } from "./stages/route.ts";
import { sign } from "./stages/sign.ts";

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
  const limit = pLimit(settings.concurrency);

  const received = receive(records);
  const decoded = decode(received);
  const routed = await route(decoded.next, deps.subscriptions, limit);
  const readable = await decrypt(routed.next, deps.keys, limit);
  const signed = await sign(readable.next, deps.secrets, limit, { ...settings, signedAt: now() });
  const published = await publish(signed.next, deps.publisher, limit, {
    ...settings,
    sleep: deps.sleep ?? sleepFor,
    random: deps.random ?? Math.random,
    now,
    ...(deps.history ? { history: deps.history } : {}),
    ...(deps.remainingTimeMs ? { remainingTimeMs: deps.remainingTimeMs } : {}),
  });
  const decided = [decoded, routed, readable, signed, published].flatMap((stage) => stage.decided);
  const settled = await quarantine(
    decided.sort((a, b) => a.position - b.position),
    deps.quarantine,
    limit,
    now,
  );

  return report(received, settled, decoded.repeats, {
    decryptFailures: readable.undecryptableFields,
    putEventsCalls: published.putEventsCalls,
  }, deps.logger);
}
