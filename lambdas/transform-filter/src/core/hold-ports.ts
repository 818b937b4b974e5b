import type { CallbackCloudEvent, HoldState, Notice } from "@trust-callbacks/schemas";
import type { Result } from "@trust-callbacks/runtime";
import type { PublishResult } from "./ports.ts";

/**
 * The ports of holds (docs/adr/0002-holds.md). The transform Lambda reads hold states and appends to hold stores; the
 * drain reads and writes states, receives from and deletes from stores, and records notices. AWS adapters: DynamoDB
 * (holds and notices tables), SQS FIFO (one store per endpoint); the local pipeline's: files under `.local/holds/`.
 */

/** Names one endpoint of one trust. */
export interface EndpointRef {
  trustId: string;
  endpointId: string;
}

/**
 * The holds table. `getMany` answers one `Result` per endpoint by `holdKey` (not found: no hold). Writes are
 * conditional on the version read (`expectedVersion`; `undefined`: the item must not exist) and answer `not-found`
 * when the condition fails (someone else wrote first), so a caller re-reads instead of overwriting.
 */
export interface HoldStateStore {
  getMany(endpoints: readonly EndpointRef[]): Promise<Map<string, Result<HoldState>>>;
  /** What `getMany` would answer for this endpoint now from a fresh cache entry, without waiting. */
  cached?(endpoint: EndpointRef): Result<HoldState> | undefined;
  put(state: HoldState, expectedVersion: number | undefined): Promise<Result<HoldState>>;
  delete(endpoint: EndpointRef, expectedVersion: number): Promise<Result<EndpointRef>>;
  /** Every item (the drain's sweep; the table holds only endpoints with a hold or a drain). */
  list(): Promise<Result<HoldState[]>>;
}

/** One delivery kept in a hold store: the CloudEvent the endpoint would have received, unsigned. */
export interface HeldDelivery {
  endpoint: EndpointRef;
  cloudEvent: CallbackCloudEvent;
}

/** One delivery handed back by a store, with what `delete` needs. */
export interface ReceivedDelivery extends HeldDelivery {
  receipt: string;
}

/**
 * An endpoint's hold store (SQS FIFO: one message group, deduplicated by CloudEvent id). `append` answers one
 * `PublishResult` per delivery, in order, classified like a PutEvents answer (`now`/`later`/`never`), so the core
 * treats a held delivery exactly like a published one. `receive` hands deliveries back in the order they were appended
 * and hides them until `delete` or the visibility timeout (then they come back: nothing is lost by an interruption).
 */
export interface HoldStore {
  append(deliveries: readonly HeldDelivery[]): Promise<PublishResult[]>;
  receive(endpoint: EndpointRef, max: number): Promise<Result<ReceivedDelivery[]>>;
  delete(endpoint: EndpointRef, receipts: readonly string[]): Promise<Result<number>>;
  /** Deliveries in the store (approximate on AWS: `ApproximateNumberOfMessages` + not visible). */
  depth(endpoint: EndpointRef): Promise<Result<number>>;
}

/** Where notices are recorded for the notifier to send (first write of an `id` wins). */
export interface NoticeLog {
  record(notice: Notice): Promise<Result<Notice>>;
}
