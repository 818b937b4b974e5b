import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDbHoldStates, SqsHoldStore } from "@trust-callbacks/transform-filter/aws";
import type { TrustConfig } from "@trust-callbacks/schemas";
import { UsageError } from "../lib/command-line.ts";
import type { HoldStateStore, HoldStore } from "@trust-callbacks/transform-filter";
import { FileDeadLetterQueue, type DeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { FileHoldStates, FileHoldStore, FileNoticeOutbox } from "../lib/local-holds.ts";
import { LocalPipeline, SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import type { TargetOptions } from "./args.ts";
import { SqsDeadLetterQueue } from "./sqs-dead-letter-queue.ts";
import { InProcessSupportSigner, LambdaSupportSigner, type SupportSigner } from "./support-signer.ts";

/** An environment's DLQs and trusts, and where a redrive publishes. */
export interface Target {
  trusts: TrustConfig[];
  queues: Map<string, DeadLetterQueue>;
  /** Where a redrive publishes: the environment's bus, or a fresh local pipeline. */
  /** Where a trust's dead letters are re-published: the bus its rules are on. */
  redriveInto(trustId: string): Promise<{ signer: SupportSigner; finish(): Promise<void> }>;
  /** The trust's DLQ; a UsageError naming the known ones when there is none. */
  queueFor(trustId: string): DeadLetterQueue;
  /**
   * The holds table and the endpoints' hold stores (docs/adr/0002-holds.md), opened when first asked for: locally the
   * files beside the DLQs (`.local/holds/`) and the notice outbox (`.local/notices.ndjson`); in AWS the outputs' holds.
   */
  holds(): Holds;
}

/** Where holds are kept, and (locally) the notices the drain wrote about them. */
export interface Holds {
  states: HoldStateStore;
  store: HoldStore;
  /** The local notice outbox (hold started / ended / drained), read by `history`; none in AWS. */
  outbox?: FileNoticeOutbox;
}

/** The trust of that id among the target's trust files, or a usage error naming the trusts there are. */
export function trustNamed(target: Pick<Target, "trusts">, trustId: string): TrustConfig {
  const trust = target.trusts.find((t) => t.trustId === trustId);
  if (!trust) throw new UsageError(`no trust ${trustId}; the trusts are ${target.trusts.map((t) => t.trustId).sort().join(", ") || "(none)"}`);
  return trust;
}

export function openTarget(options: TargetOptions): Target {
  return options.kind === "aws" ? awsTarget(options) : localTarget(options);
}

function withQueueFor(target: Omit<Target, "queueFor" | "holds"> & { holds?: () => Holds }, emptyQueue?: (trustId: string) => DeadLetterQueue): Target {
  let holds: Holds | undefined;
  return {
    ...target,
    holds: () => (holds ??= (target.holds ?? noHolds)()),
    queueFor: (trustId) => {
      const queue = target.queues.get(trustId) ?? (target.trusts.some((t) => t.trustId === trustId) ? emptyQueue?.(trustId) : undefined);
      if (!queue) {
        const known = [...new Set([...target.queues.keys(), ...target.trusts.map((t) => t.trustId)])].sort();
        throw new UsageError(`no trust ${trustId}; the trusts are ${known.join(", ") || "(none)"}`);
      }
      return queue;
    },
  };
}

/** The trust's endpoint given with --endpoint, or a usage error naming the trust's endpoints. */
export function checkEndpoint(target: Pick<Target, "trusts">, trustId: string, endpointId: string | undefined): void {
  if (endpointId === undefined) return;
  const trust = target.trusts.find((t) => t.trustId === trustId);
  if (trust && !trust.endpoints.some((e) => e.id === endpointId)) {
    throw new UsageError(`trust ${trustId} has no endpoint ${endpointId}; it has ${trust.endpoints.map((e) => e.id).join(", ")}`);
  }
}

function awsTarget(options: TargetOptions & { kind: "aws" }): Target {
  const outputs = readOutputs(options.outputsFile);
  const sqs = new SQSClient({});
  return withQueueFor({
    trusts: loadTrusts(options.trustsDir),
    holds: () => awsHolds(outputs, { dynamodb: new DynamoDBClient({}), sqs }),
    queues: new Map(Object.entries(outputs.trusts.value).map(([trustId, trust]) => [trustId, new SqsDeadLetterQueue(sqs, trustId, trust.dlq_url)])),
    redriveInto: async (trustId) => {
      busOf(outputs.trusts.value, trustId); // the outputs must know the trust's bus (the signer reads it from the index)
      // The support signer function signs and publishes: the operator never reads a signing key (guarantees 5.20).
      return { signer: LambdaSupportSigner.forFunction(supportSignerOf(outputs)), finish: async () => {} };
    },
  });
}

/**
 * The environment's holds (docs/adr/0002-holds.md): the holds table the outputs name (`pipeline.holds.table_name`),
 * read without the Lambda's cache (an operator's read before a conditional write must be the table's own, so
 * `maxAgeSeconds: 0`), and the endpoints' hold stores (`pipeline.holds.queue_url_base` + `holdQueueName` with the
 * deployment's name prefix, `trusts_stack_inputs.name_prefix`, or as the console reads it from the Lambda's name). The operator's role may write hold states and read a
 * store's depth, never receive or delete a held delivery (modules/policies/support; docs/guarantees.md 10.4x).
 */
export function awsHolds(outputs: EnvironmentOutputs, clients: { dynamodb: DynamoDBClient; sqs: SQSClient }): Holds {
  const holds = outputs.pipeline?.value.holds;
  if (!holds?.table_name) return noHolds();
  // `make output` writes pipeline (with name_prefix), not trusts_stack_inputs; the rest are older outputs' places.
  const namePrefix =
    outputs.pipeline?.value.name_prefix ??
    outputs.trusts_stack_inputs?.value.name_prefix ??
    /^(.+)-transform-filter$/.exec(outputs.pipeline?.value.lambda_function_name ?? "")?.[1];
  // The stores' URL base as Terraform knows it: no URL is pieced together here from another queue's.
  const queueUrlBase = holds.queue_url_base;
  if (!namePrefix || !queueUrlBase) throw new UsageError("the outputs name no hold stores (pipeline.holds.queue_url_base, trusts_stack_inputs.name_prefix): take them from `make output ENV=<env>` of a version with holds");
  return {
    states: new DynamoDbHoldStates({ client: clients.dynamodb, tableName: holds.table_name, maxAgeSeconds: 0 }),
    store: new SqsHoldStore({ client: clients.sqs, queueUrlBase, namePrefix }),
  };
}

export interface EnvironmentOutputs {
  trusts: { value: Record<string, { dlq_url: string; event_bus_name: string }> };
  /** Shared resources (history, replay): the Lambda, the stream, the buses' log group, the quarantine bucket. */
  pipeline?: {
    value: {
      lambda_function_name?: string;
      source_stream_arn?: string;
      quarantine_bucket?: string;
      bus_log_group_name?: string;
      event_bus_names?: string[];
      /** Where support commands audit in AWS, and where `history` finds their records (modules/support; promise 7.5). */
      support?: { audit_log_group_name?: string };
      /** The support signer function that redrive and replay invoke (modules/pipeline/support-signer.tf). */
      support_signer_function_name?: string;
      /** The prefix of every resource name of the deployment. */
      name_prefix?: string;
      /** The holds table `hold`, `resume` and `list` use, and the hold stores' URL base (issue #25). */
      holds?: { table_name?: string; queue_url_base?: string };
    };
  };
  /** What the trusts stacks build on; `name_prefix` names every resource (`<prefix>-<ODS>-<ep>-hold.fifo`). */
  trusts_stack_inputs?: { value: { name_prefix?: string } };
}

/** `make output ENV=<env>` of the environment: a user mistake here is one line, never a stack trace. */
export function readOutputs(file: string): EnvironmentOutputs {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`--outputs ${file}: cannot read it; create it with \`make output ENV=<env> > ${file}\``);
  }
  try {
    const outputs = JSON.parse(text) as EnvironmentOutputs;
    if (typeof outputs?.trusts?.value !== "object") throw new Error("no trusts output");
    return outputs;
  } catch {
    throw new UsageError(`--outputs ${file}: not the JSON of \`make output ENV=<env>\` (no "trusts" output)`);
  }
}

