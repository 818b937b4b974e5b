import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
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
    const { stdout } = await cli(["--events", file, "--json", "--dlq-dir", join(dir, "dlq")]);
    const summary = JSON.parse(stdout);
    expect(summary.records).toMatchObject({ put: 3, published: 1, quarantined: 2, unfinished: 0 });
    expect(summary.unaccounted).toBe(0);
    expect(summary.endpoints.find((e: { endpointId: string }) => e.endpointId === "records")).toMatchObject({ published: 1, delivered: 1 });
  }, 60_000);

  it("trigger sends one event of the named type for the trust through the pipeline", async () => {
    const { stdout } = await cli(["trigger", "--trust", "RX1", "--type", "message.read", "--dlq-dir", "dlq"]);
    expect(JSON.parse(stdout)).toMatchObject({ state: "published", deliveries: [{ endpointId: "ehr", state: "published" }] });
  }, 60_000);

  it("refuses unknown commands and bad options with a clear message", async () => {
    await expect(cli(["frobnicate"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command frobnicate") });
    await expect(cli(["--count", "lots"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("--count must be a whole number") });
    await expect(cli(["--colour", "blue"])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining("Unknown option '--colour'") });
  }, 60_000);
});
