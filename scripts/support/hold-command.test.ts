import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, type CommandLine } from "../lib/command-line.ts";
import { FileHoldStates, FileHoldStore, FileNoticeOutbox } from "../lib/local-holds.ts";
import { parseSupportArgs, type SupportCommand } from "./args.ts";
import { history } from "./commands/history.ts";
import { holdCommand } from "./commands/hold.ts";
import { list } from "./commands/list.ts";
import { resumeCommand } from "./commands/resume.ts";

// docs/guarantees.md 10.20-10.25 through the CLI's own runner (exit codes, one line per mistake), on the local target:
// the sample trusts (RX1: ehr, bleep; RDZ switched off), holds in `.local/holds/` beside the DLQs.

const cli: CommandLine<SupportCommand> = {
  invocation: "npm run support --",
  usage: "usage",
  parse: parseSupportArgs,
  run: (command, signal) => {
    if (command.name === "hold") return holdCommand(command);
    if (command.name === "resume") return resumeCommand(command);
    if (command.name === "list") return list(command);
    if (command.name === "history") return history(command, signal);
    throw new Error(`not in this test: ${command.name}`);
  },
};

function workspace() {
  const root = mkdtempSync(join(tmpdir(), "holds-cli-"));
  mkdirSync(join(root, "dlq"));
  const audit = join(root, "audit.ndjson");
  return { root, audit, argv: ["--local", join(root, "dlq"), "--audit-file", audit], states: new FileHoldStates(join(root, "holds")) };
}

