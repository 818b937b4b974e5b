import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import type { DeliveryStory, HistoryLine, StoryStep } from "../lib/call-history.ts";
import { generateEvents } from "../lib/event-generator.ts";
import { connectionSecret, ensureLocalSecrets } from "../lib/local-secrets.ts";
import { WebhookReceiver, type ReceiverAuth } from "../lib/webhook-receiver.ts";
import { connectionCredentials } from "../local-pipeline/api-destination.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import { UsageError } from "../lib/command-line.ts";
import { parseSupportArgs, type AddEndpointCommand, type RotateSigningKeyCommand, type SupportCommand } from "./args.ts";
import { addEndpointCommand } from "./commands/add-endpoint.ts";
import { history } from "./commands/history.ts";
import { list } from "./commands/list.ts";
import { purge } from "./commands/purge.ts";
import { redriveCommand } from "./commands/redrive.ts";
import { replayQuarantineCommand } from "./commands/replay-quarantine.ts";
import { replayCommand } from "./commands/replay.ts";
import { rotateSigningKeyCommand } from "./commands/rotate-signing-key.ts";
import { show } from "./commands/show.ts";

/** Runs one support command as the CLI would (parsed argv), and returns what it printed to stdout. */
async function runCommand(argv: string[], run: (command: SupportCommand, signal: AbortSignal) => Promise<number>) {
  const out: string[] = [];
  const errors: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((text: string) => void out.push(text));
  const err = vi.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
  try {
    const status = await run(parseSupportArgs(argv) as SupportCommand, new AbortController().signal);
    return { status, out: out.join("\n"), err: errors.join("\n") };
  } finally {
    log.mockRestore();
    err.mockRestore();
  }
}

