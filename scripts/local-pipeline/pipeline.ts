import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { privateDir, writePrivateFile } from "../lib/private-files.ts";
import { join } from "node:path";
import { describeTrustFileIssue, endpointResourceName, newSigningKey, parseTrustFile, type PlatformEvent, type TrustConfig } from "@trust-callbacks/schemas";
import { InMemoryConnections, LocalSecrets as ConnectionSecrets, syncLocalConnections } from "@trust-callbacks/connection-sync/local";
import { PermanentError, createLogger } from "@trust-callbacks/runtime";
import {
  DEFAULT_SETTINGS,
  processBatch,
  type QuarantineSink,
  type PipeKinesisRecord,
  type HoldDeps,
  type PublishedDelivery,
  type QuarantinedRecord,
  type RecordOutcome,
  type SigningSecretSource,
} from "@trust-callbacks/transform-filter";
import { CachingDataKeyUnwrapper } from "@trust-callbacks/transform-filter/aws";
import { InMemoryHoldStates, InMemoryHoldStore, LocalConversationBindings, LocalKeyProvider, VersionedSubscriptions } from "@trust-callbacks/transform-filter/local";
import { historyFileWriter, jsonLinesWriter, type HistoryLine } from "../lib/call-history.ts";
import { FileDeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { FileHoldStates, FileHoldStore } from "../lib/local-holds.ts";
import { ensureLocalSecrets, newCredentialsSecret } from "../lib/local-secrets.ts";
import { FileQuarantineStore } from "../lib/quarantine-store.ts";
import { generateEvents } from "../lib/event-generator.ts";
import { percentile } from "../lib/percentile.ts";
import { WebhookReceiver, type ReceiverAuth, type ReceiverBehaviour } from "../lib/webhook-receiver.ts";
import { LocalApiDestination } from "./api-destination.ts";
import { LocalBus, localRuleNames } from "./local-bus.ts";
import { LocalPipe } from "./local-pipe.ts";
import { LocalDeliveryNotices } from "./local-notices.ts";

export const SAMPLE_TRUSTS_DIR = new URL("./sample-trusts/", import.meta.url).pathname;
export const SAMPLE_RECEIVERS_FILE = new URL("./sample-receivers.json", import.meta.url).pathname;

export interface LocalPipelineOptions {
  trustsDir: string;
  /** Embedded receivers to start (see sample-receivers.json); none when omitted. */
  receiversFile?: string;
  /** Where the per-trust DLQs are written (one folder per trust). */
  dlqDir: string;
  /**
   * The local secrets file (see scripts/lib/local-secrets.ts): signing keys and credentials are read from it,
   * and missing ones generated into it. Without it, every run makes up its own and writes none.
   */
  secretsFile?: string;
  /** Caps every endpoint's maximumRetryAttempts (a rehearsal need not wait through 185 attempts). */
  maxRetries?: number;
  batchSize?: number;
  shards?: number;
  namePrefix?: string;
  logLevel?: string;
  /** The clock conversation bindings are made and expire by; tests move it. Default: the real time. */
  bindingClock?: () => Date;
  /** The call history (published deliveries, quarantined records, the bus's attempts) as JSON lines: what `history` reads. */
  historyFile?: string;
  /** Every record put on the stream, as JSON lines: the stream stand-in `replay` reads. */
  streamFile?: string;
  /** Quarantined records as files, laid out like the S3 quarantine prefix: what `replay-quarantine` reads. */
  quarantineDir?: string;
  /**
   * The local key provider's master key, kept in this file (created on first use) so a later pipeline (a replay)
   * can decrypt what an earlier run encrypted. A local stand-in for KMS only; never a real key.
   */
  masterKeyFile?: string;
  /**
   * The holds table and hold stores as files in this directory (`FileHoldStates`/`FileHoldStore`, shared with `support
   * hold`, `resume` and the drain; docs/adr/0002-holds.md). Unset: kept in memory for this run. Either way a held
   * endpoint's deliveries go to its store, counted `held` (docs/guarantees.md 10.1).
   */
  holdsDir?: string;
  /** The notices outbox (`.local/notices.ndjson`): what the trusts would be told of their deliveries (10.36). None when omitted. */
  noticesFile?: string;
}

/** The local master key kept in `file` (created on first use, owner-only: docs/guarantees.md 6.1). */
export function localMasterKey(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  const key = randomBytes(32);
  writePrivateFile(file, key.toString("base64"));
  return key;
}

interface ReceiverSpec {
  behaviour: ReceiverBehaviour;
  revokeTokenAfterDeliveries?: number;
}

/** An input file of the local pipeline (trust files, receivers file) that cannot be used: the message says why. */
export class LocalInputInvalid extends Error {
  override readonly name: string = "LocalInputInvalid";
}

/** A directory of trust files that does not load: every problem of every file. */
export class TrustFilesInvalid extends LocalInputInvalid {
  override readonly name = "TrustFilesInvalid";
}

/**
 * Loads a directory of trust files (or one trust file) with the one trust-file parser (the Lambda's and the
 * validator's); throws TrustFilesInvalid naming file and field of each problem, or the path that cannot be read.
 */
export function loadTrusts(dir: string): TrustConfig[] {
  let files: string[];
  try {
    files = statSync(dir).isFile()
      ? [dir]
      : readdirSync(dir)
          .filter((file) => file.endsWith(".json"))
          .sort()
          .map((file) => join(dir, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TrustFilesInvalid(code === "ENOENT" ? `no trust directory or file ${dir}` : `cannot read trusts ${dir}: ${(error as Error).message}`);
  }
  if (files.length === 0) throw new TrustFilesInvalid(`no trust files (*.json) in ${dir}`);
  const parsed = files.map((file) => parseTrustFile(readFileSync(file, "utf8"), { file }));
  const problems = parsed.flatMap((result) => (result.status === "invalid" ? result.issues : []));
  if (problems.length > 0) throw new TrustFilesInvalid(problems.map((issue) => `${issue.file}: ${describeTrustFileIssue(issue)}`).join("\n"));
  return parsed.flatMap((result) => (result.status === "valid" ? [result.config] : []));
}

function readReceivers(file: string): Record<string, ReceiverSpec> {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, ReceiverSpec>;
  } catch (error) {
    throw new LocalInputInvalid(`receivers file ${file}: ${(error as Error).message}`);
  }
}

/**
 * Stands in for Secrets Manager: the values of the local secrets file (`secretsFile`), shared with `listen`
 * and `trigger`, or made up for this run and never written to disk when there is no file.
 */
class LocalSecrets implements SigningSecretSource {
  readonly values = new Map<string, string>();
  value(name: string, make: () => string): string {
    if (!this.values.has(name)) this.values.set(name, make());
    return this.values.get(name)!;
  }
  async get(name: string): Promise<string> {
    const value = this.values.get(name);
    if (!value) throw new PermanentError(`ResourceNotFoundException: no local secret ${name}`);
    return value;
  }
}

const randomToken = () => randomBytes(18).toString("base64url");

/** Deliveries and outcomes of one endpoint, for the summary. */
export interface EndpointSummary {
  trustId: string;
  endpointId: string;
  auth: string;
  /** Deliveries put on the bus for this endpoint. */
  published: number;
  /** Deliveries kept in the endpoint's hold store instead (the endpoint is held): delivered by the drain. */
  held: number;
  delivered: number;
  retries: number;
  deadLettered: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface LocalPipelineSummary {
  records: { put: number; published: number; filtered: number; quarantined: number; pipeDeadLettered: number; unfinished: number };
  endpoints: EndpointSummary[];
  putEventsCalls: number;
  lambdaInvocations: number;
  /** Records with no final state plus deliveries that neither arrived nor reached a DLQ. Must be 0. */
  unaccounted: number;
  quarantineReasons: Record<string, number>;
}


/**
 * The whole delivery path on one machine: a Kinesis-like pipe feeding the real transform-and-filter
 * core, a local bus with the deployed rule patterns, API destinations over real HTTP, per-trust DLQs,
 * and (optionally) embedded receivers standing in for the trusts.
 */
export class LocalPipeline {
  readonly trusts: TrustConfig[];
  readonly keyProvider: LocalKeyProvider;
  readonly receivers = new Map<string, WebhookReceiver>();
  readonly destinations = new Map<string, LocalApiDestination>();
  readonly dlqs = new Map<string, FileDeadLetterQueue>();
  readonly quarantined: QuarantinedRecord[] = [];
  readonly outcomes = new Map<string, RecordOutcome>();
  readonly secrets = new LocalSecrets();
  /** The versioned subscription documents: `documents.put(config)` changes a trust's document mid-run. */
  readonly documents: VersionedSubscriptions;
  /** Hold states and stores (files under `holdsDir`, or in memory): what `support hold` and the drain share. */
  readonly holds: HoldDeps;
  /** Conversation bindings, with the DynamoDB table's semantics (first binding wins, expiry, late TTL). */
  readonly bindings: LocalConversationBindings;
  /** What ensureLocalSecrets did to the secrets file, when there is one. */
  secretsFile?: { path: string; created: boolean; generated: string[] };
  readonly bus: LocalBus;
  readonly pipe: LocalPipe;
  private readonly origins = new Map<string, string>();
  private readonly recordHistory: (line: HistoryLine) => void;
  /** What the trusts are told of their deliveries, when `noticesFile` is given. */
  readonly notices?: LocalDeliveryNotices;
  private readonly recordStream?: (record: PipeKinesisRecord) => void;
  private running?: Promise<void>;
  private putCount = 0;

  private constructor(readonly options: LocalPipelineOptions) {
    this.keyProvider = new LocalKeyProvider(localMasterKey(options.masterKeyFile));
    this.trusts = loadTrusts(options.trustsDir);
    const namePrefix = options.namePrefix ?? "trust-callbacks-local";
    this.bus = new LocalBus(`${namePrefix}-callbacks`, DEFAULT_SETTINGS.busSource);
    const logger = createLogger({ level: options.logLevel ?? "silent", base: { service: "local-pipeline" } });
    const now = options.bindingClock ?? (() => new Date());
    this.documents = new VersionedSubscriptions(this.trusts);
    this.bindings = new LocalConversationBindings(() => now().getTime());
    this.holds = options.holdsDir
      ? { states: new FileHoldStates(options.holdsDir), store: new FileHoldStore(options.holdsDir) }
      : { states: new InMemoryHoldStates(), store: new InMemoryHoldStore() };
    this.recordHistory = options.historyFile ? historyFileWriter(options.historyFile) : () => {};
    if (options.noticesFile) this.notices = new LocalDeliveryNotices(options.noticesFile);
    if (options.streamFile) this.recordStream = jsonLinesWriter<PipeKinesisRecord>(options.streamFile);
    const quarantine: QuarantineSink = {
      put: async (entry) => {
        this.quarantined.push(entry);
        if (options.quarantineDir) FileQuarantineStore.write(options.quarantineDir, entry);
        this.recordHistory({
          source: "lambda",
          kind: "quarantined",
          ...(entry.trustId ? { trustId: entry.trustId } : {}),
          ...(entry.eventId ? { sourceEventId: entry.eventId } : {}),
          recordId: entry.eventID,
          reason: entry.reason,
          at: entry.quarantinedAt,
          deliveries: entry.endpointFailures.map((f) => ({ endpointId: f.endpointId, state: "quarantined", reason: f.reason })),
        });
      },
    };
    const deps = {
      history: { published: (delivery: PublishedDelivery) => this.recordHistory({ source: "lambda", kind: "published", ...delivery }) },
      keys: new CachingDataKeyUnwrapper(this.keyProvider, { maxKeys: 1000, ttlMs: 300_000 }),
      subscriptions: this.documents,
      bindings: { store: this.bindings, versions: this.documents, now },
      holds: this.holds,
      secrets: this.secrets,
      publisher: this.bus,
      quarantine,
      logger,
    };
    const settings = { ...DEFAULT_SETTINGS, eventBusName: this.bus.busName, cloudEventSource: "/trust-callbacks/local" };
    this.pipe = new LocalPipe(
      async (records) => {
        const result = await processBatch(records, deps, settings);
        for (const outcome of result.outcomes) this.outcomes.set(outcome.recordId, outcome);
        return { batchItemFailures: result.batchItemFailures };
      },
      { shards: options.shards ?? 2, batchSize: options.batchSize ?? 100, maximumRetryAttempts: 3, retryDelayMs: 50 },
    );
  }

  /** Loads the trusts, starts the embedded receivers and wires one API destination per endpoint. */
  static async start(options: LocalPipelineOptions): Promise<LocalPipeline> {
    const pipeline = new LocalPipeline(options);
    await pipeline.wire();
    pipeline.running = pipeline.pipe.run();
    return pipeline;
  }

  private async wire(): Promise<void> {
    if (this.options.secretsFile) {
      const { secrets, created, generated } = ensureLocalSecrets(this.options.secretsFile, this.trusts);
      for (const [name, value] of Object.entries(secrets)) this.secrets.values.set(name, value);
      this.secretsFile = { path: this.options.secretsFile, created, generated };
    }
    const specs = this.options.receiversFile ? readReceivers(this.options.receiversFile) : {};
    privateDir(this.options.dlqDir);
    const namePrefix = this.options.namePrefix ?? "trust-callbacks-local";
    // Connections start with placeholders, as Terraform creates them, and get their credentials from the same
    // sync the connection-sync Lambda runs at apply time (lambdas/connection-sync): no credentials, no delivery.
    for (const trust of this.trusts) {
      for (const endpoint of trust.endpoints) this.secrets.value(endpoint.auth.credentialsSecret, () => newCredentialsSecret(endpoint, trust.trustId));
    }
    const connections = InMemoryConnections.forTrusts(namePrefix, this.trusts);
    const sync = await syncLocalConnections({ namePrefix, trusts: this.trusts, connections, secrets: new ConnectionSecrets(Object.fromEntries(this.secrets.values)) });
    const unsynced = sync.outcomes.filter((outcome) => outcome.status === "failed");
    if (unsynced.length > 0) throw new Error(`connections not synced: ${unsynced.map((outcome) => `${outcome.connection}: ${outcome.why}`).join("; ")}`);
    for (const trust of this.trusts) {
      const dlq = new FileDeadLetterQueue(this.options.dlqDir, trust.trustId);
      this.dlqs.set(trust.trustId, dlq);
      for (const endpoint of trust.endpoints) {
        const key = `${trust.trustId}/${endpoint.id}`;
        const signingSecret = this.secrets.value(endpoint.signingSecret, newSigningKey);
        const auth = endpoint.auth;
        const credentials = connections.credentials(endpointResourceName(namePrefix, trust.trustId, endpoint.id))!;
        const spec = specs[key];
        if (spec) {
          const receiverAuth: ReceiverAuth =
            credentials.type === "oauth2_client_credentials"
              ? { type: credentials.type, clientId: credentials.clientId, clientSecret: credentials.clientSecret, ...(spec.revokeTokenAfterDeliveries ? { revokeAfterDeliveries: spec.revokeTokenAfterDeliveries } : {}) }
              : credentials;
          const receiver = new WebhookReceiver({ auth: receiverAuth, signingSecret, behaviour: spec.behaviour });
          const origin = await receiver.start(0);
          this.receivers.set(key, receiver);
          this.origins.set(new URL(endpoint.url).origin, origin);
          if (auth.type === "oauth2_client_credentials") this.origins.set(new URL(auth.tokenUrl).origin, origin);
        }
        const names = localRuleNames(namePrefix, this.bus.busName, trust.trustId, endpoint.id);
        const { maxRetries } = this.options;
        const retryPolicy = { ...endpoint.retryPolicy, maximumRetryAttempts: Math.min(endpoint.retryPolicy.maximumRetryAttempts, maxRetries ?? Infinity) };
        const destination = new LocalApiDestination({
          trustId: trust.trustId,
          endpoint: { ...endpoint, retryPolicy },
          credentials,
          ruleArn: names.ruleArn,
          targetArn: names.targetArn,
          dlq,
          onLog: (record) => this.recordHistory({ source: "bus", ...record }),
          ...(this.notices ? { onHealth: (health, at) => this.notices!.report(trust.trustId, endpoint.id, health, at) } : {}),
          resolveUrl: (url) => {
            const parsed = new URL(url);
            const origin = this.origins.get(parsed.origin);
            return origin ? `${origin}${parsed.pathname}${parsed.search}` : url;
          },
        });
        this.destinations.set(key, destination);
        this.bus.addRule(trust, endpoint.id, { name: names.name, arn: names.ruleArn, target: destination });
      }
    }
  }

  /** Writes one platform event (or raw record data, for bad-input rehearsals) to the stream. */
  put(event: PlatformEvent | string): void {
    this.putCount += 1;
    const data = typeof event === "string" ? event : JSON.stringify(event);
    const partitionKey = typeof event === "string" ? `raw-${this.putCount}` : event.conversationId;
    this.putRecord(data, partitionKey);
  }

  /** Puts record data on the stream under its own partition key (a replay puts records back as they were). */
  putRecord(data: string | Buffer, partitionKey: string): void {
    const record = this.pipe.put(data, partitionKey);
    this.recordStream?.(record);
  }

  /**
   * Realistic encrypted events for this pipeline's trusts (or only `trustIds`), reproducible by seed.
   * Events are encrypted for their trust: changing an event's trustId afterwards makes its fields undecryptable.
   */
  events(seed: number, trustIds?: string[]): Generator<PlatformEvent> {
    const trusts = trustIds ? this.trusts.filter((t) => trustIds.includes(t.trustId)) : this.trusts;
    if (trusts.length === 0) throw new Error(`no trust ${trustIds?.join(", ")} in ${this.options.trustsDir}`);
    return generateEvents({ trusts, seed, keyProvider: this.keyProvider });
  }

  /** Stops accepting records, then waits until every record and every delivery has finished. */
  async drain(): Promise<void> {
    this.pipe.close();
    await this.running;
    await Promise.all([...this.destinations.values()].map((d) => d.idle()));
    await this.notices?.idle();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.receivers.values()].map((r) => r.stop()));
  }

  progress() {
    const destinations = [...this.destinations.values()];
    const sum = (f: (d: LocalApiDestination) => number) => destinations.reduce((total, d) => total + f(d), 0);
    return {
      put: this.putCount,
      processed: this.outcomes.size,
      delivered: sum((d) => d.stats.delivered),
      retries: sum((d) => d.stats.retries),
      deadLettered: sum((d) => d.stats.deadLettered),
      inFlight: sum((d) => d.pending),
      quarantined: this.quarantined.length,
    };
  }

  summary(): LocalPipelineSummary {
    const states = [...this.outcomes.values()];
    const pipeDead = new Set(this.pipe.deadLettered.map((r) => r.eventID));
    const count = (state: string) => states.filter((o) => o.state === state && !pipeDead.has(o.recordId)).length;
    const publishedTo = new Map<string, number>();
    const heldFor = new Map<string, number>();
    for (const outcome of states) {
      if (outcome.duplicateOf) continue;
      for (const delivery of outcome.deliveries) {
        if (delivery.state !== "published") continue;
        const key = `${outcome.trustId}/${delivery.endpointId}`;
        const counts = delivery.held ? heldFor : publishedTo;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const endpoints: EndpointSummary[] = [...this.destinations.entries()].map(([key, destination]) => {
      const [trustId, endpointId] = key.split("/") as [string, string];
      const endpoint = this.trusts.find((t) => t.trustId === trustId)!.endpoints.find((e) => e.id === endpointId)!;
      return {
        trustId,
        endpointId,
        auth: endpoint.auth.type,
        published: publishedTo.get(key) ?? 0,
        held: heldFor.get(key) ?? 0,
        delivered: destination.stats.delivered,
        retries: destination.stats.retries,
        deadLettered: destination.stats.deadLettered,
        p50Ms: percentile(destination.stats.latenciesMs, 50),
        p99Ms: percentile(destination.stats.latenciesMs, 99),
      };
    });
    const records = {
      put: this.putCount,
      published: count("published"),
      filtered: count("filtered"),
      quarantined: count("quarantined"),
      pipeDeadLettered: pipeDead.size,
      unfinished: this.putCount - this.outcomes.size + count("retry"),
    };
    // Each published delivery must have arrived or be in a DLQ; more arrivals than publishes would be duplicates.
    // A held delivery is accounted for by its hold store (the drain delivers it: it is published then).
    const lostDeliveries = endpoints.reduce((total, e) => total + Math.abs(e.published - e.delivered - e.deadLettered), 0);
    const quarantineReasons: Record<string, number> = {};
    for (const entry of this.quarantined) {
      const reason = entry.reason.replace(/: .*$/, "");
      quarantineReasons[reason] = (quarantineReasons[reason] ?? 0) + 1;
    }
    return {
      records,
      endpoints,
      putEventsCalls: this.bus.putEventsCalls,
      lambdaInvocations: this.pipe.invocations,
      unaccounted: records.unfinished + lostDeliveries + this.bus.unmatched,
      quarantineReasons,
    };
  }

  /** Writes quarantined records as files for inspection, like the S3 quarantine prefix. */
  writeQuarantine(dir: string): void {
    privateDir(dir);
    for (const entry of this.quarantined) writePrivateFile(join(dir, `${entry.eventID.replaceAll(":", "_") || randomToken()}.json`), JSON.stringify(entry, null, 2));
  }
}
