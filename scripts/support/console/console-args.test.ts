import { describe, expect, it, vi } from "vitest";
import { UsageError } from "../../lib/command-line.ts";
import { parseSupportArgs } from "../args.ts";

/** `console`'s command line: the CLI's targets (local, or an environment's outputs and trust files) and a port. */
describe("parseSupportArgs: console", () => {
  it.each<[string[], unknown]>([
    [["console"], { name: "console", target: { kind: "local", root: ".local/dlq" }, auditFile: "redrive-audit.ndjson", json: false }],
    [["console", "--port", "8123", "--local", "d", "--trusts", "t"], { name: "console", target: { kind: "local", root: "d", trustsDir: "t" }, auditFile: "redrive-audit.ndjson", json: false, port: 8123 }],
    [["console", "--outputs", "o.json", "--trusts", "t"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "t" }, auditFile: "redrive-audit.ndjson", json: false }],
    [["console", "--env", "prod", "--outputs", "o.json"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "infrastructure/terraform/environments/prod/trusts" }, auditFile: "redrive-audit.ndjson", json: false }],
    [["console", "--env", "prod", "--outputs", "o.json", "--audit-file", "a.ndjson"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "infrastructure/terraform/environments/prod/trusts" }, auditFile: "a.ndjson", json: false }],
  ])("%j", (argv, expected) => {
    expect(parseSupportArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["console", "--env", "prod"], /--env needs --outputs FILE/],
    [["console", "--env", "Prod!", "--outputs", "o.json"], /--env must be an environment name/],
    [["console", "--env", "prod", "--local", "d"], /not both/],
    [["console", "--outputs", "o.json"], /--outputs needs --trusts DIR/],
    [["console", "--outputs", "o.json", "--trusts", "t", "--local", "d"], /not both/],
    [["console", "--port", "http"], /--port must be a whole number/],
    [["console", "--port", "65536"], /--port must be a TCP port/],
  ])("%j is a usage error", (argv, message) => {
    expect(() => parseSupportArgs(argv)).toThrow(UsageError);
    expect(() => parseSupportArgs(argv)).toThrow(message);
  });
});

describe("console command", () => {
  it("prints the URL with its token, serves until aborted, then stops", async () => {
    const { mkdirSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { consoleCommand } = await import("../commands/console.ts");
    const dir = mkdtempSync(join(tmpdir(), "console-command-"));
    mkdirSync(join(dir, "dlq")); // the CLI's local target refuses a DLQ folder that does not exist
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((line: string) => void printed.push(line));
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const stop = new AbortController();
      const running = consoleCommand({ name: "console", target: { kind: "local", root: join(dir, "dlq") }, auditFile: join(dir, "audit.ndjson"), json: false }, stop.signal);
      await vi.waitFor(() => expect(printed).toHaveLength(1));
      const url = printed[0]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
      expect((await fetch(url, { redirect: "manual" })).status).toBe(303);
      stop.abort();
      expect(await running).toBe(0);
      await expect(fetch(url)).rejects.toThrow(); // no longer listening
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});
