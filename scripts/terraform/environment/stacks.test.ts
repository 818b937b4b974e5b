import { describe, expect, it } from "vitest";
import {
  busIndexOf,
  busMovesOf,
  busParts,
  drainSeconds,
  eventBusNameOf,
  indexTimingOf,
  mergeOutputs,
  moveCommands,
  pipelineState,
  pipelineVars,
  planScope,
  stateMoveSteps,
  trustMoves,
  trustsHeld,
  trustsMidMove,
  workspaceNames,
  type TerraformOutputs,
} from "./stacks.ts";

const output = (value: unknown, type: unknown = "dynamic") => ({ sensitive: false, type, value });
const inputs = (buses: number) => ({
  name_prefix: "trust-callbacks-prod",
  config_bucket: "trust-callbacks-prod-config",
  event_bus_names: Array.from({ length: buses }, (_, index) => `trust-callbacks-prod-callbacks-${index}`),
});
const pipelinePart: TerraformOutputs = {
  trusts_stack_inputs: output(inputs(2)),
  pipeline: output({ lambda_function_name: "trust-callbacks-prod-transform-filter", event_bus_names: inputs(2).event_bus_names }),
  rules_per_bus: output({ "0": 2, "1": 1 }),
};
const trust = (bus: number) => ({ event_bus_name: `trust-callbacks-prod-callbacks-${bus}`, dlq_url: "https://sqs.eu-west-2.amazonaws.com/333333333333/q", endpoints: {} });
const busPart = (bus: number, ids: string[]): TerraformOutputs => ({
  bus: output(bus, "number"),
  trusts: output(Object.fromEntries(ids.map((id) => [id, trust(bus)])), ["object", Object.fromEntries(ids.map((id) => [id, ["object", { dlq_url: "string" }]]))]),
});

describe("what the bus stacks are planned with", () => {
  it("is the pipeline stack's trusts_stack_inputs, or nothing before its first apply", () => {
    expect(pipelineVars(pipelinePart)).toEqual({ pipeline: inputs(2) });
    expect(pipelineVars({})).toBeNull();
    expect(pipelineVars(busPart(0, []))).toBeNull();
  });

  it("refuses outputs that are not the pipeline stack's", () => {
    expect(() => pipelineVars({ trusts_stack_inputs: output({ name_prefix: "x" }) })).toThrow(/no event_bus_names/);
  });
});

describe("each stack's state in the environment's backend", () => {
  it("tells the trusts stack where the pipeline's state is: the environment's backend, default workspace", () => {
    const backend = ['# comment', 'bucket       = "tfstate-111111111111"', 'key          = "trust-callbacks/prod.tfstate"', 'region       = "eu-west-2"', "encrypt      = true", 'kms_key_id   = "alias/tfstate" # the state key'].join("\n");
    expect(pipelineState(backend)).toEqual({ bucket: "tfstate-111111111111", key: "trust-callbacks/prod.tfstate", region: "eu-west-2", encrypt: "true", kms_key_id: "alias/tfstate" });
  });

  it("refuses a backend.hcl without bucket, key or region", () => {
    expect(() => pipelineState('bucket = "b"\nregion = "eu-west-2"')).toThrow(/no key/);
  });
});

describe("which parts make plan plans", () => {
  const noOp = { actions: ["no-op"], before: inputs(2), after: inputs(2) };

  it("every part, pipeline first, when the pipeline leaves the trusts' values as they are", () => {
    expect(planScope(noOp, ["default", "bus-0", "bus-1"], "prod")).toEqual({ kind: "all", parts: ["pipeline", "bus-0", "bus-1"] });
  });

  it("every bus of the count, workspaces or not, and every existing bus workspace past it (which destroys what it holds)", () => {
    expect(planScope(noOp, ["pipeline", "bus-0", "bus-11", "bus-3"], "prod").parts).toEqual(["pipeline", "bus-0", "bus-1", "bus-3", "bus-11"]);
  });

  it("the pipeline alone before its first apply, saying so", () => {
    const scope = planScope({ actions: ["create"], before: null, after: inputs(2) }, ["default"], "prod");
    expect(scope).toMatchObject({ kind: "pipeline-only", parts: ["pipeline"] });
    expect(scope.kind === "pipeline-only" && scope.note).toMatch(/^the pipeline stack has never been applied: .*make apply ENV=prod/);
    expect(planScope(undefined, ["default"], "prod").kind).toBe("pipeline-only");
  });

  it("the pipeline alone when its plan changes what the trusts are planned with (more buses, a replaced key)", () => {
    const more = planScope({ actions: ["update"], before: inputs(2), after: inputs(3) }, ["pipeline", "bus-0", "bus-1"], "prod");
    expect(more).toMatchObject({ kind: "pipeline-only", parts: ["pipeline"] });
    const key = planScope({ actions: ["update"], before: inputs(2), after: { ...inputs(2), kms_key_arn: null } }, ["pipeline"], "prod");
    expect(key.kind).toBe("pipeline-only");
  });

  it("the bus and index parts, not the pipeline, when the count shrinks: trusts leave the buses before they are removed", () => {
    const scope = planScope({ actions: ["update"], before: inputs(4), after: inputs(2) }, ["default", "bus-0", "bus-1", "bus-2", "bus-3"], "prod");
    expect(scope).toMatchObject({ kind: "shrink", parts: ["bus-0", "bus-1", "bus-2", "bus-3"] });
    expect(scope.kind === "shrink" && scope.note).toMatch(/^event_buses.count shrinks from 4 to 2:/);
  });

  it("reads terraform workspace list", () => {
    expect(workspaceNames("  default\n* pipeline\n  bus-0\n\n")).toEqual(["default", "pipeline", "bus-0"]);
    expect(busParts(0, ["bus-x", "bus-01", "default"])).toEqual([]);
  });
});

