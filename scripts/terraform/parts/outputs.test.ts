import { describe, expect, it } from "vitest";
import { busParts, mergeOutputs, pipelineVars, planScope, workspaceNames, type TerraformOutputs } from "./outputs.ts";

const output = (value: unknown, type: unknown = "dynamic") => ({ sensitive: false, type, value });
const inputs = (buses: number) => ({
  name_prefix: "trust-callbacks-prod",
  config_bucket: "trust-callbacks-prod-config",
  event_bus_names: Array.from({ length: buses }, (_, index) => `trust-callbacks-prod-callbacks-${index}`),
});
const pipelinePart: TerraformOutputs = {
  part: output("pipeline", "string"),
  part_inputs: output(inputs(2)),
  pipeline: output({ lambda_function_name: "trust-callbacks-prod-transform-filter", event_bus_names: inputs(2).event_bus_names }),
  rules_per_bus: output({ "0": 2, "1": 1 }),
  trusts: output({}, ["object", {}]),
};
const trust = (bus: number) => ({ event_bus_name: `trust-callbacks-prod-callbacks-${bus}`, dlq_url: "https://sqs.eu-west-2.amazonaws.com/333333333333/q", endpoints: {} });
const busPart = (bus: number, ids: string[]): TerraformOutputs => ({
  part: output(`bus-${bus}`, "string"),
  part_inputs: output(null),
  pipeline: output(null),
  rules_per_bus: output({ "0": 2, "1": 1 }),
  trusts: output(Object.fromEntries(ids.map((id) => [id, trust(bus)])), ["object", Object.fromEntries(ids.map((id) => [id, ["object", { dlq_url: "string" }]]))]),
});
const indexPart: TerraformOutputs = { part: output("index", "string"), trusts: output({}, ["object", {}]), pipeline: output(null) };

describe("the bus and index parts' variable", () => {
  it("is the pipeline part's part_inputs, or nothing before its first apply", () => {
    expect(pipelineVars(pipelinePart)).toEqual({ pipeline: inputs(2) });
    expect(pipelineVars({})).toBeNull();
    expect(pipelineVars(busPart(0, []))).toBeNull();
  });

  it("refuses outputs that are not the pipeline part's", () => {
    expect(() => pipelineVars({ part_inputs: output({ name_prefix: "x" }) })).toThrow(/no event_bus_names/);
  });
});

describe("which parts make plan plans", () => {
  const noOp = { actions: ["no-op"], before: inputs(2), after: inputs(2) };

  it("every part, pipeline first and index last, when the pipeline leaves the trusts' values as they are", () => {
    expect(planScope(noOp, ["default", "pipeline", "bus-0", "bus-1", "index"], "prod")).toEqual({ kind: "all", parts: ["pipeline", "bus-0", "bus-1", "index"] });
  });

  it("every bus of the count, workspaces or not, and every existing bus workspace past it (which destroys what it holds)", () => {
    expect(planScope(noOp, ["pipeline", "bus-0", "bus-11", "bus-3"], "prod").parts).toEqual(["pipeline", "bus-0", "bus-1", "bus-3", "bus-11", "index"]);
  });

  it("the pipeline alone before its first apply, saying so", () => {
    const scope = planScope({ actions: ["create"], before: null, after: inputs(2) }, ["default"], "prod");
    expect(scope).toMatchObject({ kind: "pipeline-only", parts: ["pipeline"] });
    expect(scope.kind === "pipeline-only" && scope.note).toMatch(/^the pipeline part has never been applied: .*make apply ENV=prod/);
    expect(planScope(undefined, ["default"], "prod").kind).toBe("pipeline-only");
  });

  it("the pipeline alone when its plan changes what the trusts are planned with (more buses, a replaced key)", () => {
    const more = planScope({ actions: ["update"], before: inputs(2), after: inputs(3) }, ["pipeline", "bus-0", "bus-1"], "prod");
    expect(more).toMatchObject({ kind: "pipeline-only", parts: ["pipeline"] });
    const key = planScope({ actions: ["update"], before: inputs(2), after: { ...inputs(2), kms_key_arn: null } }, ["pipeline"], "prod");
    expect(key.kind).toBe("pipeline-only");
  });

  it("the bus and index parts, not the pipeline, when the count shrinks: trusts leave the buses before they are removed", () => {
    const scope = planScope({ actions: ["update"], before: inputs(4), after: inputs(2) }, ["pipeline", "bus-0", "bus-1", "bus-2", "bus-3", "index"], "prod");
    expect(scope).toMatchObject({ kind: "shrink", parts: ["bus-0", "bus-1", "bus-2", "bus-3", "index"] });
    expect(scope.kind === "shrink" && scope.note).toMatch(/^event_buses.count shrinks from 4 to 2:/);
  });

  it("reads terraform workspace list", () => {
    expect(workspaceNames("  default\n* pipeline\n  bus-0\n\n")).toEqual(["default", "pipeline", "bus-0"]);
    expect(busParts(0, ["bus-x", "bus-01", "index"])).toEqual([]);
  });
});

describe("make output", () => {
  it("is one document shaped like a single state's: the pipeline's values and every bus part's trusts", () => {
    const merged = mergeOutputs([busPart(1, ["RX1"]), indexPart, pipelinePart, busPart(0, ["RB2", "RA1"])]);
    expect(Object.keys(merged).sort()).toEqual(["pipeline", "rules_per_bus", "trusts"]);
    expect(merged.pipeline).toEqual(pipelinePart.pipeline);
    expect(merged.rules_per_bus).toEqual(pipelinePart.rules_per_bus);
    expect(merged.trusts!.value).toEqual({ RA1: trust(0), RB2: trust(0), RX1: trust(1) });
    expect(Object.keys(merged.trusts!.value as object)).toEqual(["RA1", "RB2", "RX1"]);
    expect(merged.trusts!.type).toEqual(["object", { RA1: ["object", { dlq_url: "string" }], RB2: ["object", { dlq_url: "string" }], RX1: ["object", { dlq_url: "string" }] }]);
  });

  it("refuses a trust held by two parts, a missing or unapplied pipeline part, a part given twice and foreign outputs", () => {
    expect(() => mergeOutputs([pipelinePart, busPart(0, ["RA1"]), busPart(3, ["RA1"])])).toThrow(/^trust RA1 is in two parts, bus-0 and bus-3/);
    expect(() => mergeOutputs([busPart(0, ["RA1"])])).toThrow(/pipeline part has no outputs/);
    expect(() => mergeOutputs([{ part: output("pipeline") }])).toThrow(/pipeline part has no outputs/);
    expect(() => mergeOutputs([pipelinePart, pipelinePart])).toThrow(/part pipeline given twice/);
    expect(() => mergeOutputs([pipelinePart, {}])).toThrow(/no output part/);
  });
});
