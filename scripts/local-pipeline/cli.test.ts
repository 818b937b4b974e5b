import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");
/** Runs the CLI as a user would, from an empty working directory. */
const cli = (args: string[]) => run(tsx, [join(import.meta.dirname, "cli.ts"), ...args], { cwd: mkdtempSync(join(tmpdir(), "cli-")) });

describe("local pipeline command line", () => {
  it("runs on NDJSON events, quarantines bad lines instead of dropping them, prints a JSON summary and exits 0", async () => {
    const dir = mkdtempSync(join(tmpdir(), "events-"));
    // A plain event (fields in clear, which the schema allows): another process's local keys could not be opened here.
    const plain = JSON.stringify({
      eventId: "0f8fad5b-d9cb-469f-a165-70867728950e",
      type: "message.created",
      occurredAt: "2026-11-22T10:00:00Z",
      trustId: "R0A",
      conversationId: "conv-1",
      attributes: { priority: "urgent" },
      data: { messageId: "m1", sender: { userId: "u1", displayName: "Dr Who" }, text: "hello" },
    });
    const file = join(dir, "events.ndjson");
    writeFileSync(file, [plain, "not json at all", '{"type":"message.created"}', ""].join("\n"));
    const { stdout } = await cli(["--events", file, "--json", "--dlq-dir", join(dir, "dlq"), "--secrets", join(dir, "secrets.json")]);
    const summary = JSON.parse(stdout);
    expect(summary.records).toMatchObject({ put: 3, published: 1, quarantined: 2, unfinished: 0 });
    expect(summary.unaccounted).toBe(0);
    expect(summary.endpoints.find((e: { endpointId: string }) => e.endpointId === "records")).toMatchObject({ published: 1, delivered: 1 });
  }, 60_000);

  it("run's summary tells records from deliveries and gives filtered records by reason, a disabled trust by its kill switch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "summary-"));
    const { stdout } = await cli(["--count", "60", "--rate", "1000", "--dlq-dir", join(dir, "dlq"), "--secrets", join(dir, "secrets.json")]);
    expect(stdout).toMatch(/^records \(one per platform event put on the stream\): 60 put, /m);
    expect(stdout).toMatch(/^ {2}filtered \d+: trust disabled \(kill switch\) \(RDZ\)$/m);
    expect(stdout).toMatch(/^deliveries \(one per endpoint a published record goes to, so a record can make several\):$/m);
  }, 60_000);

  it("trigger sends one event of the named type for the trust through the pipeline and reports its delivery", async () => {
    const { stdout } = await cli(["trigger", "--trust", "RX1", "--type", "message.read", "--dlq-dir", "dlq", "--secrets", "secrets.json", "--json"]);
    expect(JSON.parse(stdout)).toMatchObject({
      state: "published",
      delivered: true,
      deliveries: [{ endpointId: "ehr", state: "published", delivery: { state: "delivered", status: 200 } }],
    });
  }, 60_000);

  // RX1/bleep takes message.created only with priority urgent or emergency; RX1/ehr takes every type.
  it.each<[string, string[], { state: string; sentTo: string[]; notSentTo: { endpointId: string; reason: string }[] }]>([
    ["--attr priority=urgent reaches the endpoint with the condition", ["--attr", "priority=urgent", "--attr", "site=MAIN"], { state: "published", sentTo: ["ehr", "bleep"], notSentTo: [] }],
    ["--attr priority=routine is kept from it, naming the condition", ["--attr", "priority=routine"], { state: "published", sentTo: ["ehr"], notSentTo: [{ endpointId: "bleep", reason: "condition priority (one of urgent, emergency): the event's priority is routine" }] }],
  ])("trigger %s", async (_case, attrs, expected) => {
    const { stdout } = await cli(["trigger", "--trust", "RX1", "--type", "message.created", "--dlq-dir", "dlq", "--secrets", "secrets.json", "--json", ...attrs]);
    const report = JSON.parse(stdout);
    expect({ state: report.state, sentTo: report.deliveries.map((d: { endpointId: string }) => d.endpointId), notSentTo: report.notSentTo }).toEqual(expected);
    expect(report.attributes).toMatchObject(Object.fromEntries(attrs.filter((a) => a !== "--attr").map((a) => a.split("="))));
  }, 60_000);

  it("trigger --event FILE sends that event; filtered, its reason names what filtered it for each endpoint (exit 1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "event-"));
    const file = join(dir, "event.json");
    writeFileSync(file, JSON.stringify({
      eventId: "6f8fad5b-d9cb-469f-a165-70867728950e",
      type: "message.created",
      occurredAt: "2026-11-22T10:00:00Z",
      trustId: "RYJ",
      conversationId: "conv-9",
      data: { messageId: "m1", sender: { userId: "u1", displayName: "Dr Who" }, text: "hello" },
    }));
    // RYJ/legacy takes message.created and response.sent: a message.read is filtered.
    writeFileSync(join(dir, "read.json"), JSON.stringify({ eventId: "7f8fad5b-d9cb-469f-a165-70867728950e", type: "message.read", occurredAt: "2026-11-22T10:00:00Z", trustId: "RYJ", conversationId: "conv-9", data: { messageId: "m1", reader: { userId: "u1", displayName: "Dr Who" } } }));

    const filtered = cli(["trigger", "--trust", "RYJ", "--event", join(dir, "read.json"), "--dlq-dir", "dlq", "--secrets", "secrets.json", "--json"]);
    await expect(filtered).rejects.toMatchObject({ code: 1 });
    const report = JSON.parse(((await filtered.catch((e) => e)) as { stdout: string }).stdout);
    expect(report).toMatchObject({
      eventId: "7f8fad5b-d9cb-469f-a165-70867728950e",
      state: "filtered",
      reason: "legacy: it does not subscribe to message.read (only message.created, response.sent)",
      notSentTo: [{ endpointId: "legacy", reason: "it does not subscribe to message.read (only message.created, response.sent)" }],
      deliveries: [],
    });

    await expect(cli(["trigger", "--trust", "RX1", "--event", file, "--secrets", "s.json"])).rejects.toMatchObject({ code: 2, stderr: `--event ${file} is for trust RYJ, not --trust RX1 (npm run local -- --help for usage)\n` });
  }, 90_000);

  it("trigger with your own trust file says first when nothing listens at an endpoint's URL, and how not to wait", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nolistener-"));
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const trust = JSON.parse(readFileSync(join(import.meta.dirname, "sample-trusts", "RYJ.json"), "utf8"));
    trust.endpoints[0].url = `http://127.0.0.1:${closed}/callbacks`;
    delete trust.$schema;
    mkdirSync(join(dir, "trusts"));
    writeFileSync(join(dir, "trusts", "RYJ.json"), JSON.stringify(trust));

    const failed = cli(["trigger", "--trusts", join(dir, "trusts"), "--trust", "RYJ", "--type", "message.created", "--dlq-dir", join(dir, "dlq"), "--secrets", join(dir, "s.json"), "--max-retries", "0"]);

    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`warning: nothing listens at http://127.0.0.1:${closed}/callbacks (RYJ/legacy): a delivery there is retried 0 time(s) before it is dead-lettered; start npm run local -- listen --endpoint RYJ/legacy, or pass --max-retries 0 to dead-letter it at once\n`),
    });
  }, 60_000);

  it("trigger reports a dead-lettered delivery and exits 1", async () => {
    // RYJ/legacy's sample receiver answers 503 to everything.
    const failed = cli(["trigger", "--trust", "RYJ", "--type", "message.created", "--dlq-dir", "dlq", "--secrets", "secrets.json", "--max-retries", "1"]);
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringMatching(/RYJ\/legacy {2}DEAD-LETTERED after 1 retry \(ERROR_FROM_TARGET: Received a response with status code 503 from the endpoint, MaximumRetryAttempts\)[\s\S]*NOT delivered/),
    });
  }, 60_000);

  it.each<[string, string[], RegExp]>([
    ["a missing --trusts", ["--trusts", "/no/such/dir"], /^no trust directory or file \/no\/such\/dir \(npm run local -- --help for usage\)$/],
    ["a missing --events", ["--events", "/no/such/events.ndjson"], /^--events \/no\/such\/events.ndjson: no such file /],
    ["an invalid trust file", ["trigger", "--trust", "RX1", "--type", "message.read", "--trusts", "BAD"], /^BAD\/RX1.json: enabled: Invalid input/],
    ["an unknown --auth kind", ["listen", "--auth", "kerberos:x:y"], /^--auth must be none, basic:USER:PASS/],
    ["a trigger for an unknown trust", ["trigger", "--trust", "ZZZ", "--type", "message.read", "--secrets", "s.json"], /^no trust ZZZ in \S+; the trusts are R0A, RDZ, RX1, RYJ /],
    ["an option trigger does not take", ["trigger", "--trust", "RX1", "--type", "message.read", "--count", "3"], /^trigger does not take --count; it takes --trust, --type, --attr, --event/],
  ])("%s is one line and exit 2, no stack trace", async (_what, args, message) => {
    const cwd = mkdtempSync(join(tmpdir(), "cli-bad-"));
    mkdirSync(join(cwd, "BAD"));
    writeFileSync(join(cwd, "BAD", "RX1.json"), JSON.stringify({ trustId: "RX1", name: "x", endpoints: [] }));
    const failed = await run(tsx, [join(import.meta.dirname, "cli.ts"), ...args], { cwd }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    const lines = failed.stderr.split("\n").filter((line) => line && !line.startsWith("npm warn"));
    expect(failed.code).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(failed.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("--help exits 0 in every command line", async () => {
    for (const script of ["local-pipeline/cli.ts", "support/cli.ts", "bench/handler-bench.ts"]) {
      const { stdout } = await run(tsx, [join(import.meta.dirname, "..", script), "--help"], { cwd: tmpdir() });
      expect(stdout, script).toMatch(/^Usage:/);
    }
  }, 60_000);

  it("refuses unknown commands and bad options with a clear message", async () => {
    await expect(cli(["frobnicate"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command frobnicate") });
    await expect(cli(["--count", "lots"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--count must be a whole number") });
    await expect(cli(["--colour", "blue"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("unknown option --colour; the options are --trusts, ") });
  }, 60_000);
});
