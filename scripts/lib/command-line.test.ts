import { describe, expect, it } from "vitest";
import { HELP, UsageError, runCli, type CliIo, type CommandLine } from "./command-line.ts";

/** A command line whose parse and run do what the case says, and an io that keeps what was printed. */
function harness(parse: CommandLine<string>["parse"], run: CommandLine<string>["run"] = async () => 0) {
  const printed = { out: [] as string[], err: [] as string[] };
  const io: CliIo = { out: (t) => printed.out.push(t), err: (t) => printed.err.push(t), onInterrupt: () => () => {} };
  const cli: CommandLine<string> = { invocation: "tool", usage: "Usage: tool", parse, run };
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
});
