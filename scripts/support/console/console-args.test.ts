import { describe, expect, it } from "vitest";
import { UsageError } from "../../lib/command-line.ts";
import { parseSupportArgs } from "../args.ts";

/** `console`'s command line: the CLI's targets (local, or an environment's outputs and trust files) and a port. */
describe("parseSupportArgs: console", () => {
  it.each<[string[], unknown]>([
    [["console"], { name: "console", target: { kind: "local", root: ".local/dlq" }, auditFile: "redrive-audit.ndjson" }],
    [["console", "--port", "8123", "--local", "d", "--trusts", "t"], { name: "console", target: { kind: "local", root: "d", trustsDir: "t" }, auditFile: "redrive-audit.ndjson", port: 8123 }],
    [["console", "--outputs", "o.json", "--trusts", "t"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "t" }, auditFile: "redrive-audit.ndjson" }],
    [["console", "--env", "prod", "--outputs", "o.json"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "infrastructure/terraform/environments/prod/trusts" }, auditFile: "redrive-audit.ndjson" }],
    [["console", "--env", "prod", "--outputs", "o.json", "--audit-file", "a.ndjson"], { name: "console", target: { kind: "aws", outputsFile: "o.json", trustsDir: "infrastructure/terraform/environments/prod/trusts" }, auditFile: "a.ndjson" }],
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
