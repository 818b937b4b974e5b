/**
 * DLQ tool for support staff. `npm run redrive -- --help` for usage; docs/runbook.md for the procedure.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { TrustConfig } from "@trust-callbacks/schemas";
import type { EventPublisher, SigningSecretSource } from "@trust-callbacks/transform-filter";
import { EventBridgePublisher, SecretsManagerSigningSecrets } from "@trust-callbacks/transform-filter/aws";
import { fail, parseCommandLine } from "../lib/command-line.ts";
import { FileDeadLetterQueue, type DeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { LocalPipeline, SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import { listFailed, redrive, type AuditLine, type Selection } from "./redrive.ts";
import { SqsDeadLetterQueue } from "./sqs-dead-letter-queue.ts";

const HELP = `Usage: npm run redrive -- <command> [target] [options]
Commands:
  list                                  every trust's DLQ: depth and age of the oldest message
  show    --trust T [selection] [--show-content]
                                        failed deliveries: type, CloudEvent id, endpoint, error, attempts, first failure;
                                        --show-content adds the payload (may hold clinical content; audited)
  redrive --trust T [selection] [--dry-run] [--rate N]
                                        re-publish to exactly the endpoint that failed; delete only after PutEvents accepted
  purge   --trust T --confirm T         delete every message of the trust's DLQ (asks again unless --confirm names the trust)
Target (one of):
  --outputs FILE --trusts DIR           AWS: FILE is \`terraform output -json\` of the environment; DIR its trusts/
                                        (region and profile as usual for the AWS SDK: AWS_REGION, AWS_PROFILE)
  --local DIR [--trusts DIR]            the local pipeline's DLQs (default .local/dlq, sample trusts); redrives into a
                                        fresh local pipeline whose receivers are all healthy (the endpoint recovered)
Selection: --endpoint E  --error-code C  --since ISO  --until ISO  --limit N
Audit: one JSON line per message to stdout and to --audit-file (default redrive-audit.ndjson).`;

const { values, positionals } = parseCommandLine({
  allowPositionals: true,
  options: {
    outputs: { type: "string" },
    trusts: { type: "string" },
    local: { type: "string" },
    trust: { type: "string" },
    endpoint: { type: "string" },
    "error-code": { type: "string" },
    since: { type: "string" },
    until: { type: "string" },
    limit: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    rate: { type: "string", default: "10" },
    confirm: { type: "string" },
    "audit-file": { type: "string", default: "redrive-audit.ndjson" },
    "show-content": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
}, HELP);

const date = (value: string | undefined, name: string) => {
  if (!value) return undefined;
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? fail(`--${name} must be an ISO date-time`) : parsed;
};
const operator = `${userInfo().username}${process.env.AWS_PROFILE ? ` (profile ${process.env.AWS_PROFILE})` : ""}`;
const audit = (line: AuditLine) => {
  const text = JSON.stringify(line);
  console.log(text);
  appendFileSync(values["audit-file"]!, `${text}\n`);
};

interface Target {
  trusts: TrustConfig[];
  queues: Map<string, DeadLetterQueue>;
  /** Where a redrive publishes: the environment's bus, or a fresh local pipeline. */
  redriveInto(): Promise<{ publisher: EventPublisher; secrets: SigningSecretSource; eventBusName: string; finish(): Promise<void> }>;
}

function awsTarget(): Target {
  if (!values.trusts) fail("--outputs needs --trusts DIR (the environment's trusts/)");
  const outputs = JSON.parse(readFileSync(values.outputs!, "utf8")) as {
    trusts: { value: Record<string, { dlq_url: string }> };
    pipeline: { value: { event_bus_name: string } };
  };
  const sqs = new SQSClient({});
  const queues = new Map<string, DeadLetterQueue>(
    Object.entries(outputs.trusts.value).map(([trustId, trust]) => [trustId, new SqsDeadLetterQueue(sqs, trustId, trust.dlq_url)]),
  );
  return {
    trusts: loadTrusts(values.trusts!),
    queues,
    redriveInto: async () => ({
      publisher: new EventBridgePublisher(new EventBridgeClient({})),
      secrets: new SecretsManagerSigningSecrets(new SecretsManagerClient({}), { ttlMs: 300_000 }),
      eventBusName: outputs.pipeline.value.event_bus_name,
      finish: async () => {},
    }),
  };
}

