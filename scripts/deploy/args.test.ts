import { describe, expect, it } from "vitest";
import { HELP } from "../lib/command-line.ts";
import { parseDeployArgs } from "./args.ts";

describe("parseDeployArgs", () => {
  it.each<[string[], unknown]>([
    [["account", "--env", "prod"], { kind: "account", env: "prod" }],
    [["plan-summary", "--title", "Plan: prod", "pipeline=a.json", "bus-0=b.json"],
      { kind: "plan-summary", title: "Plan: prod", failOnChanges: false, plans: [{ name: "pipeline", file: "a.json" }, { name: "bus-0", file: "b.json" }] }],
    [["plan-summary", "--title", "Drift", "--append-to", "summary.md", "--fail-on-changes", "index=i.json"],
      { kind: "plan-summary", title: "Drift", appendTo: "summary.md", failOnChanges: true, plans: [{ name: "index", file: "i.json" }] }],
    [["lint-workflows"], { kind: "lint-workflows", dir: ".github/workflows" }],
    [["lint-workflows", "--dir", "x"], { kind: "lint-workflows", dir: "x" }],
    [["--help"], HELP],
  ])("%j → %j", (argv, expected) => {
    expect(parseDeployArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [[], /^give a command: account, plan-summary or lint-workflows$/],
    [["apply"], /^unknown command apply/],
    [["account"], /^account needs --env/],
    [["account", "--env", "Prod!"], /^account needs --env, an environment name/],
    [["account", "--env", "prod", "--title", "x"], /^account does not take --title$/],
    [["account", "--env", "prod", "extra"], /^unexpected argument extra$/],
    [["plan-summary", "a=b.json"], /^plan-summary needs --title$/],
    [["plan-summary", "--title", "t", "plan.json"], /^plan\.json is not NAME=FILE/],
    [["plan-summary", "--title", "t", "--fail-on-changes"], /^plan-summary needs at least one NAME=FILE$/],
    [["plan-summary", "--title", "t", "a=1.json", "a=2.json"], /^a is given twice$/],
    [["lint-workflows", "--fail-on-changes"], /^lint-workflows does not take --fail-on-changes$/],
    [["account", "--nope"], /^unknown option --nope; the options are /],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseDeployArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