async function run(argv: string[]): Promise<{ status: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (text: string) => void out.push(String(text));
  console.error = (text: string) => void err.push(String(text));
  try {
    const status = await runCli(cli, argv, { out: (t) => out.push(t), err: (t) => err.push(t), onInterrupt: () => () => {} });
    return { status, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const auditLines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

describe("hold and resume through the CLI (10.20, 10.21, 10.22)", () => {
  it("holds one endpoint, refuses it again naming who, resumes it; each write audited, a dry run writes nothing", async () => {
    const w = workspace();

    const dry = await run(["hold", ...w.argv, "--trust", "RX1", "--endpoint", "ehr", "--reason", "EPR upgrade", "--dry-run"]);
    expect(dry.status).toBe(0);
    expect(dry.out).toMatch(/would-hold/);
    expect(existsSync(join(w.root, "holds", "states.json"))).toBe(false);
    expect(auditLines(w.audit)).toEqual([]);

    const held = await run(["hold", ...w.argv, "--trust", "RX1", "--endpoint", "ehr", "--reason", "EPR upgrade", "--until", "8h", "--json"]);
    expect(held.status).toBe(0);
    const document = JSON.parse(held.out);
    expect(document.actions).toEqual([expect.objectContaining({ action: "hold", trustId: "RX1", endpointId: "ehr", outcome: "held", reason: "EPR upgrade", until: expect.any(String) })]);
    const [state] = (await w.states.list()).status === "found" ? ((await w.states.list()) as { value: unknown[] }).value : [];
    expect(state).toMatchObject({ trustId: "RX1", endpointId: "ehr", phase: "held", source: "adhoc", reason: "EPR upgrade", version: 1 });

    const again = await run(["hold", ...w.argv, "--trust", "RX1", "--endpoint", "ehr", "--reason", "other"]);
    expect(again.status).toBe(1);
    expect(again.out).toMatch(/refused\s+ehr\s+-\s+already held by \S+ since \d{4}-\d\d-\d\dT[\d:.]+Z \(EPR upgrade\)/);

    const resumed = await run(["resume", ...w.argv, "--trust", "RX1", "--endpoint", "ehr"]);
    expect(resumed.status).toBe(0);
    expect(((await w.states.getMany([{ trustId: "RX1", endpointId: "ehr" }])).get("RX1#ehr") as { value: { phase: string } }).value.phase).toBe("draining");

    // Every hold and resume, refused ones too, is one audit line: who, when, what, why (10.22).
    expect(auditLines(w.audit).map((l) => [l.action, l.endpointId, l.outcome, typeof l.operator, typeof l.at])).toEqual([
      ["hold", "ehr", "held", "string", "string"],
      ["hold", "ehr", "refused", "string", "string"],
      ["resume", "ehr", "resumed", "string", "string"],
    ]);
  });

  it("without --endpoint holds every endpoint of the trust", async () => {
    const w = workspace();
    const held = await run(["hold", ...w.argv, "--trust", "RX1", "--reason", "site-wide EPR outage", "--json"]);
    expect(held.status).toBe(0);
    expect(JSON.parse(held.out).actions.map((a: { endpointId: string; outcome: string }) => [a.endpointId, a.outcome])).toEqual([["ehr", "held"], ["bleep", "held"]]);
  });

  // 10.25: each mistake → exit 2, one line naming it, nothing written (no state, no audit line).
  it.each<[string, string[], RegExp]>([
    ["an unknown trust", ["--trust", "XXX", "--reason", "r"], /^no trust XXX; the trusts are R0A, RDZ, RX1, RYJ$/],
    ["an unknown endpoint", ["--trust", "RX1", "--endpoint", "pas", "--reason", "r"], /^trust RX1 has no endpoint pas; it has ehr, bleep$/],
    ["a switched-off trust", ["--trust", "RDZ", "--reason", "r"], /^trust RDZ is switched off \(enabled: false\): its events are filtered, not held; nothing written$/],
    ["--until in the past", ["--trust", "RX1", "--reason", "r", "--until", "2020-01-01T00:00:00Z"], /^--until 2020-01-01T00:00:00.000Z is not in the future; nothing written$/],
    ["--until 14 days away", ["--trust", "RX1", "--reason", "r", "--until", "14d"], /is more than 13 days away/],
    ["no --reason", ["--trust", "RX1"], /^hold needs --reason "TEXT"/],
  ])("hold with %s: exit 2, one line, nothing written", async (_case, extra, message) => {
    const w = workspace();
    const result = await run(["hold", ...w.argv, ...extra]);
    expect(result.status).toBe(2);
    // The runner adds its usage hint after the one line.
    expect(result.err.split("\n")[0]!.replace(/ \(npm run support -- --help for usage\)$/, "")).toMatch(message);
    expect(result.err).not.toMatch(/\n\s+at /);
    expect(existsSync(join(w.root, "holds", "states.json"))).toBe(false);
    expect(auditLines(w.audit)).toEqual([]);
  });
});

describe("list and history show holds (10.23, 10.24)", () => {
  it("list: each held endpoint with phase, since, by, reason, until and its store's depth", async () => {
    const w = workspace();
    await run(["hold", ...w.argv, "--trust", "RX1", "--endpoint", "ehr", "--reason", "EPR upgrade", "--until", "2h"]);
    const store = new FileHoldStore(join(w.root, "holds"));
    const cloudEvent = (id: string) => ({ specversion: "1.0", id, source: "/trust-callbacks/local", type: "message.created", time: "2026-12-05T10:00:00Z", datacontenttype: "application/json", data: {} });
    await store.append([1, 2, 3].map((n) => ({ endpoint: { trustId: "RX1", endpointId: "ehr" }, cloudEvent: cloudEvent(`ce-${n}`) as never })));

    const json = await run(["list", ...w.argv, "--json"]);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.out).holds).toEqual([
      expect.objectContaining({ trustId: "RX1", endpointId: "ehr", phase: "held", source: "adhoc", reason: "EPR upgrade", by: expect.any(String), since: expect.any(String), until: expect.any(String), depth: 3 }),
    ]);
    const table = await run(["list", ...w.argv]);
    expect(table.out).toMatch(/RX1\/ehr\s+held\s+3\s+\S+Z\s+\S+Z\s+\S+\s+EPR upgrade/);
  });

  it("history --trust: the hold, the resume and the drain's notices, oldest first", async () => {
    const w = workspace();
    await run(["hold", ...w.argv, "--trust", "RX1", "--endpoint", "ehr", "--reason", "EPR upgrade"]);
    await run(["resume", ...w.argv, "--trust", "RX1", "--endpoint", "ehr"]);
    const at = new Date(Date.now() + 1000).toISOString();
    await new FileNoticeOutbox(join(w.root, "notices.ndjson")).record({ id: `hold-drained#RX1#ehr#x`, kind: "hold-drained", trustId: "RX1", endpointId: "ehr", at, counts: { deadLetters: 0, held: 7, drained: 7 } });

    const result = await run(["history", ...w.argv, "--trust", "RX1", "--json", "--until", new Date(Date.now() + 60_000).toISOString()]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.out).holds.map((e: { event: string; endpointId: string }) => [e.endpointId, e.event])).toEqual([
      ["ehr", "held"],
      ["ehr", "resumed"],
      ["ehr", "drained"],
    ]);
    const table = await run(["history", ...w.argv, "--trust", "RX1", "--until", new Date(Date.now() + 60_000).toISOString()]);
    expect(table.out).toMatch(/^HOLD \S+ {2}RX1\/ehr {2}held by \S+ \(EPR upgrade\) until resume$/m);
    expect(table.out).toMatch(/^HOLD \S+ {2}RX1\/ehr {2}drained \(7 sent\): new deliveries go straight again$/m);
  });
});
