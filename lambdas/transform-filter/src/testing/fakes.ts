import pino from "pino";
import type { TrustConfig } from "@trust-callbacks/schemas";
import { putEventsEntryFailure } from "../adapters/eventbridge-publisher.ts";
import { PermanentError, TransientError } from "@trust-callbacks/runtime";
import type {
  BusEntry,
  EventPublisher,
  PublishResult,
  QuarantineSink,
  QuarantinedRecord,
  SigningSecretSource,
  SubscriptionLookup,
  SubscriptionSource,
} from "../core/ports.ts";
import { failed, found, notFound } from "@trust-callbacks/runtime";

/** A fault to inject into a call: thrown the way an adapter reports it after classifying an AWS error. */
export type Fault = "transient" | "permanent" | undefined;
const raise = (fault: Fault, what: string): void => {
  if (fault === "transient") throw new TransientError(`${what}: injected throttling`);
  if (fault === "permanent") throw new PermanentError(`${what}: injected refusal`);
};

export const silentLogger = () => pino({ level: "silent" });

/** The platform event id a bus entry carries (`data.sourceEventId` of its CloudEvent). */
export const sourceEventIdOf = (entry: BusEntry): string => JSON.parse(entry.Detail).event.data.sourceEventId;
/** The CloudEvent id of a bus entry. */
export const cloudEventIdOf = (entry: BusEntry): string => JSON.parse(entry.Detail).event.id;

export class InMemorySubscriptions implements SubscriptionSource {
  readonly documents = new Map<string, SubscriptionLookup>();
  faults = new Map<string, Fault>();
  calls = 0;
  constructor(configs: TrustConfig[] = []) {
    for (const config of configs) this.documents.set(config.trustId, found({ config, version: "1" }));
  }
  /** The trust's document is there but invalid, for `reason`. */
  invalid(trustId: string, reason: string): this {
    this.documents.set(trustId, failed("never", reason));
    return this;
  }
  async get(trustId: string): Promise<SubscriptionLookup> {
    this.calls += 1;
    raise(this.faults.get(trustId), `subscriptions ${trustId}`);
    return this.documents.get(trustId) ?? notFound("no subscription document");
  }
}

export class InMemorySecrets implements SigningSecretSource {
  faults = new Map<string, Fault>();
  calls = 0;
  constructor(readonly values: Map<string, string> = new Map()) {}
  async get(name: string): Promise<string> {
    this.calls += 1;
    raise(this.faults.get(name), `secret ${name}`);
    const value = this.values.get(name);
    if (!value) throw new PermanentError(`ResourceNotFoundException: ${name}`);
    return value;
  }
}

/**
 * What the fake bus does with one entry: accept it, answer it with an EventBridge error code (classified
 * as the EventBridge adapter classifies it), or fail the whole call as a throttled or refused call would.
 */
export type PutAnswer = "accept" | { errorCode: string; errorMessage?: string } | "throw-transient" | "throw-permanent";

/** Records every entry the bus accepted; `plan` (or `failFor`) decides each entry's answer per call. */
export class RecordingPublisher implements EventPublisher {
  readonly published: BusEntry[] = [];
  readonly calls: BusEntry[][] = [];
  plan: (entry: BusEntry, callIndex: number) => PutAnswer = () => "accept";
  private readonly failures = new Map<string, string>();

  /** Every entry of the platform event `sourceEventId` is answered with the EventBridge error `errorCode`. */
  failFor(sourceEventId: string, errorCode: string): this {
    this.failures.set(sourceEventId, errorCode);
    const plan = this.plan;
    this.plan = (entry, callIndex) => {
      const code = this.failures.get(sourceEventIdOf(entry));
      return code ? { errorCode: code, errorMessage: "injected" } : plan(entry, callIndex);
    };
    return this;
  }

  /** Every entry of the first `calls` calls is answered with `errorCode`; later calls are accepted. */
  failFirstCalls(calls: number, errorCode: string): this {
    this.plan = (_entry, callIndex) => (callIndex < calls ? { errorCode, errorMessage: "injected" } : "accept");
    return this;
  }

  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    const callIndex = this.calls.length;
    this.calls.push(entries);
    if (entries.length > 10) throw new PermanentError("ValidationException: more than 10 entries");
    const answers = entries.map((entry) => this.plan(entry, callIndex));
    if (answers.includes("throw-transient")) throw new TransientError("PutEvents: injected throttling");
    if (answers.includes("throw-permanent")) throw new PermanentError("PutEvents: AccessDeniedException");
    return answers.map((answer, index) => {
      if (answer === "accept") {
        this.published.push(entries[index]!);
        return found({ eventId: `e-${callIndex}-${index}` });
      }
      const { errorCode, errorMessage } = answer as { errorCode: string; errorMessage?: string };
      return putEventsEntryFailure(errorCode, errorMessage);
    });
  }
}

export class MemoryQuarantine implements QuarantineSink {
  readonly entries: QuarantinedRecord[] = [];
  fault: Fault;
  async put(entry: QuarantinedRecord): Promise<void> {
    raise(this.fault, "quarantine");
    this.entries.push(entry);
  }
}
