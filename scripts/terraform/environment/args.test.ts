import { describe, expect, it } from "vitest";
import { HELP } from "../../lib/command-line.ts";
import { parseEnvironmentArgs } from "./args.ts";

describe("make plan|apply|output|destroy ENV=<env>: the command line", () => {
  it.each([
    [["plan", "--env", "test"], { kind: "plan", env: "test" }],
    [["apply", "--env", "prod"], { kind: "apply", env: "prod" }],
    [["output", "--env", "staging"], { kind: "output", env: "staging" }],
    [["destroy", "--env", "test"], { kind: "destroy", env: "test", allowProd: false }],
    [["destroy", "--env", "prod", "--confirm", "prod", "--allow-prod"], { kind: "destroy", env: "prod", confirm: "prod", allowProd: true }],
    [["--help"], HELP],
  ])("%j", (argv, expected) => {
    expect(parseEnvironmentArgs(argv)).toEqual(expected);
  });

  it.each([
    [[], /^give a command: plan, apply, output or destroy$/],
    [["deploy", "--env", "test"], /^unknown command deploy/],
    [["plan"], /^plan needs --env <environment name>/],
    [["plan", "--env", "Prod!"], /^plan needs --env <environment name>/],
    [["plan", "--env", "test", "extra"], /^unexpected argument extra$/],
    [["apply", "--env", "prod", "--allow-prod"], /^--confirm and --allow-prod are for destroy only$/],
    [["plan", "--env", "test", "--bogus"], /bogus/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseEnvironmentArgs(argv)).toThrow(message);
  });
});
