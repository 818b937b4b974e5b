import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

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
    ["list of a folder that does not exist", ["list", "--local", "/nonexistent"], `--local /nonexistent: no such directory (run the local pipeline first: make local; or give the folder of its DLQs) ${HINT}`],
    ["an unknown command", ["resend"], `unknown command resend; the commands are list, show, redrive, purge, history, replay-quarantine, replay, rotate-signing-key, add-endpoint ${HINT}`],
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