describe("support tools on the local pipeline: a run with a flaky and a down endpoint", () => {
  const dir = mkdtempSync(join(tmpdir(), "support-"));
  const dlqDir = join(dir, "dlq");
  const historyFile = join(dir, "history.jsonl");
  let pipeline: LocalPipeline;
  let lines: HistoryLine[];
  let since: Date;
  let until: Date;

  beforeAll(async () => {
    since = new Date();
    pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir,
      historyFile,
      streamFile: join(dir, "stream.jsonl"),
      masterKeyFile: join(dir, "master.key"),
    });
    const events = pipeline.events(11);
    for (let i = 0; i < 150; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    until = new Date();
    lines = readFileSync(historyFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as HistoryLine);
  }, 60_000);
  afterAll(() => pipeline.stop());

  const historyOf = async (sourceEventId: string): Promise<DeliveryStory[]> => {
    const { status, out } = await runCommand(["history", "--local", dlqDir, "--history-file", historyFile, "--source-event-id", sourceEventId, "--json"], (c, s) =>
      history(c as SupportCommand & { name: "history" }, s),
    );
    expect(status).toBe(0);
    return JSON.parse(out).deliveries;
  };
  const publishedTo = (key: string) => lines.filter((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published" && `${l.trustId}/${l.endpointId}` === key);

  it("history shows a flaky endpoint's delivery delivered after its failed attempts, with their HTTP statuses", async () => {
    const retriedBusEvents = new Set(lines.flatMap((l) => (l.source === "bus" && l.message_type === "INVOCATION_ATTEMPT_RETRYABLE_FAILURE" ? [l.event_id] : [])));
    const flaky = publishedTo("R0A/records").find((p) => retriedBusEvents.has(p.busEventId))!;
    expect(flaky).toBeDefined();

    const paths = (await historyOf(flaky.sourceEventId)).filter((p) => p.endpointId === "records");

    expect(paths).toEqual([
      expect.objectContaining({
        trustId: "R0A",
        cloudEventId: flaky.cloudEventId,
        state: "DELIVERED",
        steps: [
          { at: flaky.publishedAt, kind: "published", busEventId: flaky.busEventId },
          expect.objectContaining({ kind: "attempt", outcome: "retryable-failure", httpStatus: 503 }),
          expect.objectContaining({ kind: "attempt", outcome: "retryable-failure", httpStatus: 429 }),
          expect.objectContaining({ kind: "attempt", outcome: "success", httpStatus: 200 }),
        ],
      }),
    ]);
  });

  it("history shows a down endpoint's delivery dead-lettered, found in the trust's DLQ", async () => {
    const down = publishedTo("RYJ/legacy")[0]!;

    const [path] = await historyOf(down.sourceEventId);

    expect(path).toMatchObject({ trustId: "RYJ", endpointId: "legacy", cloudEventId: down.cloudEventId, state: "FAILED" });
    const attempts = path!.steps.filter((s): s is StoryStep & { kind: "attempt" } => s.kind === "attempt");
    expect(attempts.map((a) => a.httpStatus)).toEqual([503, 503, 503, 503]); // the first attempt and 3 retries
    expect(path!.detail).toMatch(/^in the trust's DLQ: ERROR_FROM_TARGET after 3 retries$/);
  });

  it("replay of the window re-delivers exactly the selected trust's events to exactly the selected endpoint, with the same CloudEvent ids", async () => {
    const original = new Set(publishedTo("RX1/bleep").map((p) => p.cloudEventId));
    expect(original.size).toBeGreaterThan(0);
    const before = readHistory(historyFile).length;

    const { status, out, err } = await runCommand(
      ["replay", "--local", dlqDir, "--trust", "RX1", "--endpoint", "bleep", "--since", since.toISOString(), "--until", until.toISOString(), "--rate", "1000", "--audit-file", join(dir, "audit.ndjson"), "--json"],
      (c, s) => replayCommand(c as SupportCommand & { name: "replay" }, s),
    );

    expect(status).toBe(0);
    const audit = JSON.parse(out).actions as { outcome: string; action: string; trustId: string; endpointId: string; cloudEventId: string }[];
    const replayed = audit.filter((a) => a.outcome === "replayed");
    expect(replayed.every((a) => a.action === "replay" && a.trustId === "RX1" && a.endpointId === "bleep")).toBe(true);
    expect(new Set(replayed.map((a) => a.cloudEventId))).toEqual(original);
    expect(audit.filter((a) => a.outcome === "failed")).toEqual([]);
    // The fresh pipeline's receivers: only RX1/bleep received anything, one delivery per replayed event.
    expect(err.split("\n").filter((l) => / received \d+$/.test(l))).toEqual([`RX1/bleep: received ${original.size}`]);
    const after = readHistory(historyFile).slice(before).filter((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published");
    expect(after.every((p) => p.trustId === "RX1" && p.endpointId === "bleep")).toBe(true);
    expect(new Set(after.map((p) => p.cloudEventId))).toEqual(original);
  }, 60_000);
});

describe("support tools on the local pipeline: list, show, redrive, purge (happy paths)", () => {
  const dir = mkdtempSync(join(tmpdir(), "support-dlq-"));
  const dlqDir = join(dir, "dlq");
  const audit = join(dir, "audit.ndjson");
  const json = async (argv: string[], run: (command: SupportCommand, signal: AbortSignal) => Promise<number>) => {
    const result = await runCommand([...argv, "--local", dlqDir, "--audit-file", audit, "--json"], run);
    return { ...result, body: JSON.parse(result.out) };
  };

  beforeAll(async () => {
    // RYJ/legacy's sample receiver answers 503 to everything: its deliveries end in RYJ's DLQ.
    const pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir, maxRetries: 1 });
    const events = pipeline.events(3);
    for (let i = 0; i < 120; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
  }, 60_000);

  it("lists the DLQ, shows its failed deliveries, redrives two, purges the rest", async () => {
    const listed = await json(["list"], (c) => list(c as SupportCommand & { name: "list" }));
    const depth = (listed.body.queues as { trustId: string; depth: number }[]).find((q) => q.trustId === "RYJ")!.depth;
    expect(depth).toBeGreaterThan(2);

    const shown = await json(["show", "--trust", "RYJ"], (c) => show(c as SupportCommand & { name: "show" }));
    expect(shown.body.failed).toHaveLength(depth);
    expect(new Set(shown.body.failed.map((f: { endpointId: string }) => f.endpointId))).toEqual(new Set(["legacy"]));

    const dry = await json(["redrive", "--trust", "RYJ", "--limit", "2", "--dry-run"], (c, signal) => redriveCommand(c as SupportCommand & { name: "redrive" }, signal));
    expect(dry.body.actions.map((a: { outcome: string }) => a.outcome)).toEqual(["would-redrive", "would-redrive"]);
    expect(dry.body.summary).toMatchObject({ selected: 2, redriven: 0, leftInQueue: depth });

    const redriven = await json(["redrive", "--trust", "RYJ", "--limit", "2", "--rate", "1000"], (c, signal) => redriveCommand(c as SupportCommand & { name: "redrive" }, signal));
    expect(redriven.status).toBe(0);
    expect(redriven.body.summary).toMatchObject({ selected: 2, redriven: 2, failed: 0, leftInQueue: depth - 2 });
    expect(redriven.err).toMatch(/RYJ\/legacy: received 2/);

    const dryPurge = await json(["purge", "--trust", "RYJ", "--dry-run"], (c) => purge(c as SupportCommand & { name: "purge" }));
    expect(dryPurge.body.summary).toMatchObject({ outcome: "would-purge", messages: depth - 2 });
    const purged = await json(["purge", "--trust", "RYJ", "--confirm", "RYJ"], (c) => purge(c as SupportCommand & { name: "purge" }));
    expect(purged.body.summary).toMatchObject({ outcome: "purged", messages: depth - 2 });

    const after = await json(["list"], (c) => list(c as SupportCommand & { name: "list" }));
    expect((after.body.queues as { trustId: string; depth: number }[]).find((q) => q.trustId === "RYJ")!.depth).toBe(0);
    const outcomes = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l).outcome);
    // One purge line per delivery purged (its history record, docs/guarantees.md 8.21), then the purge itself.
    expect(outcomes).toEqual(["would-redrive", "would-redrive", "redriven", "redriven", ...Array.from({ length: depth - 2 + 1 }, () => "purged")]);
  }, 60_000);
});

describe("redrive locally with your own trust file: delivered where it says", () => {
  it("redrives RYJ's dead letters to the listener its trust file names, not to a built-in receiver", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-own-"));
    const dlqDir = join(dir, "dlq");
    const pipeline = await LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, receiversFile: SAMPLE_RECEIVERS_FILE, dlqDir, maxRetries: 0 });
    const events = pipeline.events(8);
    for (let i = 0; i < 60; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
    const trustsDir = join(dir, "trusts");
    mkdirSync(trustsDir);
    const listeners = await listenersFor("RYJ", join(dir, "secrets.json"), join(trustsDir, "RYJ.json"));

    const redriven = await runCommand(["redrive", "--local", dlqDir, "--trusts", trustsDir, "--trust", "RYJ", "--rate", "1000", "--audit-file", join(dir, "audit.ndjson"), "--json"], (c, signal) =>
      redriveCommand(c as SupportCommand & { name: "redrive" }, signal),
    ).finally(() => Promise.all([...listeners.values()].map((r) => r.stop())));

    const { summary, actions } = JSON.parse(redriven.out) as { summary: { redriven: number; leftInQueue: number }; actions: { cloudEventId: string }[] };
    expect(summary.redriven).toBeGreaterThan(0);
    expect(summary.leftInQueue).toBe(0);
    expect(new Set(listeners.get("legacy")!.deliveries.map((d) => d.webhookId))).toEqual(new Set(actions.map((a) => a.cloudEventId)));
  }, 60_000);
});

