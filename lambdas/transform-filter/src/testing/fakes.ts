import pino from "pino";
import { PermanentError, TransientError } from "../core/errors.ts";
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
import type { TrustConfig } from "@trust-callbacks/schemas";

export type Fault = "transient" | "permanent" | undefined;
const raise = (fault: Fault, what: string): void => {
  if (fault === "transient") throw new TransientError(`${what}: injected throttling`);
  if (fault === "permanent") throw new PermanentError(`${what}: injected refusal`);
};

export const silentLogger = () => pino({ level: "silent" });

export class InMemorySubscriptions implements SubscriptionSource {
  readonly documents = new Map<string, SubscriptionLookup>();
  faults = new Map<string, Fault>();
  calls = 0;
  constructor(configs: TrustConfig[] = []) {
    for (const config of configs) this.documents.set(config.trustId, { kind: "found", config, version: "1" });
  }
  async get(trustId: string): Promise<SubscriptionLookup> {
    this.calls += 1;
    raise(this.faults.get(trustId), `subscriptions ${trustId}`);
    return this.documents.get(trustId) ?? { kind: "unknown" };
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

/** Records every entry that PutEvents accepted; `plan` decides each entry's fate per call. */
export class RecordingPublisher implements EventPublisher {
  readonly published: BusEntry[] = [];
  readonly calls: BusEntry[][] = [];
  plan: (entry: BusEntry, callIndex: number) => PublishResult | "throw-transient" | "throw-permanent" = () => ({ ok: true });

  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    const callIndex = this.calls.length;
    this.calls.push(entries);
    if (entries.length > 10) throw new PermanentError("ValidationException: more than 10 entries");
    const decisions = entries.map((entry) => this.plan(entry, callIndex));
    if (decisions.includes("throw-transient")) throw new TransientError("PutEvents: injected throttling");
    if (decisions.includes("throw-permanent")) throw new PermanentError("PutEvents: AccessDeniedException");
    return decisions.map((decision, index) => {
      const result = decision as PublishResult;
      if (result.ok) this.published.push(entries[index]!);
      return result;
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
