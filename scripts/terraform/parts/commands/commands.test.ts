import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { printMerged } from "./merge.ts";
import { writePipelineVars } from "./pipeline-vars.ts";
import { printScope } from "./scope.ts";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "parts-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const file = (name: string, content: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
};
const partInputs = { name_prefix: "trust-callbacks-test", event_bus_names: ["trust-callbacks-test-callbacks-0"] };

describe("the parts helper's commands", () => {
  it("pipeline-vars writes what the bus stacks are planned with, and removes a stale one before the pipeline's first apply", () => {
    const out = join(dir, "pipeline.tfvars.json");
    writePipelineVars(file("applied.json", { trusts_stack_inputs: { sensitive: false, type: "dynamic", value: partInputs } }), out);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ pipeline: partInputs });
    writePipelineVars(file("never-applied.json", {}), out);
    expect(existsSync(out)).toBe(false);
  });

  it("scope prints the parts on one line, and why when not every part", () => {
    const lines: string[] = [];
    const notes: string[] = [];
    const plan = file("plan.json", { output_changes: { trusts_stack_inputs: { actions: ["no-op"], before: partInputs, after: partInputs } } });
    printScope("test", plan, file("workspaces.txt", "* default\n  bus-0\n"), (text) => lines.push(text), (text) => notes.push(text));
    expect(lines).toEqual(["pipeline bus-0"]);
    expect(notes).toEqual([]);
    printScope("test", file("first.json", { output_changes: { trusts_stack_inputs: { actions: ["create"], before: null, after: partInputs } } }), file("none.txt", "* default\n"), (text) => lines.push(text), (text) => notes.push(text));
    expect(lines.at(-1)).toBe("pipeline");
    expect(notes).toEqual([expect.stringMatching(/^the pipeline stack has never been applied/)]);
  });

  it("merge prints one document; an unreadable or malformed file is one line naming it", () => {
    const printed: string[] = [];
    const output = (value: unknown) => ({ sensitive: false, type: "dynamic", value });
    const pipeline = file("pipeline.json", { pipeline: output({ lambda_function_name: "f" }), rules_per_bus: output({ "0": 1 }) });
    const bus = file("bus-0.json", { bus: output(0), trusts: output({ RX1: { dlq_url: "q", event_bus_name: "b" } }) });
    printMerged([pipeline, bus], (text) => printed.push(text), () => {});
    expect(JSON.parse(printed[0]!).trusts.value).toEqual({ RX1: { dlq_url: "q", event_bus_name: "b" } });
    expect(() => printMerged([join(dir, "missing.json")], () => {}, () => {})).toThrow(/^cannot read .*missing\.json$/);
    expect(() => printMerged([file("bad.json", "{")], () => {}, () => {})).toThrow(/bad\.json is not JSON$/);
  });

  it("merge leaves out a part that was never applied (no outputs), naming it, and merges the rest", () => {
    const printed: string[] = [];
    const notes: string[] = [];
    const output = (value: unknown) => ({ sensitive: false, type: "dynamic", value });
    const pipeline = file("pipeline.json", { pipeline: output({ lambda_function_name: "f" }), rules_per_bus: output({ "0": 1, "1": 2 }) });
    const bus = file("bus-0.json", { bus: output(0), trusts: output({ RX1: { dlq_url: "q", event_bus_name: "b" } }) });
    printMerged([pipeline, bus, file("bus-1.json", {})], (text) => printed.push(text), (text) => notes.push(text));
    expect(notes).toEqual(["not applied yet, left out: bus-1"]);
    expect(Object.keys(JSON.parse(printed[0]!).trusts.value)).toEqual(["RX1"]);
    expect(() => printMerged([file("bus-2.json", {})], () => {}, () => {})).toThrow(/the pipeline stack has no outputs/);
  });
});