describe("make output", () => {
  it("is one document shaped like a single state's: the pipeline's values and every bus's trusts", () => {
    const merged = mergeOutputs([busPart(1, ["RX1"]), pipelinePart, busPart(0, ["RB2", "RA1"])]);
    expect(Object.keys(merged).sort()).toEqual(["pipeline", "rules_per_bus", "trusts"]);
    expect(merged.pipeline).toEqual(pipelinePart.pipeline);
    expect(merged.rules_per_bus).toEqual(pipelinePart.rules_per_bus);
    expect(merged.trusts!.value).toEqual({ RA1: trust(0), RB2: trust(0), RX1: trust(1) });
    expect(Object.keys(merged.trusts!.value as object)).toEqual(["RA1", "RB2", "RX1"]);
    expect(merged.trusts!.type).toEqual(["object", { RA1: ["object", { dlq_url: "string" }], RB2: ["object", { dlq_url: "string" }], RX1: ["object", { dlq_url: "string" }] }]);
  });

  it("refuses a trust held by two buses, a missing or unapplied pipeline stack, a part given twice and foreign outputs", () => {
    expect(() => mergeOutputs([pipelinePart, busPart(0, ["RA1"]), busPart(3, ["RA1"])])).toThrow(/^trust RA1 is in two parts, bus-0 and bus-3/);
    expect(() => mergeOutputs([busPart(0, ["RA1"])])).toThrow(/pipeline stack has no outputs/);
    expect(() => mergeOutputs([{ pipeline: output({}) }])).toThrow(/pipeline stack has no outputs/);
    expect(() => mergeOutputs([pipelinePart, pipelinePart])).toThrow(/part pipeline given twice/);
    expect(() => mergeOutputs([pipelinePart, busPart(2, []), busPart(2, [])])).toThrow(/part bus-2 given twice/);
    expect(() => mergeOutputs([pipelinePart, {}])).toThrow(/no output pipeline or bus/);
  });
});

