import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { UsageError } from "../lib/command-line.ts";
import { FileDeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { parseSupportArgs, type SupportCommand } from "./args.ts";
import { purge, type Confirmation } from "./commands/purge.ts";

const attributes = { ERROR_CODE: "ERROR_FROM_TARGET", ERROR_MESSAGE: "503", RETRY_ATTEMPTS: "3", RULE_ARN: "arn:rule/x-RYJ-legacy", TARGET_ARN: "arn:target" };

/** A local DLQ folder where RYJ has three dead letters. */
function dlqWithThree() {
  const root = mkdtempSync(join(tmpdir(), "purge-"));
  const queue = new FileDeadLetterQueue(root, "RYJ");
  for (let i = 0; i < 3; i++) queue.send("{}", attributes);
  return { root, queue, audit: join(root, "..", `${root.split("/").pop()}-audit.ndjson`) };
}

const noTerminal: Confirmation = { interactive: false, ask: async () => Promise.reject(new Error("must not ask without a terminal")) };
const terminalAnswering = (answer: string | undefined): Confirmation => ({ interactive: true, ask: async () => answer });

async function runPurge(argv: string[], confirmation: Confirmation) {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  try {
    return await purge(parseSupportArgs(argv) as SupportCommand & { name: "purge" }, confirmation);
  } finally {
    log.mockRestore();
  }
}

describe("purge (promise 7.3: nothing deleted without consent)", () => {
  // Each case: how it is run → what happens to RYJ's three dead letters (the one state each must end in).
  it.each<[string, string[], Confirmation, { refusal?: string; left: number }]>([
    ["no terminal, no --confirm", [], noTerminal, { refusal: "purge deletes every message of RYJ's DLQ: run it at a terminal to confirm, or give --confirm RYJ; nothing deleted", left: 3 }],
    ["--confirm naming another trust", ["--confirm", "RX1"], noTerminal, { refusal: "--confirm RX1 does not name the trust RYJ; nothing deleted", left: 3 }],
    ["--confirm naming another trust, at a terminal", ["--confirm", "RX1"], terminalAnswering("RYJ"), { refusal: "--confirm RX1 does not name the trust RYJ; nothing deleted", left: 3 }],
    ["at a terminal, another id typed", [], terminalAnswering("RX1"), { refusal: "not confirmed; nothing deleted", left: 3 }],
    ["at a terminal, input closed (Ctrl-D)", [], terminalAnswering(undefined), { refusal: "not confirmed; nothing deleted", left: 3 }],
    ["--dry-run, even with --confirm", ["--dry-run", "--confirm", "RYJ"], noTerminal, { left: 3 }],
    ["--dry-run at a terminal", ["--dry-run"], terminalAnswering("RYJ"), { left: 3 }],
    ["--confirm naming the trust, no terminal", ["--confirm", "RYJ"], noTerminal, { left: 0 }],
    ["at a terminal, the trust id typed", [], terminalAnswering("RYJ"), { left: 0 }],
  ])("%s", async (_case, extra, confirmation, expected) => {
    const { root, queue, audit } = dlqWithThree();
    const run = runPurge(["purge", "--local", root, "--trust", "RYJ", "--audit-file", audit, ...extra], confirmation);

    if (expected.refusal) await expect(run).rejects.toThrow(new UsageError(expected.refusal));
    else await expect(run).resolves.toBe(0);

    expect((await queue.stats()).depth).toBe(expected.left);
    // A purge that deleted is audited; a refusal or a dry run deletes nothing and writes no purge line.
    const lines = (() => {
      try {
        return readFileSync(audit, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    })();
    expect(lines.map((l) => l.outcome)).toEqual(expected.left === 0 ? ["purged"] : []);
  });
});
