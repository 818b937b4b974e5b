import { describe, expect, it } from "vitest";
import { HELP } from "../../lib/command-line.ts";
import { parsePartsArgs } from "./args.ts";

describe("parsePartsArgs", () => {
  it.each<[string[], unknown]>([
    [["pipeline-vars", "--outputs", "a.json", "--out", "b.json"], { kind: "pipeline-vars", outputsFile: "a.json", outFile: "b.json" }],
    [["backend", "--backend", "backend.hcl", "--out", "state.json"], { kind: "backend", backendFile: "backend.hcl", outFile: "state.json" }],
    [["scope", "--env", "prod", "--plan", "p.json", "--workspaces", "w.txt"], { kind: "scope", env: "prod", planFile: "p.json", workspacesFile: "w.txt" }],
    [["moves", "--env", "prod", "--plan", "p.json", "--held", "held"], { kind: "moves", env: "prod", planFile: "p.json", heldDir: "held" }],
    [["merge", "pipeline.json", "bus-0.json"], { kind: "merge", files: ["pipeline.json", "bus-0.json"] }],
    [["--help"], HELP],
  ])("%j → %j", (argv, expected) => {
    expect(parsePartsArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [[], /^give a command: backend, pipeline-vars, scope, moves or merge$/],
    [["apply"], /^unknown command apply/],
    [["pipeline-vars", "--outputs", "a.json"], /^pipeline-vars needs --out$/],
    [["backend", "--out", "state.json"], /^backend needs --backend$/],
    [["pipeline-vars", "--outputs", "a.json", "--out", "b.json", "c"], /^unexpected argument c$/],
    [["scope", "--env", "Prod!", "--plan", "p", "--workspaces", "w"], /^--env must be an environment name/],
    [["scope", "--env", "prod", "--plan", "p"], /^scope needs --workspaces$/],
    [["moves", "--env", "prod", "--plan", "p"], /^moves needs --held$/],
    [["merge"], /^merge needs the parts' output files$/],
    [["merge", "--env", "prod", "a.json"], /^merge takes only output files$/],
    [["merge", "--nope"], /Unknown option/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parsePartsArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
