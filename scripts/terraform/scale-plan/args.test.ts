import { describe, expect, it } from "vitest";
import { HELP } from "../../lib/command-line.ts";
import { parseScalePlanArgs } from "./args.ts";

describe("parseScalePlanArgs", () => {
  it.each<[string[], unknown]>([
    [[], { trusts: [10, 100, 300], json: false }],
    [["--trusts", "1000,10,100"], { trusts: [10, 100, 1000], json: false }],
    [["--trusts", "10,1000", "--max-ratio", "2", "--log", ".build/tf-test.log"], { trusts: [10, 1000], maxRatio: 2, logFile: ".build/tf-test.log", json: false }],
    [["--max-ratio", "1.5", "--json"], { trusts: [10, 100, 300], maxRatio: 1.5, json: true }],
    [["-h"], HELP],
  ])("%j → %j", (argv, expected) => {
    expect(parseScalePlanArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["--trusts", "10,,100"], /^--trusts must be a comma-separated list of whole numbers from 1 to 5000/],
    [["--trusts", "0"], /^--trusts must be a comma-separated list/],
    [["--trusts", "5001"], /^--trusts must be a comma-separated list/],
    [["--trusts", "ten"], /^--trusts must be a comma-separated list/],
    [["--trusts", "10,10"], /^--trusts must not repeat a count$/],
    [["--max-ratio", "0.5"], /^--max-ratio must be a number >= 1, e.g. 2$/],
    [["--max-ratio", "x"], /^--max-ratio must be a number >= 1/],
    [["--log", ""], /^--log needs a file name$/],
    [["--trusts"], /^--trusts needs a value$/],
    [["1000"], /^unexpected argument 1000$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseScalePlanArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
