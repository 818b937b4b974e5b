// Promise 9.7 (docs/guarantees.md). Fixtures are real `terraform show -json` output of Terraform 1.11.4 plans
// (fixtures/recorder/record.sh): plan-changes.json removes a trust (destroy), adds one (create), changes a ForceNew
// input (replace), keeps a resource and an output unchanged and changes another output; plan-no-changes.json is a
// plan of the applied configuration. Both carry the sensitive value "hunter2-credential" in their JSON.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { summarisePlans, summariseStack, type NamedPlan } from "./plan-summary.ts";

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8"));
const changes = fixture("plan-changes.json");
const noChanges = fixture("plan-no-changes.json");
const SECRET = "hunter2-credential";

describe("summariseStack on recorded plans", () => {
  it("counts a replace once as an add and once as a destroy, as Terraform does, and names every destroy and replace with its reason", () => {
    const summary = summariseStack({ name: "bus-0", plan: changes });
    expect(summary).toEqual({
      name: "bus-0",
      add: 3, // module.trust["R0A"] (2 created) + the replaced pipe
      change: 0,
      destroy: 3, // module.trust["RAJ123"] (2) + the replaced pipe
      destroyed: [
        { address: 'module.trust["RAJ123"].terraform_data.dlq', reason: "delete_because_no_module" },
        { address: 'module.trust["RAJ123"].terraform_data.pipe', reason: "delete_because_no_module" },
      ],
      replaced: [{ address: 'module.trust["RX1"].terraform_data.pipe', reason: "replace_because_cannot_update" }],
      created: ['module.trust["R0A"].terraform_data.dlq', 'module.trust["R0A"].terraform_data.pipe'],
      updated: [],
      forgotten: [],
      drifted: [],
      outputsChanged: ["trusts"],
      errored: false,
    });
  });

  it("reports a plan of the applied configuration as no changes", () => {
    expect(summariseStack({ name: "index", plan: noChanges })).toMatchObject({ add: 0, change: 0, destroy: 0, destroyed: [], replaced: [], outputsChanged: [], errored: false });
  });
});

describe("summarisePlans", () => {
  const plans: NamedPlan[] = [
    { name: "pipeline", plan: noChanges },
    { name: "bus-0", plan: changes },
    { name: "index", plan: noChanges },
  ];

  it("summarises any set of named plans in the order given and says changed when one of them changes anything", () => {
    const result = summarisePlans(plans, "prod");
    expect(result.stacks.map((stack) => stack.name)).toEqual(["pipeline", "bus-0", "index"]);
    expect(result.changed).toBe(true);
    expect(summarisePlans([plans[0]!, plans[2]!], "prod").changed).toBe(false);
  });

  it("writes one Markdown section per stack, warns about destroys first, and names each destroy and replace", () => {
    const { markdown } = summarisePlans(plans, "Plan for prod");
    const lines = markdown.split("\n");
    expect(lines[0]).toBe("## Plan for prod");
    expect(markdown).toContain("> 3 resource(s) destroyed or replaced");
    expect(lines).toContain("| bus-0 | 3 | 0 | 3 | 1 | `trusts` |");
    expect(lines).toContain("| pipeline | 0 | 0 | 0 | 0 | - |");
    expect(lines).toContain("### bus-0: 3 to add, 0 to change, 3 to destroy");
    expect(lines).toContain("### pipeline: no changes");
    expect(lines).toContain('- **destroy** `module.trust["RAJ123"].terraform_data.dlq` (delete_because_no_module)');
    expect(lines).toContain('- **replace** `module.trust["RX1"].terraform_data.pipe` (replace_because_cannot_update)');
    expect(markdown.indexOf("WARNING")).toBeLessThan(markdown.indexOf("| stack |"));
  });

  it("lists what a merge would create and update under each stack, by address", () => {
    const { markdown } = summarisePlans(plans, "prod");
    const section = markdown.slice(markdown.indexOf("### bus-0"), markdown.indexOf("### index"));
    expect(section).toContain('<details><summary>2 created, 0 updated</summary>');
    expect(section).toContain('- create `module.trust["R0A"].terraform_data.dlq`');
    expect(section).toContain('- create `module.trust["R0A"].terraform_data.pipe`');
    expect(section).not.toContain('- create `module.trust["RX1"].terraform_data.pipe`'); // replaced: listed as a replace, above
    expect(markdown.slice(markdown.indexOf("### pipeline"), markdown.indexOf("### bus-0"))).not.toContain("<details>");
  });

  it("lists at most 20 creates and 20 updates per stack, and says how many more", () => {
    const many = { format_version: "1.2", resource_changes: [
      ...Array.from({ length: 120 }, (_, i) => ({ address: `module.trust["T${i}"].aws_sqs_queue.dlq`, change: { actions: ["create"] } })),
      ...Array.from({ length: 51 }, (_, i) => ({ address: `module.trust["U${i}"].aws_sqs_queue.dlq`, change: { actions: ["update"] } })),
    ] };
    const lines = summarisePlans([{ name: "bus-3", plan: many }], "prod").markdown.split("\n");
    expect(lines.filter((line) => line.startsWith("- create "))).toHaveLength(20);
    expect(lines.filter((line) => line.startsWith("- update "))).toHaveLength(20);
    expect(lines).toContain("- ... and 100 more created");
    expect(lines).toContain("- ... and 31 more updated");
    expect(lines).toContain("<details><summary>120 created, 51 updated</summary>");
  });

  it("never prints a value from the plan: the sensitive variable in the JSON does not reach the summary", () => {
    expect(JSON.stringify(changes)).toContain(SECRET); // the fixture does carry it
    expect(summarisePlans(plans, "prod").markdown).not.toContain(SECRET);
    expect(summarisePlans(plans, "prod").markdown).not.toContain("trust-callbacks-test-R0A-dlq"); // nor any other value
  });

  it("says when nothing was planned", () => {
    expect(summarisePlans([], "test")).toEqual({ stacks: [], changed: false, markdown: "## test\n\nNo saved plans: nothing was planned." });
  });
});