describe("support tools for platform engineers, locally: add-endpoint, then rotate-signing-key (happy paths)", () => {
  it("adds an endpoint with its signing key, then rotates the key with an overlap", async () => {
    const dir = mkdtempSync(join(tmpdir(), "support-keys-"));
    const trustsDir = join(dir, "trusts");
    mkdirSync(trustsDir);
    copyFileSync(join(SAMPLE_TRUSTS_DIR, "RX1.json"), join(trustsDir, "RX1.json"));
    const target = ["--trusts", trustsDir, "--secrets", join(dir, "secrets.json"), "--audit-file", join(dir, "audit.ndjson"), "--json"];

    const added = await runCommand(
      ["add-endpoint", "--trust", "RX1", "--endpoint", "pager", "--url", "http://127.0.0.1:48999/pager", "--events", "message.created", "--auth", "api_key", "--header-name", "x-api-key", "--profile", "minimal", ...target],
      (c) => addEndpointCommand(c as AddEndpointCommand),
    );
    expect(added.status).toBe(0);
    expect(JSON.parse(added.out)).toMatchObject({ kind: "new-endpoint", written: true, trustId: "RX1", endpointId: "pager", signingKey: expect.stringMatching(/^whsec_/) });

    const rotated = await runCommand(["rotate-signing-key", "--trust", "RX1", "--endpoint", "pager", "--overlap", "25h", ...target], (c) => rotateSigningKeyCommand(c as RotateSigningKeyCommand));
    expect(rotated.status).toBe(0);
    expect(JSON.parse(rotated.out)).toMatchObject({ outcome: "rotated", newKey: expect.stringMatching(/^whsec_/), keys: [expect.anything(), expect.anything()] });
  }, 30_000);
});

