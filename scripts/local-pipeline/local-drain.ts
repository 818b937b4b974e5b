import { createLogger } from "@trust-callbacks/runtime";
import { DEFAULT_SETTINGS, runHoldDrain, type DrainReport } from "@trust-callbacks/transform-filter";
import { DEFAULT_HOLDS_DIR, FileHoldStates, FileHoldStore, FileNoticeOutbox } from "../lib/local-holds.ts";
import type { LocalPipeline } from "./pipeline.ts";

/**
 * The local pipeline's drain (docs/guarantees.md 10.16; docs/adr/0002-holds.md, "Locally"): the hold drain's own code
 * (`runHoldDrain`, the Lambda's) over the local holds files (`.local/holds/`), the pipeline's trust documents, local
 * secrets and bus, with notices written to the local outbox (`.local/notices.ndjson`). Deliveries it sends go through
 * the pipeline's API destinations to the receivers, like any other.
 */
export interface LocalDrainOptions {
  holdsDir?: string;
  noticesFile?: string;
  /** Stops the drain before its next step (Ctrl-C; a test's interruption). */
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  logLevel?: string;
}

export function drainLocalHolds(pipeline: LocalPipeline, options: LocalDrainOptions = {}): Promise<DrainReport> {
  const holdsDir = options.holdsDir ?? DEFAULT_HOLDS_DIR;
  return runHoldDrain(
    {
      states: new FileHoldStates(holdsDir),
      store: new FileHoldStore(holdsDir),
      notices: new FileNoticeOutbox(options.noticesFile),
      subscriptions: pipeline.documents,
      secrets: pipeline.secrets,
      publisher: pipeline.bus,
      logger: createLogger({ level: options.logLevel ?? "silent", base: { service: "local-hold-drain" } }),
      ...(options.now ? { now: options.now } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
    { ...DEFAULT_SETTINGS, eventBusName: pipeline.bus.busName, cloudEventSource: "/trust-callbacks/local" },
  );
}
