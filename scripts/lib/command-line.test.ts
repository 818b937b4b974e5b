import { spawn } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { HELP, UsageError, helpFor, onlyOptions, parseOptions, runCli, type CliIo, type CommandLine } from "./command-line.ts";
import { WebhookReceiver } from "./webhook-receiver.ts";

/** A command line whose parse and run do what the case says, and an io that keeps what was printed. */
function harness(parse: CommandLine<string>["parse"], run: CommandLine<string>["run"] = async () => 0) {
  const printed = { out: [] as string[], err: [] as string[] };
  const io: CliIo = { out: (t) => printed.out.push(t), err: (t) => printed.err.push(t), onInterrupt: () => () => {} };
  const cli: CommandLine<string> = { invocation: "tool", usage: "Usage: tool", usageOf: (c) => (c === "list" ? "Usage: tool list" : undefined), parse, run };
  return { printed, exec: (argv: string[] = []) => runCli(cli, argv, io) };
}

describe("runCli", () => {
  it("prints the usage and exits 0 for --help", async () => {
    const { printed, exec } = harness(() => HELP);
    expect(await exec(["--help"])).toBe(0);
    expect(printed.out).toEqual(["Usage: tool"]);
  });

  it("turns a usage mistake into one line and exit 2, without a stack", async () => {
    const { printed, exec } = harness(() => {
      throw new UsageError("--count must be a whole number >= 0");
    });
    expect(await exec()).toBe(2);
    expect(printed.err).toEqual(["--count must be a whole number >= 0 (tool --help for usage)"]);
  });

  it("reports any other failure of a command as one line and exit 1", async () => {
    const { printed, exec } = harness(
      () => "go",
      async () => Promise.reject(new Error("S3 unavailable")),
    );
    expect(await exec()).toBe(1);
    expect(printed.err).toEqual(["error: S3 unavailable"]);
    expect(printed.err.join("\n")).not.toMatch(/\n\s+at /);
  });

  it("returns the command's exit status", async () => {
    expect(await harness(() => "go", async () => 3).exec()).toBe(3);
  });

  it("prints only the command's usage for --help after a command, the whole usage for an unknown one", async () => {
    expect(await harness(() => helpFor("list")).exec()).toBe(0);
    const listed = harness(() => helpFor("list"));
    await listed.exec();
    expect(listed.printed.out).toEqual(["Usage: tool list"]);
    const unknown = harness(() => helpFor("nope"));
    await unknown.exec();
    expect(unknown.printed.out).toEqual(["Usage: tool"]);
  });

  it("says a port in use in one line, exit 2, without a stack", async () => {
    const busy = new WebhookReceiver({ auth: { type: "none" }, signingSecret: "whsec_dGVzdA==", behaviour: { kind: "ok" } });
    const origin = await busy.start(0);
    const port = Number(new URL(origin).port);
    try {
      const { printed, exec } = harness(
        () => "go",
        async () => {
          await new WebhookReceiver({ auth: { type: "none" }, signingSecret: "whsec_dGVzdA==", behaviour: { kind: "ok" } }).start(port);
          return 0;
        },
      );
      expect(await exec()).toBe(2);
      expect(printed.err).toEqual([`127.0.0.1:${port} is in use by another program: choose another port (--port N, or 0 for any free port)`]);
    } finally {
      await busy.stop();
    }
  });

  it("says a missing file in one line, exit 2", async () => {
    const { printed, exec } = harness(
      () => "go",
      async () => Promise.reject(Object.assign(new Error("ENOENT: no such file or directory, open '/nonexistent/x.json'"), { code: "ENOENT", path: "/nonexistent/x.json" })),
    );
    expect(await exec()).toBe(2);
    expect(printed.err).toEqual(["/nonexistent/x.json: no such file or directory"]);
  });
});

describe("parseOptions and onlyOptions: mistakes in the project's words", () => {
  const options = { trust: { type: "string" }, "dry-run": { type: "boolean" } } as const;
  it.each<[string[], string]>([
    [["--colour"], "unknown option --colour; the options are --trust, --dry-run"],
    [["--trust"], "--trust needs a value"],
    [["--dry-run=yes"], "--dry-run takes no value"],
    [["extra"], "unexpected argument extra"],
  ])("%j → %s", (argv, message) => {
    expect(() => parseOptions(argv, { options })).toThrow(new UsageError(message));
  });

  it("refuses an option the command does not take, naming those it does", () => {
    const { tokens } = parseOptions(["--trust", "RYJ", "--dry-run"], { options, tokens: true });
    expect(() => onlyOptions("list", tokens, ["trust"])).toThrow(new UsageError("list does not take --dry-run; it takes --trust"));
    expect(() => onlyOptions("redrive", tokens, ["trust", "dry-run"])).not.toThrow();
  });
});

describe("main: a closed pipe", () => {
  it("prints no stack trace when the reader stops reading (| head -1)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "epipe-"));
    const script = join(dir, "many-lines.mts");
    const runner = fileURLToPath(new URL("./command-line.ts", import.meta.url));
    writeFileSync(
      script,
      `import { main } from ${JSON.stringify(runner)};
await main({ invocation: "t", usage: "u", parse: () => "go", run: async () => { for (let i = 0; i < 20000; i++) { console.log("line " + i); if (i % 500 === 0) await new Promise((r) => setTimeout(r, 5)); } return 0; } });
`,
    );
    const tsx = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
    const child = spawn(tsx, [script], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stdout.once("data", () => resolve());
      child.once("close", () => resolve());
    });
    child.stdout.destroy(); // what head does after its first line
    const status = await closed;
    expect(stderr).toBe("");
    expect(status).toBe(0);
  }, 30_000);
});