/**
 * A trust's own listeners, as `npm run local -- listen` runs them (the trust file's auth, keys from the secrets file
 * beside the DLQs), and its trust file written with their URLs: where a local replay must deliver.
 */
async function listenersFor(trustId: string, secretsFile: string, trustFile: string): Promise<Map<string, WebhookReceiver>> {
  const trust = loadTrusts(SAMPLE_TRUSTS_DIR).find((t) => t.trustId === trustId)!;
  const raw = JSON.parse(readFileSync(join(SAMPLE_TRUSTS_DIR, `${trustId}.json`), "utf8")) as { endpoints: { id: string; url: string; auth: { tokenUrl?: string } }[] };
  const { secrets } = ensureLocalSecrets(secretsFile, [trust]);
  const receivers = new Map<string, WebhookReceiver>();
  for (const endpoint of trust.endpoints) {
    const credentials = connectionCredentials(endpoint.auth, connectionSecret(endpoint, secrets[endpoint.auth.credentialsSecret]));
    const auth: ReceiverAuth = credentials.type === "oauth2_client_credentials" ? { type: credentials.type, clientId: credentials.clientId, clientSecret: credentials.clientSecret } : credentials;
    const receiver = new WebhookReceiver({ auth, signingSecret: secrets[endpoint.signingSecret]!, behaviour: { kind: "ok" } });
    const origin = await receiver.start(0);
    receivers.set(endpoint.id, receiver);
    const written = raw.endpoints.find((e) => e.id === endpoint.id)!;
    written.url = `${origin}/callbacks`;
    if (written.auth.tokenUrl) written.auth.tokenUrl = `${origin}/oauth2/token`;
  }
  writeFileSync(trustFile, JSON.stringify(raw, null, 2));
  return receivers;
}

function readHistory(file: string): HistoryLine[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as HistoryLine);
}

