import { HoldState, Notice, holdKey } from "@trust-callbacks/schemas";
import { failed, found, notFound, type Failed, type Result } from "@trust-callbacks/runtime";
import type {
  EndpointRef,
  HeldDelivery,
  HoldStateStore,
  HoldStore,
  NoticeLog,
  ReceivedDelivery,
} from "../core/hold-ports.ts";
import type { PublishResult } from "../core/ports.ts";

/**
 * Hold ports kept in memory (docs/adr/0002-holds.md): the tests' stand-ins and, persisted by
 * `scripts/lib/local-holds.ts`, the local pipeline's. Same semantics as the AWS adapters: conditional writes by
 * version, a store that hands deliveries back in the order appended, deduplicated by CloudEvent id, hidden while
 * received until deleted (or `release`d, the visibility timeout's stand-in), and a notice log where the first write of
 * an id wins. `failNext` injects a fault into the next call of a method.
 */

type Faults = Map<string, Failed[]>;
const takeFault = (faults: Faults, method: string): Failed | undefined => faults.get(method)?.shift();
const addFault = (faults: Faults, method: string, fault: Failed) => faults.set(method, [...(faults.get(method) ?? []), fault]);

export class InMemoryHoldStates implements HoldStateStore {
  readonly items = new Map<string, HoldState>();
  private readonly faults: Faults = new Map();
  /** Calls of `getMany`, for tests that count reads. */
  getManyCalls = 0;

  constructor(states: readonly HoldState[] = []) {
    for (const state of states) this.items.set(holdKey(state.trustId, state.endpointId), HoldState.parse(state));
  }

  failNext(method: "getMany" | "put" | "delete" | "list", fault: Failed = failed("later", "injected")): this {
    addFault(this.faults, method, fault);
    return this;
  }

  async getMany(endpoints: readonly EndpointRef[]): Promise<Map<string, Result<HoldState>>> {
    this.getManyCalls += 1;
    const fault = takeFault(this.faults, "getMany");
    const answers = new Map<string, Result<HoldState>>();
    for (const { trustId, endpointId } of endpoints) {
      const key = holdKey(trustId, endpointId);
      const item = this.items.get(key);
      answers.set(key, fault ?? (item ? found(structuredClone(item)) : notFound(`no hold for ${key}`)));
    }
    return answers;
  }

  async put(state: HoldState, expectedVersion: number | undefined): Promise<Result<HoldState>> {
    const fault = takeFault(this.faults, "put");
    if (fault) return fault;
    const key = holdKey(state.trustId, state.endpointId);
    const current = this.items.get(key);
    if (current?.version !== expectedVersion) {
      return notFound(current ? `${key} is at version ${current.version}, not ${expectedVersion ?? "absent"}` : `${key} has no hold`);
    }
    const written = HoldState.parse({ ...state, version: (expectedVersion ?? 0) + 1 });
    this.items.set(key, written);
    return found(structuredClone(written));
  }

  async delete(endpoint: EndpointRef, expectedVersion: number): Promise<Result<EndpointRef>> {
    const fault = takeFault(this.faults, "delete");
    if (fault) return fault;
    const key = holdKey(endpoint.trustId, endpoint.endpointId);
    const current = this.items.get(key);
    if (current?.version !== expectedVersion) return notFound(`${key} is not at version ${expectedVersion}`);
    this.items.delete(key);
    return found(endpoint);
  }

  async list(): Promise<Result<HoldState[]>> {
    return takeFault(this.faults, "list") ?? found([...this.items.values()].map((item) => structuredClone(item)));
  }
}

interface StoredDelivery extends HeldDelivery {
  sequence: number;
  inFlight: boolean;
}

/** A store as plain JSON: a process that restarts finds nothing in flight (its visibility timeouts have passed). */
export interface HoldStoreSnapshot {
  sequence: number;
  queues: Record<string, StoredDelivery[]>;
  seen: Record<string, string[]>;
}

export class InMemoryHoldStore implements HoldStore {
  /** Every endpoint's deliveries in the order appended (by `holdKey`). */
  readonly queues = new Map<string, StoredDelivery[]>();
  private readonly faults: Faults = new Map();
  private readonly seen = new Map<string, Set<string>>();
  private sequence = 0;
  /** Calls of `append`, for tests that count calls. */
  appendCalls = 0;

