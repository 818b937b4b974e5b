import { describe, expect, it } from "vitest";
import { HELP } from "../lib/command-line.ts";
import { parseBenchArgs } from "./args.ts";

describe("parseBenchArgs", () => {
  it.each<[string[], unknown]>([
    [[], { batches: 300, batchSize: 100, scenario: "all", jsonFile: "bench-results/latest.json" }],
    [["--batches", "10", "--batch-size", "50", "--json", "x.json"], { batches: 10, batchSize: 50, scenario: "all", jsonFile: "x.json" }],
    [["--scenario", "1000x3"], { batches: 300, batchSize: 100, scenario: "1000x3", jsonFile: "bench-results/latest.json" }],
    [["-h"], HELP],
  ])("%j → %j", (argv, expected) => {
    expect(parseBenchArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["--batches", "0"], /^--batches must be a whole number >= 1$/],
    [["--batch-size", "many"], /^--batch-size must be a whole number >= 1$/],
    [["now"], /^unexpected argument now$/],
    [["--scenario", "huge"], /^--scenario must be 10x2, 1000x3 or all, not huge$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