describe("what a recorded plan cannot show: hand-made cases in the documented format", () => {
  const plan = (extra: Record<string, unknown>) => ({ format_version: "1.2", ...extra });

  it.each<[string, Record<string, unknown>, Partial<ReturnType<typeof summariseStack>>, boolean]>([
    ["create-before-destroy replace", { resource_changes: [{ address: "aws_pipes_pipe.source", action_reason: "replace_because_tainted", change: { actions: ["create", "delete"] } }] },
      { add: 1, destroy: 1, replaced: [{ address: "aws_pipes_pipe.source", reason: "replace_because_tainted" }] }, true],
    ["update in place", { resource_changes: [{ address: "aws_sqs_queue.dlq", change: { actions: ["update"] } }] }, { change: 1 }, true],
    ["a data source read only", { resource_changes: [{ address: "data.aws_region.current", change: { actions: ["read"] } }] }, { add: 0, change: 0, destroy: 0 }, false],
    ["forget", { resource_changes: [{ address: "aws_s3_bucket.old", change: { actions: ["forget"] } }] }, { forgotten: ["aws_s3_bucket.old"] }, true],
    ["drift with no change to apply", { resource_drift: [{ address: "aws_sqs_queue.dlq", change: { actions: ["update"] } }] }, { drifted: ["aws_sqs_queue.dlq"] }, true],
    ["an errored plan", { errored: true }, { errored: true }, true],
    ["no resource_changes at all", {}, { add: 0, change: 0, destroy: 0 }, false],
  ])("%s", (_name, document, expected, changed) => {
    expect(summariseStack({ name: "p", plan: plan(document) })).toMatchObject(expected);
    expect(summarisePlans([{ name: "p", plan: plan(document) }], "t").changed).toBe(changed);
  });

  it("flags an errored plan in the Markdown", () => {
    expect(summarisePlans([{ name: "pipeline", plan: plan({ errored: true }) }], "t").markdown).toContain("**The plan errored part way");
  });

  it.each<[string, unknown, RegExp]>([
    ["not a plan", { resources: [] }, /^bus-1: not the output of terraform show -json <plan>/],
    ["a plan with an unknown action", plan({ resource_changes: [{ address: "a.b", change: { actions: ["explode"] } }] }), /^bus-1: a\.b has actions \["explode"\]/],
    ["a change with no address", plan({ resource_changes: [{ change: { actions: ["create"] } }] }), /^bus-1: a resource change has no address$/],
    ["resource_changes not a list", plan({ resource_changes: {} }), /^bus-1: resource_changes is not a list$/],
  ])("refuses %s, naming the stack", (_name, document, message) => {
    expect(() => summariseStack({ name: "bus-1", plan: document })).toThrow(message);
  });
});