/** The support signer function's name from the outputs, or a UsageError saying where it comes from. */
export function supportSignerOf(outputs: EnvironmentOutputs): string {
  const name = outputs.pipeline?.value.support_signer_function_name;
  if (!name) throw new UsageError("the outputs name no support signer (pipeline.support_signer_function_name): take them from `make output ENV=<env>` of this version");
  return name;
}

function busOf(trusts: Record<string, { event_bus_name?: string }>, trustId: string): string {
  const bus = trusts[trustId]?.event_bus_name;
  if (!bus) throw new UsageError(`the outputs name no callbacks bus for trust ${trustId}: take them from \`make output ENV=<env>\` of this version`);
  return bus;
}

const noHolds = (): Holds => {
  throw new UsageError("the outputs name no holds table (pipeline.holds.table_name): take them from `make output ENV=<env>` of a version with holds");
};

function localTarget(options: TargetOptions & { kind: "local" }): Target {
  const { root } = options;
  if (!existsSync(root)) throw new UsageError(`--local ${root}: no such directory (run the local pipeline first: make local; or give the folder of its DLQs)`);
  const trustsDir = options.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const trusts = loadTrusts(trustsDir);
  return withQueueFor({
    trusts,
    // The local pipeline keeps its holds beside its DLQs (`.local/holds/`, `.local/notices.ndjson`).
    holds: () => ({ states: new FileHoldStates(join(dirname(root), "holds")), store: new FileHoldStore(join(dirname(root), "holds")), outbox: new FileNoticeOutbox(join(dirname(root), "notices.ndjson")) }),
    queues: new Map(FileDeadLetterQueue.trustIds(root).map((trustId) => [trustId, new FileDeadLetterQueue(root, trustId)])),
    redriveInto: async () => {
      // What failed again goes to a DLQ of its own, so this run's scan never meets what it redrove.
      // Its new attempts go into the run's history (`.local/history.jsonl`), as the bus logs them on AWS.
      const pipeline = await LocalPipeline.start({
        ...localDelivery(options),
        dlqDir: join(root, ".redrive-dlq"),
        historyFile: join(dirname(root), "history.jsonl"),
        // The run's holds (.local/holds): a redrive to a held endpoint is held (docs/guarantees.md 10.8).
        holdsDir: join(dirname(root), "holds"),
      });
      return {
        // The signer's own code, in-process: the local pipeline has no IAM.
        signer: new InProcessSupportSigner({
          trusts,
          secrets: pipeline.secrets,
          publisher: pipeline.bus,
          keys: pipeline.keyProvider,
          eventBusName: pipeline.bus.busName,
          cloudEventSource: "/trust-callbacks/local",
          holds: pipeline.holds,
        }),
        finish: async () => {
          await pipeline.drain();
          await pipeline.stop();
          for (const line of deliveredLines(pipeline, join(root, ".redrive-dlq"))) console.error(line);
        },
      };
    },
  }, (trustId) => new FileDeadLetterQueue(root, trustId));
}