  /** What a file keeps of the store (the local pipeline's `.local/holds/store.json`). */
  snapshot(): HoldStoreSnapshot {
    return {
      sequence: this.sequence,
      queues: Object.fromEntries([...this.queues].map(([key, queue]) => [key, queue.map((delivery) => ({ ...delivery, inFlight: false }))])),
      seen: Object.fromEntries([...this.seen].map(([key, ids]) => [key, [...ids]])),
    };
  }

  static restore(snapshot: HoldStoreSnapshot): InMemoryHoldStore {
    const store = new InMemoryHoldStore();
    store.sequence = snapshot.sequence;
    for (const [key, queue] of Object.entries(snapshot.queues)) store.queues.set(key, queue.map((delivery) => ({ ...delivery })));
    for (const [key, ids] of Object.entries(snapshot.seen)) store.seen.set(key, new Set(ids));
    return store;
  }

  failNext(method: "append" | "receive" | "delete" | "depth", fault: Failed = failed("later", "injected")): this {
    addFault(this.faults, method, fault);
    return this;
  }

  async append(deliveries: readonly HeldDelivery[]): Promise<PublishResult[]> {
    this.appendCalls += 1;
    const fault = takeFault(this.faults, "append");
    if (fault) return deliveries.map(() => fault);
    return deliveries.map((delivery) => {
      const key = holdKey(delivery.endpoint.trustId, delivery.endpoint.endpointId);
      const seen = this.seen.get(key) ?? new Set<string>();
      this.seen.set(key, seen);
      // A FIFO queue deduplicates by id (within 5 minutes on AWS; here for good): a repeat is accepted, kept once.
      if (!seen.has(delivery.cloudEvent.id)) {
        seen.add(delivery.cloudEvent.id);
        const queue = this.queues.get(key) ?? [];
        this.queues.set(key, queue);
        queue.push({ ...structuredClone(delivery), sequence: ++this.sequence, inFlight: false });
      }
      return found({ eventId: `held-${delivery.cloudEvent.id}` });
    });
  }

  async receive(endpoint: EndpointRef, max: number): Promise<Result<ReceivedDelivery[]>> {
    const fault = takeFault(this.faults, "receive");
    if (fault) return fault;
    const queue = this.queues.get(holdKey(endpoint.trustId, endpoint.endpointId)) ?? [];
    // One message group: nothing behind a delivery in flight is handed out (SQS FIFO does the same).
    if (queue.some((delivery) => delivery.inFlight)) return found([]);
    const batch = queue.slice(0, max);
    for (const delivery of batch) delivery.inFlight = true;
    return found(batch.map(({ endpoint: ref, cloudEvent, sequence }) => ({ endpoint: ref, cloudEvent: structuredClone(cloudEvent), receipt: String(sequence) })));
  }

  async delete(endpoint: EndpointRef, receipts: readonly string[]): Promise<Result<number>> {
    const fault = takeFault(this.faults, "delete");
    if (fault) return fault;
    const key = holdKey(endpoint.trustId, endpoint.endpointId);
    const queue = this.queues.get(key) ?? [];
    const gone = new Set(receipts);
    const kept = queue.filter((delivery) => !gone.has(String(delivery.sequence)));
    this.queues.set(key, kept);
    return found(queue.length - kept.length);
  }

  /** The visibility timeout's stand-in: deliveries received and not deleted are handed out again. */
  release(endpoint?: EndpointRef): void {
    for (const [key, queue] of this.queues) {
      if (endpoint && key !== holdKey(endpoint.trustId, endpoint.endpointId)) continue;
      for (const delivery of queue) delivery.inFlight = false;
    }
  }

  async depth(endpoint: EndpointRef): Promise<Result<number>> {
    return takeFault(this.faults, "depth") ?? found(this.queues.get(holdKey(endpoint.trustId, endpoint.endpointId))?.length ?? 0);
  }
}

export class InMemoryNoticeLog implements NoticeLog {
  readonly notices = new Map<string, Notice>();
  private readonly faults: Faults = new Map();

  failNext(fault: Failed = failed("later", "injected")): this {
    addFault(this.faults, "record", fault);
    return this;
  }

  async record(notice: Notice): Promise<Result<Notice>> {
    const fault = takeFault(this.faults, "record");
    if (fault) return fault;
    const first = this.notices.get(notice.id);
    if (first) return found(first);
    const parsed = Notice.parse(notice);
    this.notices.set(parsed.id, parsed);
    return found(parsed);
  }
}