function localTarget(): Target {
  const root = values.local ?? ".local/dlq";
  const trustsDir = values.trusts ?? SAMPLE_TRUSTS_DIR;
  const trusts = loadTrusts(trustsDir);
  return {
    trusts,
    queues: new Map(FileDeadLetterQueue.trustIds(root).map((trustId) => [trustId, new FileDeadLetterQueue(root, trustId)])),
    redriveInto: async () => {
      const healthy = Object.fromEntries(trusts.flatMap((t) => t.endpoints.map((e) => [`${t.trustId}/${e.id}`, { behaviour: { kind: "ok" } }])));
      const receiversFile = `${root}/.redrive-receivers.json`;
      writeFileSync(receiversFile, JSON.stringify(healthy));
      const pipeline = await LocalPipeline.start({ trustsDir, receiversFile, dlqDir: `${root}/.redrive-dlq` });
      return {
        publisher: pipeline.bus,
        secrets: pipeline.secrets,
        eventBusName: pipeline.bus.busName,
        finish: async () => {
          await pipeline.drain();
          await pipeline.stop();
          for (const [key, receiver] of pipeline.receivers) if (receiver.deliveries.length) console.error(`${key}: received ${receiver.deliveries.length}`);
        },
      };
    },
  };
}

async function main(): Promise<number> {
  const command = positionals[0];
  if (values.help || !command) {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const target = values.outputs ? awsTarget() : localTarget();
  const queueFor = (trustId: string | undefined) =>
    (trustId && target.queues.get(trustId)) || fail(`no DLQ for trust ${trustId ?? "(none given: --trust T)"}; known: ${[...target.queues.keys()].join(", ")}`);
  const selection: Selection = {
    ...(values.endpoint ? { endpointId: values.endpoint } : {}),
    ...(values["error-code"] ? { errorCode: values["error-code"] } : {}),
    ...(values.since ? { since: date(values.since, "since")! } : {}),
    ...(values.until ? { until: date(values.until, "until")! } : {}),
    ...(values.limit ? { limit: Number(values.limit) } : {}),
  };

  if (command === "list") {
    for (const [trustId, queue] of target.queues) {
      const { depth, oldestSentTimestamp } = await queue.stats();
      const age = oldestSentTimestamp ? `${Math.round((Date.now() - oldestSentTimestamp) / 60000)} min` : "-";
      console.log(`${trustId.padEnd(8)} depth ${String(depth).padStart(6)}  oldest ${age.padStart(8)}  ${queue.location}`);
    }
    return 0;
  }
  if (command === "show") {
    const queue = queueFor(values.trust);
    const withContent = values["show-content"]!;
    const failed = await listFailed(queue, selection, selection.limit ?? 1000, withContent);
    for (const f of failed) {
      console.log(JSON.stringify(f));
      // Full-profile payloads hold clinical content: every disclosure is audited.
      if (withContent) audit({ at: new Date().toISOString(), operator, action: "show-content", trustId: f.trustId, endpointId: f.endpointId, cloudEventId: f.cloudEventId, messageId: f.messageId, outcome: "shown" });
    }
    console.error(`${failed.length} failed deliveries${withContent ? " (content shown and audited)" : ""}`);
    return 0;
  }
  if (command === "redrive") {
    const queue = queueFor(values.trust);
    const trust = target.trusts.find((t) => t.trustId === values.trust) ?? fail(`trust ${values.trust} is not in the trust files`);
    const controller = new AbortController();
    process.once("SIGINT", () => {
      console.error("\nstopping after the message in hand (nothing is left half-done)...");
      controller.abort();
    });
    const into = values["dry-run"] ? undefined : await target.redriveInto();
    const summary = await redrive(queue, {
      trust,
      selection,
      publisher: into?.publisher ?? { putEvents: async () => fail("dry run publishes nothing") },
      secrets: into?.secrets ?? { get: async () => "" },
      eventBusName: into?.eventBusName ?? "",
      dryRun: values["dry-run"]!,
      ratePerSecond: Number(values.rate),
      operator,
      audit,
      signal: controller.signal,
      progress: (done, selected) => process.stderr.isTTY && process.stderr.write(`\r[${"#".repeat(Math.min(40, Math.round((40 * done) / Math.max(selected, 1)))).padEnd(40)}] ${done}/${selected}`),
    });
    await into?.finish();
    console.error(`\n${JSON.stringify(summary)}`);
    return summary.failed > 0 ? 1 : 0;
  }
  if (command === "purge") {
    const queue = queueFor(values.trust);
    if (values.confirm !== values.trust) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Delete every message in ${values.trust}'s DLQ (${queue.location})? Type the trust id to confirm: `);
      rl.close();
      if (answer.trim() !== values.trust) return fail("not confirmed; nothing deleted");
    }
    const purged = await queue.purge();
    audit({ at: new Date().toISOString(), operator, action: "purge", trustId: values.trust!, outcome: "purged", detail: `${purged} message(s)` });
    return 0;
  }
  return fail(`unknown command ${command}\n${HELP}`);
}

process.exitCode = await main();