/**
 * Where a local redrive or replay delivers: with `--trusts` (your own trust files) to the URLs they name, signed with
 * the keys of the secrets file beside the DLQs (`.local/secrets.json`, the one `listen` uses), so your listener gets
 * them; without, the sample trusts' built-in receivers, all healthy (the endpoint recovered).
 */
export function localDelivery(options: TargetOptions & { kind: "local" }): { trustsDir: string; receiversFile?: string; secretsFile?: string } {
  if (options.trustsDir !== undefined) return { trustsDir: options.trustsDir, secretsFile: join(dirname(options.root), "secrets.json") };
  const healthy = Object.fromEntries(loadTrusts(SAMPLE_TRUSTS_DIR).flatMap((t) => t.endpoints.map((e) => [`${t.trustId}/${e.id}`, { behaviour: { kind: "ok" } }])));
  mkdirSync(options.root, { recursive: true });
  const receiversFile = join(options.root, ".receivers.json");
  writeFileSync(receiversFile, JSON.stringify(healthy));
  return { trustsDir: SAMPLE_TRUSTS_DIR, receiversFile };
}

/** What each endpoint got in a local redrive or replay: the built-in receivers' counts, or the API destinations' own. */
export function deliveredLines(pipeline: LocalPipeline, dlqDir: string): string[] {
  return [...pipeline.destinations].flatMap(([key, destination]) => {
    const { delivered, deadLettered } = destination.stats;
    if (delivered === 0 && deadLettered === 0) return [];
    return [`${key}: received ${delivered}${deadLettered > 0 ? `, ${deadLettered} dead-lettered again (in ${dlqDir}/${key.split("/")[0]})` : ""}`];
  });
}

/** The support audit log group the outputs name (`pipeline.support.audit_log_group_name`, as `make output` writes it), if any. */
export function supportAuditLogGroup(outputs: Pick<EnvironmentOutputs, "pipeline">): string | undefined {
  const name = outputs.pipeline?.value.support?.audit_log_group_name;
  return typeof name === "string" && name !== "" ? name : undefined;
}