describe("replay-quarantine on the local pipeline: a trust whose file was deployed late, two runs (promises 7.1, 7.2)", () => {
  const dir = mkdtempSync(join(tmpdir(), "replay-q-"));
  const trustsDir = join(dir, "trusts");
  const dlqDir = join(dir, "dlq");
  const quarantineDir = join(dir, "quarantine");
  const historyFile = join(dir, "history.jsonl");
  const quarantinedIds: string[] = [];
  const replayQuarantine = (...extra: string[]) =>
    runCommand(
      ["replay-quarantine", "--local", dlqDir, "--trusts", trustsDir, "--quarantine-dir", quarantineDir, "--trust", "RX1", "--rate", "1000", "--audit-file", join(dir, "audit.ndjson"), "--json", ...extra],
      (c, s) => replayQuarantineCommand(c as SupportCommand & { name: "replay-quarantine" }, s),
    );

  beforeAll(async () => {
    mkdirSync(trustsDir);
    for (const file of readdirSync(SAMPLE_TRUSTS_DIR).filter((f) => f.endsWith(".json") && f !== "RX1.json")) copyFileSync(join(SAMPLE_TRUSTS_DIR, file), join(trustsDir, file));
    // Two runs of the local pipeline (as two `make local`s): each numbers its stream records from 1, so the second
    // run's quarantined records have the same stream ids as the first's.
    for (const seed of [5, 6]) {
      const pipeline = await LocalPipeline.start({ trustsDir, dlqDir, historyFile, quarantineDir, masterKeyFile: join(dir, "master.key") });
      // RX1's events arrive before its trust file is deployed: each is quarantined as an unknown trust.
      const rx1 = loadTrusts(SAMPLE_TRUSTS_DIR).filter((t) => t.trustId === "RX1");
      const events = generateEvents({ trusts: rx1, seed, keyProvider: pipeline.keyProvider });
      for (let i = 0; i < 20; i++) {
        const event = events.next().value!;
        quarantinedIds.push(event.eventId);
        pipeline.put(event);
      }
      await pipeline.drain();
      await pipeline.stop();
    }
  }, 120_000);

  it("refuses while the trust has no trust file, then replays exactly what the dry run listed, every record of both runs", async () => {
    const quarantinedLines = readHistory(historyFile).filter((l) => l.source === "lambda" && l.kind === "quarantined");
    expect(quarantinedLines).toHaveLength(40);
    expect(quarantinedLines.every((l) => "reason" in l && /unknown trust|no subscription/i.test(l.reason))).toBe(true);
    expect(new Set(quarantinedIds).size).toBe(40);

    // The cause is not fixed yet: refused in one line, nothing replayed.
    await expect(replayQuarantine()).rejects.toThrow(new UsageError(`RX1 has no trust file in ${trustsDir}: its records would be quarantined again ("unknown trust"); deploy RX1.json first; nothing replayed`));

    // A dry run lists them all and changes nothing.
    const dry = await replayQuarantine("--dry-run");
    expect(dry.status).toBe(0);
    const listed = JSON.parse(dry.out).actions as { outcome: string; sourceEventId: string }[];
    expect(listed.map((a) => a.outcome)).toEqual(Array(40).fill("would-replay"));
    expect(new Set(listed.map((a) => a.sourceEventId))).toEqual(new Set(quarantinedIds));

    // The fix: RX1's trust file is deployed, naming the trust's own listeners (started here as `listen` would).
    const listeners = await listenersFor("RX1", join(dir, "secrets.json"), join(trustsDir, "RX1.json"));
    const replay = await replayQuarantine().finally(() => Promise.all([...listeners.values()].map((r) => r.stop())));

    expect(replay.status).toBe(0);
    const { summary, actions } = JSON.parse(replay.out) as { summary: { selected: number; replayed: number }; actions: { outcome: string; sourceEventId: string }[] };
    expect(summary).toMatchObject({ selected: 40, replayed: 40 });
    expect(actions.map((a) => a.outcome)).toEqual(Array(40).fill("replayed"));
    expect(new Set(actions.map((a) => a.sourceEventId))).toEqual(new Set(quarantinedIds));
    const lines = readHistory(historyFile);
    const published = lines.filter((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published");
    expect(published.length).toBeGreaterThan(0);
    expect(published.every((p) => p.trustId === "RX1" && quarantinedIds.includes(p.sourceEventId))).toBe(true);
    const delivered = new Set(lines.flatMap((l) => (l.source === "bus" && l.message_type === "INVOCATION_ATTEMPT_SUCCESS" ? [l.event_id] : [])));
    expect(published.every((p) => delivered.has(p.busEventId))).toBe(true);
    // Every event of RX1 ends delivered or filtered on purpose; none is quarantined again, and nothing is left to replay.
    expect(lines.filter((l) => l.source === "lambda" && l.kind === "quarantined")).toHaveLength(40);
    expect(replay.err).toMatch(/RX1\/(ehr|bleep): received \d+/);
    // Delivered where the trust file says (its listeners), not to built-in receivers: every published delivery, once.
    const received = [...listeners.values()].flatMap((r) => r.deliveries.map((d) => d.webhookId));
    expect(new Set(received)).toEqual(new Set(published.map((p) => p.cloudEventId)));
    const left = await replayQuarantine("--dry-run");
    expect(JSON.parse(left.out).actions).toEqual([]);
  }, 120_000);
});

const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const CLI = fileURLToPath(new URL("./cli.ts", import.meta.url));
const HINT = "(npm run support -- --help for usage)";

/** The real CLI, as a support engineer runs it, with stdin from /dev/null (no terminal). */
function support(argv: string[]): Promise<{ status: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [CLI, ...argv], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (err += chunk));
    child.on("close", (status) => resolve({ status, out, err }));
  });
}

