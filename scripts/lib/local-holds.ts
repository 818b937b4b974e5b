import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { HoldState, Notice } from "@trust-callbacks/schemas";
import { found, type Result } from "@trust-callbacks/runtime";
import type { EndpointRef, HeldDelivery, HoldStateStore, HoldStore, NoticeLog, ReceivedDelivery } from "@trust-callbacks/transform-filter";
import { InMemoryHoldStates, InMemoryHoldStore, type HoldStoreSnapshot } from "@trust-callbacks/transform-filter/local";
import { privateAppender, writePrivateFile } from "./private-files.ts";

/**
 * The local pipeline's holds (docs/adr/0002-holds.md): the holds table, the hold stores and the notice outbox as files
 * under one directory (default `.local/holds/`), so the pipeline, `support hold`/`resume` and a drain in another
 * process share them. Held deliveries are content: 0600 files in a 0700 directory (docs/guarantees.md 6.1). Each call
 * reads the file, acts through the in-memory stand-in (the same semantics the tests pin) and writes it back; one
 * process at a time, which is how the local pipeline runs.
 */
export const DEFAULT_HOLDS_DIR = ".local/holds";

/**
 * One call at a time per file within this process: each call reads, acts and writes the whole file, so two calls in
 * flight at once (the core appends a batch's calls in parallel; the drain steps endpoints in parallel) would each
 * write back what it read and lose the other's change.
 */
const fileQueues = new Map<string, Promise<unknown>>();
function serialized<T>(file: string, call: () => Promise<T>): Promise<T> {
  const previous = fileQueues.get(file) ?? Promise.resolve();
  const next = previous.then(call, call);
  const settled = next.catch(() => undefined);
  fileQueues.set(file, settled);
  void settled.then(() => {
    if (fileQueues.get(file) === settled) fileQueues.delete(file);
  });
  return next;
}

export class FileHoldStates implements HoldStateStore {
  private readonly file: string;
  constructor(dir: string = DEFAULT_HOLDS_DIR) {
    this.file = join(dir, "states.json");
  }

  private load(): InMemoryHoldStates {
    if (!existsSync(this.file)) return new InMemoryHoldStates();
    return new InMemoryHoldStates(HoldState.array().parse(JSON.parse(readFileSync(this.file, "utf8"))));
  }

  private act<T>(call: (states: InMemoryHoldStates) => Promise<T>, write: boolean): Promise<T> {
    return serialized(this.file, async () => {
      const states = this.load();
      const answer = await call(states);
      if (write) writePrivateFile(this.file, `${JSON.stringify([...states.items.values()], null, 2)}\n`);
      return answer;
    });
  }

  getMany(endpoints: readonly EndpointRef[]) {
    return this.act((states) => states.getMany(endpoints), false);
  }
  put(state: HoldState, expectedVersion: number | undefined) {
    return this.act((states) => states.put(state, expectedVersion), true);
  }
  delete(endpoint: EndpointRef, expectedVersion: number) {
    return this.act((states) => states.delete(endpoint, expectedVersion), true);
  }
  list() {
    return this.act((states) => states.list(), false);
  }
}

export class FileHoldStore implements HoldStore {
  private readonly file: string;
  constructor(dir: string = DEFAULT_HOLDS_DIR) {
    this.file = join(dir, "store.json");
  }

  private load(): InMemoryHoldStore {
    if (!existsSync(this.file)) return new InMemoryHoldStore();
    return InMemoryHoldStore.restore(JSON.parse(readFileSync(this.file, "utf8")) as HoldStoreSnapshot);
  }

  private act<T>(call: (store: InMemoryHoldStore) => Promise<T>, write: boolean): Promise<T> {
    return serialized(this.file, async () => {
      const store = this.load();
      const answer = await call(store);
      if (write) writePrivateFile(this.file, `${JSON.stringify(store.snapshot())}\n`);
      return answer;
    });
  }

  append(deliveries: readonly HeldDelivery[]) {
    return this.act((store) => store.append(deliveries), true);
  }
  /** Received deliveries are not marked in flight on disk: a drain that stops before `delete` is handed them again. */
  receive(endpoint: EndpointRef, max: number): Promise<Result<ReceivedDelivery[]>> {
    return this.act((store) => store.receive(endpoint, max), false);
  }
  delete(endpoint: EndpointRef, receipts: readonly string[]) {
    return this.act((store) => store.delete(endpoint, receipts), true);
  }
  depth(endpoint: EndpointRef) {
    return this.act((store) => store.depth(endpoint), false);
  }
}

/**
 * The local notice outbox: what the notifier would publish to the trust's topic, one JSON line per notice, the first
 * write of an id wins (the notices table's rule). Tests read it; `.local/notices.ndjson` by default.
 */
export class FileNoticeOutbox implements NoticeLog {
  constructor(readonly file: string = ".local/notices.ndjson") {}

  read(): Notice[] {
    if (!existsSync(this.file)) return [];
    return readFileSync(this.file, "utf8").split("\n").filter(Boolean).map((line) => Notice.parse(JSON.parse(line)));
  }

  /** The notices due by `now` (a notice's `due`, or its `at`): what the notifier would have sent by then. */
  dueBy(now: Date): Notice[] {
    return this.read().filter((notice) => Date.parse(notice.due ?? notice.at) <= now.getTime());
  }

  async record(notice: Notice): Promise<Result<Notice>> {
    const first = this.read().find((sent) => sent.id === notice.id);
    if (first) return found(first);
    const parsed = Notice.parse(notice);
    privateAppender(this.file)(`${JSON.stringify(parsed)}\n`);
    return found(parsed);
  }
}