describe("trusts whose state must move before the bus stacks are planned", () => {
  it("hash an ODS code to a bus as the stacks do (bus_index_of; stacks/trusts/tests/trusts.tftest.hcl pins RB2 -> 0, RA1 and RC3 -> 1 of 4)", () => {
    expect(["RA1", "RB2", "RC3"].map((id) => busIndexOf(id, 4))).toEqual([1, 0, 1]);
    expect(busIndexOf("RX1", 12)).toBe(10);
  });

  it("read the trusts a part holds from terraform state list", () => {
    const list = 'module.trust["RA1"].aws_sqs_queue.dlq\nmodule.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this\nmodule.trust["RC3"].aws_s3_object.subscription\n';
    expect(trustsHeld(list)).toEqual(["RA1", "RC3"]);
    expect(trustsHeld("")).toEqual([]);
  });

  it("none when every trust is in the part of its bus; each one that is not, after the count changed", () => {
    expect(trustMoves(new Map([["bus-0", ["RB2"]], ["bus-1", ["RA1", "RC3"]]]), 4)).toEqual([]);
    expect(trustMoves(new Map([["bus-0", ["RA1", "RB2", "RC3"]]]), 4)).toEqual([
      { trust: "RA1", from: "bus-0", to: "bus-1" },
      { trust: "RC3", from: "bus-0", to: "bus-1" },
    ]);
    expect(trustMoves(new Map([["bus-1", ["RA1"]], ["bus-3", ["RB2"]]]), 1)).toEqual([
      { trust: "RA1", from: "bus-1", to: "bus-0" },
      { trust: "RB2", from: "bus-3", to: "bus-0" },
    ]);
  });

  it("refuse a trust held by two parts", () => {
    expect(() => trustMoves(new Map([["bus-0", ["RA1"]], ["bus-1", ["RA1"]]]), 4)).toThrow(/^trust RA1 is in two parts' states, bus-0 and bus-1/);
  });

  it("print the state moves, one pull and push per pair of parts, each endpoint's rule and target renamed to previous[0]", () => {
    const list = ['module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this', 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.this', 'module.trust["RA1"].aws_sqs_queue.dlq', 'module.trust["RC3"].aws_sqs_queue.dlq'].join("\n");
    const steps = stateMoveSteps([{ trust: "RA1", from: "bus-0", to: "bus-1" }, { trust: "RC3", from: "bus-0", to: "bus-1" }], new Map([["bus-0", list]]));
    expect(moveCommands(steps, "prod")).toEqual([
      "cd infrastructure/terraform/stacks/trusts && export TF_DATA_DIR=.terraform-prod",
      "terraform workspace new bus-1 2>/dev/null; TF_WORKSPACE=bus-0 terraform state pull > bus-0.tfstate && TF_WORKSPACE=bus-1 terraform state pull > bus-1.tfstate; [ -s bus-1.tfstate ] || rm bus-1.tfstate",
      `terraform state mv -state=bus-0.tfstate -state-out=bus-1.tfstate 'module.trust["RA1"]' 'module.trust["RA1"]'`,
      `terraform state mv -state=bus-0.tfstate -state-out=bus-1.tfstate 'module.trust["RC3"]' 'module.trust["RC3"]'`,
      `terraform state mv -state=bus-1.tfstate 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this' 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0]'`,
      `terraform state mv -state=bus-1.tfstate 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.this' 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.previous[0]'`,
      "TF_WORKSPACE=bus-1 terraform state push bus-1.tfstate && TF_WORKSPACE=bus-0 terraform state push bus-0.tfstate",
    ]);
  });
});

// Promise 8.10. Cases: state moved (rules at previous[0]) → mid-move, by the trust, with the address whose bus it
// leaves; state not moved or finished (rules at `this` only) → not mid-move; index timing → the wait after round 1:
// TTL at its most jittered (x 1.2, rounded up) + stale bound + function timeout; no index_timing output → refused.
describe("bus moves", () => {
  it("find the trusts mid-move in a part's state: those with a rule at previous[0]", () => {
    const list = [
      'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0]',
      'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.previous[0]',
      'module.trust["RA1"].module.endpoint["pas"].aws_cloudwatch_event_rule.previous[0]',
      'module.trust["RB2"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this',
      'module.trust["RC3"].module.endpoint["bi"].aws_cloudwatch_event_target.previous[0]',
    ].join("\n");
    expect([...trustsMidMove(list)]).toEqual([["RA1", 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0]']]);
    expect(trustsMidMove("").size).toBe(0);
  });

  it("read a rule's bus from terraform state show", () => {
    const shown = '# module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0]:\nresource "aws_cloudwatch_event_rule" "previous" {\n    arn            = "arn:aws:events:eu-west-2:1:rule/b/x"\n    event_bus_name = "trust-callbacks-prod-callbacks-3"\n}\n';
    expect(eventBusNameOf(shown)).toBe("trust-callbacks-prod-callbacks-3");
    expect(() => eventBusNameOf("")).toThrow(/no event_bus_name/);
  });

  it("give every bus stack the same round-1 input: per moving trust, the bus indexes it leaves and joins", () => {
    expect(busMovesOf([{ trust: "RC3", from: "bus-10", to: "bus-2" }, { trust: "RA1", from: "bus-0", to: "bus-1" }])).toEqual({ RA1: { from: 0, to: 1 }, RC3: { from: 10, to: 2 } });
  });

  it("wait out the TTL at its most jittered, the stale bound and one batch after round 1", () => {
    const outputs = { index_timing: { sensitive: false, type: "dynamic", value: { subscription_ttl_seconds: 60, subscription_index_max_stale_seconds: 300, lambda_timeout_seconds: 60 } } };
    expect(drainSeconds(indexTimingOf(outputs))).toBe(72 + 300 + 60);
    expect(drainSeconds({ subscription_ttl_seconds: 7, subscription_index_max_stale_seconds: 0, lambda_timeout_seconds: 10 })).toBe(9 + 0 + 10);
    expect(() => indexTimingOf({})).toThrow(/no output index_timing/);
    expect(() => indexTimingOf({ index_timing: { sensitive: false, type: "dynamic", value: { subscription_ttl_seconds: 60 } } })).toThrow(/no output index_timing/);
  });
});