describe("support CLI mistakes (promise 7.4): one line naming the valid choices, exit 2, nothing done", () => {
  const local = mkdtempSync(join(tmpdir(), "mistakes-"));
  const dlq = join(local, "dlq");
  mkdirSync(dlq);

  // The mistakes of issue #22, each with the one line it must print.
  const cases: [string, string[], string][] = [
    ["purge with no terminal and no --confirm", ["purge", "--local", dlq, "--trust", "RYJ"], `purge deletes every message of RYJ's DLQ: run it at a terminal to confirm, or give --confirm RYJ; nothing deleted ${HINT}`],
    ["purge --confirm for another trust", ["purge", "--local", dlq, "--trust", "RYJ", "--confirm", "RX1"], `--confirm RX1 does not name the trust RYJ; nothing deleted ${HINT}`],
    ["show for an endpoint the trust does not have", ["show", "--local", dlq, "--trust", "RYJ", "--endpoint", "nope"], `trust RYJ has no endpoint nope; it has legacy ${HINT}`],
    ["show for a trust that does not exist", ["show", "--local", dlq, "--trust", "ZZZ"], `no trust ZZZ; the trusts are R0A, RDZ, RX1, RYJ ${HINT}`],
    ["history of a trust that does not exist", ["history", "--local", dlq, "--trust", "ZZZ"], `no trust ZZZ; the trusts are R0A, RDZ, RX1, RYJ ${HINT}`],
    ["history of an endpoint the trust does not have", ["history", "--local", dlq, "--trust", "RYJ", "--endpoint", "nope"], `trust RYJ has no endpoint nope; it has legacy ${HINT}`],
    ["list of a folder that does not exist", ["list", "--local", "/nonexistent"], `--local /nonexistent: no such directory (run the local pipeline first: make local; or give the folder of its DLQs) ${HINT}`],
    ["an unknown command", ["resend"], `unknown command resend; the commands are list, show, redrive, purge, history, replay-quarantine, replay, hold, resume, console, rotate-signing-key, add-endpoint ${HINT}`],
    ["an option the command does not take", ["list", "--trust", "RYJ"], `list does not take --trust; it takes --json, --outputs, --trusts, --local, --audit-file ${HINT}`],
    ["an option with no value", ["show", "--trust"], `--trust needs a value ${HINT}`],
    ["--outputs that does not exist", ["list", "--outputs", "/nonexistent/o.json", "--trusts", "scripts/local-pipeline/sample-trusts"], `--outputs /nonexistent/o.json: cannot read it; create it with \`make output ENV=<env> > /nonexistent/o.json\` ${HINT}`],
  ];

  it("prints exactly one line and exits 2 for each", async () => {
    const results = await Promise.all(cases.map(([, argv]) => support(argv)));
    const seen = results.map((r, i) => ({ case: cases[i]![0], status: r.status, err: r.err.trimEnd(), out: r.out }));
    expect(seen).toEqual(cases.map(([name, , line]) => ({ case: name, status: 2, err: line, out: "" })));
  }, 180_000);

  it("prints a command's own usage for --help after it, exit 0", async () => {
    const { status, out, err } = await support(["purge", "--help"]);
    expect({ status, err }).toEqual({ status: 0, err: "" });
    expect(out).toMatch(/^Usage: npm run support -- purge {3}--trust T \[--confirm T\] \[--dry-run\] \[--json\]/);
    expect(out).not.toMatch(/replay-quarantine/);
  }, 60_000);
});
