// make plan|apply|output|destroy ENV=<env> (scripts/terraform/environment.ts) against a stand-in terraform on PATH that
// records every call with its part (pipeline: the pipeline stack; bus-<i>: the trusts stack's workspace) and answers
// from files: the order of parts, what each is planned with, and where the script stops. (The real terraform and backend are exercised by `make plan` against AWS only.)
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CLI = resolve(import.meta.dirname, "../environment.ts");
const TSX = resolve(import.meta.dirname, "../../../node_modules/.bin/tsx");
const FAKE_TERRAFORM = `#!/usr/bin/env bash
set -euo pipefail
stack=none
case "$1" in
  -chdir=*) stack="\${1##*/}"; shift ;;
esac
# The part: the pipeline stack (one state), or the trusts stack's workspace.
part="\${TF_WORKSPACE:-none}"
[[ "$stack" == pipeline ]] && part=pipeline
echo "$part $stack $*" >> "$STUB/calls"
args=" $* "
case "$1" in
  init) exit 0 ;;
  workspace)
    if [[ "$2" == list ]]; then echo "* default"; sed 's/^/  /' "$STUB/workspaces" 2>/dev/null || true; exit 0; fi
    if [[ "$2" == new ]]; then echo "$3" >> "$STUB/workspaces"; exit 0; fi ;;
  output) cat "$STUB/outputs-$part.json" 2>/dev/null || echo "{}"; exit 0 ;;
  state)
    # A state is a text file of "<address> [<event_bus_name>]" lines: list prints the addresses, show one's bus,
    # pull the file, push replaces it; mv moves (-state-out) or renames the lines under an address.
    case "$2" in
      list) { cut -d' ' -f1 "$STUB/state-$part.txt" 2>/dev/null || true; }; exit 0 ;;
      pull) cat "$STUB/state-$part.txt" 2>/dev/null || true; exit 0 ;;
      push) cp "$3" "$STUB/state-$part.txt"; exit 0 ;;
      show) awk -v a="\${@: -1}" '$1 == a { print "    event_bus_name = \\"" $2 "\\"" }' "$STUB/state-$part.txt"; exit 0 ;;
      mv)
        src=""; dst=""
        for arg in "$@"; do case "$arg" in -state=*) src="\${arg#-state=}" ;; -state-out=*) dst="\${arg#-state-out=}" ;; esac; done
        from="\${@: -2:1}"; to="\${@: -1}"
        [[ -n "$dst" ]] || dst="$src"
        touch "$dst"
        awk -v a="$from" -v b="$to" 'index($1, a) == 1 && (length($1) == length(a) || substr($1, length(a) + 1, 1) == ".") { $1 = b substr($1, length(a) + 1); print }' "$src" > "$src.moved"
        awk -v a="$from" '!(index($1, a) == 1 && (length($1) == length(a) || substr($1, length(a) + 1, 1) == "."))' "$src" > "$src.kept"
        if [[ "$dst" == "$src" ]]; then cat "$src.kept" "$src.moved" > "$src"; else mv "$src.kept" "$src"; cat "$src.moved" >> "$dst"; fi
        rm -f "$src.moved" "$src.kept"; exit 0 ;;
    esac ;;
  plan)
    for arg in "$@"; do [[ "$arg" == -out=* ]] && touch "\${arg#-out=}"; done
    for arg in "$@"; do [[ "$arg" == -var-file=*pipeline-state* ]] && cp "\${arg#-var-file=}" "$STUB/pipeline-state-$part.json"; done
    for arg in "$@"; do [[ "$arg" == -var-file=*bus-moves* ]] && cp "\${arg#-var-file=}" "$STUB/bus-moves-$part.json"; done
    [[ "$args" == *" -detailed-exitcode "* && -f "$STUB/changes-$part" ]] && exit 2
    exit 0 ;;
  show) cat "$STUB/pipeline-plan.json"; exit 0 ;;
  apply)
    if [[ "$part" == pipeline && -f "$STUB/outputs-after-apply.json" ]]; then cp "$STUB/outputs-after-apply.json" "$STUB/outputs-pipeline.json"; fi
    exit 0 ;;
esac
echo "stub terraform: unexpected $*" >&2
exit 9
`;

const output = (value: unknown) => ({ sensitive: false, type: "dynamic", value });
const inputs = (kmsKey = "arn:aws:kms:eu-west-2:111111111111:key/1") => ({ name_prefix: "trust-callbacks-test", kms_key_arn: kmsKey, event_bus_names: ["trust-callbacks-test-callbacks-0"] });
const pipelineOutputs = (kmsKey?: string) => ({ trusts_stack_inputs: output(inputs(kmsKey)), pipeline: output({ lambda_function_name: "f" }), rules_per_bus: output({ "0": 3 }) });

let stub: string;
let build: string;
beforeEach(() => {
  stub = mkdtempSync(join(tmpdir(), "environment-sh-"));
  build = join(stub, "build");
  mkdirSync(join(stub, "bin"));
  writeFileSync(join(stub, "bin", "terraform"), FAKE_TERRAFORM);
  chmodSync(join(stub, "bin", "terraform"), 0o755);
});
afterEach(() => {
  rmSync(stub, { recursive: true, force: true });
  extraEnv = {};
});

let extraEnv: Record<string, string> = {};
function environment(command: string, env = "test", extra: string[] = [], input?: string) {
  const result = spawnSync(TSX, [CLI, command, "--env", env, ...extra], {
    encoding: "utf8",
    ...(input !== undefined ? { input } : {}),
    env: { ...process.env, PATH: `${join(stub, "bin")}:${process.env.PATH}`, STUB: stub, ENVIRONMENT_BUILD_DIR: build, TF_PROVIDER_MIRROR: "registry", ENVIRONMENT_FAKE_SLEEP: join(stub, "calls"), ...extraEnv },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
const calls = () => (existsSync(join(stub, "calls")) ? readFileSync(join(stub, "calls"), "utf8").trim().split("\n") : []);
const of = (verb: string) => calls().filter((call) => call.split(" ").some((word) => word === verb));
const stubFile = (name: string, content: unknown) => writeFileSync(join(stub, name), JSON.stringify(content));
const twoBuses = { ...inputs(), event_bus_names: ["trust-callbacks-test-callbacks-0", "trust-callbacks-test-callbacks-1"] };
const noChange = { output_changes: { trusts_stack_inputs: { actions: ["no-op"], before: inputs(), after: inputs() } } };

describe("make plan / apply / output ENV=<env> over the two stacks", () => {
  it("plans the pipeline alone before its first apply, says so in one line, and applies it alone", () => {
    stubFile("pipeline-plan.json", { output_changes: { trusts_stack_inputs: { actions: ["create"], before: null, after: inputs() } } });
    const plan = environment("plan");
    expect(plan.status).toBe(0);
    expect(plan.stderr).toMatch(/^the pipeline stack has never been applied: planning it alone; after `make apply ENV=test`/m);
    expect(of("plan").map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual(["pipeline pipeline"]);
    // Both stacks on the environment's backend and key: the pipeline stack's default workspace, the buses' bus-<i>.
    expect(of("init").map((call) => call.split(" ")[1] + " " + call.split(" ").filter((word) => word.startsWith("-backend-config=")).join(" "))).toEqual([
      "pipeline -backend-config=../../environments/test/backend.hcl",
      "trusts -backend-config=../../environments/test/backend.hcl",
    ]);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline");

    stubFile("outputs-after-apply.json", pipelineOutputs());
    const apply = environment("apply");
    expect(apply.status).toBe(0);
    expect(of("apply")).toEqual([expect.stringMatching(/^pipeline .*apply -input=false .*pipeline\.tfplan$/)]);
    expect(JSON.parse(readFileSync(join(build, "pipeline.tfvars.json"), "utf8"))).toEqual({ pipeline: inputs() });
  });

  it("plans the pipeline stack, then each bus's trusts stack in its own workspace reading the pipeline's state, and applies them in order", () => {
    stubFile("outputs-pipeline.json", pipelineOutputs());
    stubFile("pipeline-plan.json", noChange);
    const plan = environment("plan");
    expect(plan.status).toBe(0);
    expect(of("plan").map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual(["pipeline pipeline", "bus-0 trusts"]);
    expect(of("plan").join("\n")).not.toContain("part=");
    expect(JSON.parse(readFileSync(join(stub, "pipeline-state-bus-0.json"), "utf8"))).toEqual({
      pipeline_state: { bucket: "trust-callbacks-tfstate-111111111111", key: "trust-callbacks/test.tfstate", region: "eu-west-2", encrypt: "true", kms_key_id: "alias/trust-callbacks-tfstate", use_lockfile: "true" },
    });
    expect(readFileSync(join(stub, "workspaces"), "utf8").trim().split("\n")).toEqual(["bus-0"]); // created by make plan

    stubFile("outputs-after-apply.json", pipelineOutputs());
    const apply = environment("apply");
    expect(apply.status).toBe(0);
    expect(of("apply").map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual(["pipeline pipeline", "bus-0 trusts"]);
    expect(environment("apply").status).toBe(2); // the plans are used up
  });

  it("stops before the bus parts when the pipeline's outputs came out different from what they were planned with", () => {
    stubFile("outputs-pipeline.json", pipelineOutputs());
    stubFile("pipeline-plan.json", noChange);
    expect(environment("plan").status).toBe(0);
    stubFile("outputs-after-apply.json", pipelineOutputs("arn:aws:kms:eu-west-2:111111111111:key/2"));
    const apply = environment("apply");
    expect(apply.status).toBe(1);
    expect(apply.stderr).toMatch(/^the pipeline stack's outputs are not what the bus stacks were planned with \(changed by this apply or another since the plan\): their plans are stale; make plan ENV=test again$/m);
    expect(of("apply").map((call) => call.split(" ")[0])).toEqual(["pipeline"]);
  });

  it("when the bus count shrinks, plans the bus stacks (those past the count too), not the pipeline", () => {
    stubFile("outputs-pipeline.json", { ...pipelineOutputs(), trusts_stack_inputs: output(twoBuses) });
    stubFile("pipeline-plan.json", { output_changes: { trusts_stack_inputs: { actions: ["update"], before: twoBuses, after: inputs() } } });
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    writeFileSync(join(stub, "changes-bus-0"), ""); // the moved trusts' rules go to bus 0
    const plan = environment("plan");
    expect(plan.status).toBe(0);
    expect(plan.stderr).toMatch(/^event_buses.count shrinks from 2 to 1:/m);
    expect(of("plan").map((call) => call.split(" ")[0])).toEqual(["pipeline", "bus-0", "bus-1"]);
    expect(existsSync(join(build, "pipeline.tfplan"))).toBe(false);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("bus-0 bus-1");
  });

  it("after a shrink's first round (its bus plans change nothing now), plans and applies the pipeline alone, which removes the buses", () => {
    stubFile("outputs-pipeline.json", { ...pipelineOutputs(), trusts_stack_inputs: output(twoBuses) });
    stubFile("pipeline-plan.json", { output_changes: { trusts_stack_inputs: { actions: ["update"], before: twoBuses, after: inputs() } } });
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    const plan = environment("plan"); // no part but the pipeline has changes left
    expect(plan.status).toBe(0);
    expect(plan.stderr).toMatch(/^the bus stacks are already on the new event_buses.count: planning the pipeline stack, which removes the buses past it$/m);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline");
    expect(existsSync(join(build, "pipeline.tfplan"))).toBe(true);
    expect(existsSync(join(build, "bus-0.tfplan"))).toBe(false);
    stubFile("outputs-after-apply.json", pipelineOutputs());
    expect(environment("apply").status).toBe(0);
    expect(of("apply").map((call) => call.split(" ")[0])).toEqual(["pipeline"]);
  });

  it("in a shrink's first round, stops before the bus parts when someone applied the pipeline since the plan", () => {
    stubFile("outputs-pipeline.json", { ...pipelineOutputs(), trusts_stack_inputs: output(twoBuses) });
    stubFile("pipeline-plan.json", { output_changes: { trusts_stack_inputs: { actions: ["update"], before: twoBuses, after: inputs() } } });
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    writeFileSync(join(stub, "changes-bus-0"), "");
    expect(environment("plan").status).toBe(0);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("bus-0 bus-1");
    stubFile("outputs-pipeline.json", { ...pipelineOutputs("arn:aws:kms:eu-west-2:111111111111:key/2"), trusts_stack_inputs: output({ ...twoBuses, kms_key_arn: "arn:aws:kms:eu-west-2:111111111111:key/2" }) });
    const apply = environment("apply");
    expect(apply.status).toBe(1);
    expect(apply.stderr).toMatch(/their plans are stale; make plan ENV=test again$/m);
    expect(of("apply")).toEqual([]);
  });

  it("under the read-only role, refuses to plan the bus stacks while a trust's state is in another bus's stack than its own, printing the moves", () => {
    stubFile("outputs-pipeline.json", pipelineOutputs());
    stubFile("pipeline-plan.json", noChange);
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-2\n");
    writeFileSync(join(stub, "state-bus-2.txt"), 'module.trust["RA1"].aws_sqs_queue.dlq\n');
    extraEnv = { TF_CLI_ARGS_plan: "-lock=false" };
    const plan = environment("plan");
    expect(plan.status).toBe(1);
    expect(plan.stderr).toMatch(/^event_buses.count changed: 1 trust moves to another bus \(RA1: bus-2 -> bus-0\), in two rounds\.$/m);
    expect(plan.stderr).toContain(`terraform state mv -state=bus-2.tfstate -state-out=bus-0.tfstate 'module.trust["RA1"]' 'module.trust["RA1"]'`);
    expect(of("plan").map((call) => call.split(" ")[0])).toEqual(["pipeline"]);
    expect(existsSync(join(build, "parts"))).toBe(false);
  });

  it("merges the pipeline stack's and every bus's outputs into one document; refuses an unknown environment", () => {
    stubFile("outputs-pipeline.json", pipelineOutputs());
    stubFile("outputs-bus-0.json", { bus: output(0), trusts: output({ RX1: { dlq_url: "q", event_bus_name: "trust-callbacks-test-callbacks-0" } }) });
    writeFileSync(join(stub, "workspaces"), "bus-0\n");
    const merged = environment("output");
    expect(merged.status).toBe(0);
    expect(Object.keys(JSON.parse(merged.stdout)).sort()).toEqual(["pipeline", "rules_per_bus", "trusts"]);
    expect(JSON.parse(merged.stdout).trusts.value.RX1.dlq_url).toBe("q");
    const unknown = environment("plan", "nope");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^usage: make plan ENV=<one of: prod staging test> /m);
  });
});

describe("make destroy ENV=<env>", () => {
  const stacks = () => of("apply").map((call) => call.split(" ").slice(0, 2).join(" "));

  it("plans the destruction of every bus, highest first, then the pipeline, and applies exactly those plans in that order once the name is typed", () => {
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-2\nbus-1\n");
    const destroyed = environment("destroy", "test", [], "test\n");
    expect(destroyed.status, destroyed.stderr).toBe(0);
    expect(of("plan").map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual(["bus-2 trusts", "bus-1 trusts", "bus-0 trusts", "pipeline pipeline"]);
    expect(of("plan").every((call) => call.includes(" plan -destroy "))).toBe(true);
    expect(stacks()).toEqual(["bus-2 trusts", "bus-1 trusts", "bus-0 trusts", "pipeline pipeline"]);
    expect(of("apply").map((call) => call.split("/").at(-1))).toEqual(["destroy-bus-2.tfplan", "destroy-bus-1.tfplan", "destroy-bus-0.tfplan", "destroy-pipeline.tfplan"]);
  });

  it("destroys nothing when the typed name is not the environment's, or nothing is typed", () => {
    writeFileSync(join(stub, "workspaces"), "bus-0\n");
    const wrong = environment("destroy", "test", [], "staging\n");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/not confirmed \(typed "staging", not test\): nothing destroyed$/m);
    expect(environment("destroy", "test", [], "").status).toBe(1);
    expect(of("apply")).toEqual([]);
    expect(existsSync(join(build, "destroy-bus-0.tfplan"))).toBe(false);
  });

  it("takes the typed confirmation as --confirm ENV (CONFIRM=ENV), and refuses a wrong one", () => {
    expect(environment("destroy", "test", ["--confirm", "staging"]).status).toBe(1);
    expect(of("apply")).toEqual([]);
    expect(environment("destroy", "test", ["--confirm", "test"]).status).toBe(0);
    expect(stacks()).toEqual(["pipeline pipeline"]);
  });

  it("refuses prod without --allow-prod before touching terraform, and destroys it with the flag and the name", () => {
    const refused = environment("destroy", "prod", ["--confirm", "prod"]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/^refusing to destroy prod: it is protected; if you mean it, make destroy ENV=prod ALLOW_PROD=1$/m);
    expect(calls()).toEqual([]);
    expect(environment("destroy", "prod", ["--confirm", "prod", "--allow-prod"]).status).toBe(0);
    expect(stacks()).toEqual(["pipeline pipeline"]);
  });
});

// Promise 8.10: a change of event_buses.count loses no callback. Table, from the promise (RA1 and RC3 hash to bus 0 of 1
// and to bus 1 of 4, RB2 to bus 0 of both; index timing: TTL 10 s, stale bound 20 s, timeout 30 s → wait
// ceil(10 x 1.2) + 20 + 30 = 62 s):
//   make plan, state not moved yet        → states pulled, trusts moved with their old rules and targets at previous[0],
//                                           pushed (new bus's first), then round 1 planned: every bus with bus_moves,
//                                           highest first; says it is round 1 of 2 and what round 2 does
//   make plan, read-only (plan-readonly)  → nothing pushed, nothing planned: the procedure and its commands printed
//   make apply of round 1                 → the buses applied highest first, then the wait, then round 2 planned
//                                           (no bus_moves), not applied
//   make apply again                      → round 2 applied (the old rules go), the move finished
//   interrupted during the wait, make apply again → the wait again (never less), then round 2 planned
//   elsewhere (no local record), make plan → round 1 planned again to check it changes nothing, the full wait, round 2
//   round 1 not finished (a bus still has changes), make plan → round 1 planned again, no wait, no round 2
describe("a change of event_buses.count (promise 8.10)", () => {
  const fourBuses = { ...inputs(), event_bus_names: [0, 1, 2, 3].map((index) => `trust-callbacks-test-callbacks-${index}`) };
  const timing = { subscription_ttl_seconds: 10, subscription_index_max_stale_seconds: 20, lambda_timeout_seconds: 30 };
  const bus0 = "trust-callbacks-test-callbacks-0";
  const heldByBus0 = [
    'module.trust["RA1"].aws_sqs_queue.dlq',
    `module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this ${bus0}`,
    'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.this',
    'module.trust["RB2"].aws_sqs_queue.dlq',
    `module.trust["RB2"].module.endpoint["pas"].aws_cloudwatch_event_rule.this ${bus0}`,
    'module.trust["RB2"].module.endpoint["pas"].aws_cloudwatch_event_target.this',
    `module.trust["RC3"].module.endpoint["bi"].aws_cloudwatch_event_rule.this ${bus0}`,
    'module.trust["RC3"].module.endpoint["bi"].aws_cloudwatch_event_target.this',
    "aws_s3_object.subscription_index_shard[0]",
  ];
  const state = (part: string) => readFileSync(join(stub, `state-${part}.txt`), "utf8").trim().split("\n").sort();
  const grown = () => {
    stubFile("outputs-pipeline.json", { ...pipelineOutputs(), trusts_stack_inputs: output(fourBuses), index_timing: output(timing) });
    stubFile("pipeline-plan.json", { output_changes: { trusts_stack_inputs: { actions: ["no-op"], before: fourBuses, after: fourBuses } } });
    writeFileSync(join(stub, "workspaces"), "bus-0\n");
    writeFileSync(join(stub, "state-bus-0.txt"), `${heldByBus0.join("\n")}\n`);
    stubFile("outputs-after-apply.json", { ...pipelineOutputs(), trusts_stack_inputs: output(fourBuses), index_timing: output(timing) });
  };
  const busPlans = () => of("plan").filter((call) => call.startsWith("bus-"));
  const withMoves = (call: string) => call.includes("bus-moves.tfvars.json");
  const index = (match: (call: string) => boolean) => calls().findIndex(match);
  const lastIndex = (match: (call: string) => boolean) => calls().findLastIndex(match);
  const movedState = [
    'module.trust["RA1"].aws_sqs_queue.dlq',
    `module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0] ${bus0}`,
    'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_target.previous[0]',
    `module.trust["RC3"].module.endpoint["bi"].aws_cloudwatch_event_rule.previous[0] ${bus0}`,
    'module.trust["RC3"].module.endpoint["bi"].aws_cloudwatch_event_target.previous[0]',
  ].sort();

  it("make plan moves the trusts' state (old rules and targets to previous[0]) before any bus plan, then plans round 1 on both buses, highest bus first", () => {
    grown();
    const plan = environment("plan");
    expect(plan.status, plan.stderr).toBe(0);
    expect(state("bus-1")).toEqual(movedState);
    expect(state("bus-0")).toEqual(heldByBus0.filter((line) => !/RA1|RC3/.test(line)).sort());
    // Pushed: the new bus's state first (until the old one's push the trust is in both, never in none).
    const pushes = of("push").map((call) => call.split(" ")[0]);
    expect(pushes).toEqual(["bus-1", "bus-0"]);
    expect(lastIndex((call) => call.includes(" state push "))).toBeLessThan(index((call) => call.startsWith("bus-") && call.includes(" plan ")));
    expect(busPlans().map((call) => call.split(" ")[0])).toEqual(["bus-3", "bus-2", "bus-1", "bus-0"]);
    expect(busPlans().every(withMoves)).toBe(true);
    expect(JSON.parse(readFileSync(join(stub, "bus-moves-bus-1.json"), "utf8"))).toEqual({ bus_moves: { RA1: { from: 0, to: 1 }, RC3: { from: 0, to: 1 } } });
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline bus-3 bus-2 bus-1 bus-0");
    expect(plan.stderr).toMatch(/^event_buses.count changed: 2 trusts move to another bus \(RA1: bus-0 -> bus-1, RC3: bus-0 -> bus-1\), in two rounds\./m);
    expect(plan.stderr).toMatch(/^round 1 of 2 \(these plans\): .*; `make apply ENV=test` applies it, waits 62 s .* and plans round 2$/m);
    expect(plan.stderr).toMatch(/^round 2 of 2: removes the moved trusts' rules from their old buses/m);
  });

  it("make plan under the read-only role moves nothing and plans no bus: it prints the two rounds and the state moves", () => {
    grown();
    extraEnv = { TF_CLI_ARGS_plan: "-lock=false" };
    const plan = environment("plan");
    expect(plan.status).toBe(1);
    expect(of("push")).toEqual([]);
    expect(busPlans()).toEqual([]);
    expect(plan.stderr).toMatch(/needs the state lock/);
    expect(plan.stderr).toContain(`terraform state mv -state=bus-1.tfstate 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this' 'module.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.previous[0]'`);
  });

  it("make apply applies round 1 highest bus first, waits, and only then plans round 2 (no bus_moves), which the next make apply applies", () => {
    grown();
    expect(environment("plan").status).toBe(0);
    const apply = environment("apply");
    expect(apply.status, apply.stderr).toBe(0);
    expect(of("apply").map((call) => call.split(" ")[0])).toEqual(["pipeline", "bus-3", "bus-2", "bus-1", "bus-0"]);
    const sleep = index((call) => call === "sleep 62");
    expect(sleep).toBeGreaterThan(lastIndex((call) => call.includes(" apply ")));
    const roundTwo = calls().slice(sleep).filter((call) => call.startsWith("bus-") && call.includes(" plan "));
    expect(roundTwo.map((call) => call.split(" ")[0])).toEqual(["bus-0", "bus-1", "bus-2", "bus-3"]);
    expect(roundTwo.some(withMoves)).toBe(false);
    expect(calls().slice(0, sleep).filter((call) => call.startsWith("bus-") && call.includes(" plan ") && !withMoves(call))).toEqual([]);
    expect(apply.stderr).toMatch(/^round 2 of 2 planned: .*make apply ENV=test applies it$/m);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline bus-0 bus-1 bus-2 bus-3");

    // Round 2: Terraform removes the rules at previous[0]; the move is over.
    writeFileSync(join(stub, "calls"), "");
    writeFileSync(join(stub, "state-bus-1.txt"), `${movedState.filter((line) => !line.includes("previous")).join("\n")}\n`);
    const second = environment("apply");
    expect(second.status, second.stderr).toBe(0);
    expect(of("apply").map((call) => call.split(" ")[0])).toEqual(["pipeline", "bus-0", "bus-1", "bus-2", "bus-3"]);
    expect(calls().filter((call) => call.startsWith("sleep"))).toEqual([]);
    expect(existsSync(join(build, "bus-move.json"))).toBe(false);
  });

  it("interrupted during the wait, make apply again waits again (never less) before it plans round 2", () => {
    grown();
    expect(environment("plan").status).toBe(0);
    writeFileSync(join(stub, "calls.interrupt"), "");
    const interrupted = environment("apply");
    expect(interrupted.status).not.toBe(0);
    expect(calls().filter((call) => call.startsWith("bus-") && call.includes(" plan ") && !withMoves(call))).toEqual([]);
    writeFileSync(join(stub, "calls"), "");
    const resumed = environment("apply");
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(of("apply")).toEqual([]);
    const sleep = index((call) => /^sleep \d+$/.test(call));
    expect(Number(calls()[sleep]!.split(" ")[1])).toBeGreaterThanOrEqual(60);
    const roundTwo = calls().filter((call) => call.startsWith("bus-") && call.includes(" plan "));
    expect(roundTwo.length).toBe(4);
    expect(roundTwo.some(withMoves)).toBe(false);
    expect(index((call) => call.startsWith("bus-") && call.includes(" plan "))).toBeGreaterThan(sleep);
  });

  it("elsewhere (no record of round 1), make plan checks round 1 changes nothing, waits the full time, then plans round 2", () => {
    grown();
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    writeFileSync(join(stub, "state-bus-0.txt"), `${heldByBus0.filter((line) => !/RA1|RC3/.test(line)).join("\n")}\n`);
    writeFileSync(join(stub, "state-bus-1.txt"), `${movedState.join("\n")}\nmodule.trust["RA1"].module.endpoint["ehr"].aws_cloudwatch_event_rule.this\n`);
    const plan = environment("plan");
    expect(plan.status, plan.stderr).toBe(0);
    const sleep = index((call) => call === "sleep 62");
    expect(sleep).toBeGreaterThan(-1);
    const before = calls().slice(0, sleep).filter((call) => call.startsWith("bus-") && call.includes(" plan "));
    expect(before.map((call) => call.split(" ")[0])).toEqual(["bus-3", "bus-2", "bus-1", "bus-0"]);
    expect(before.every(withMoves)).toBe(true);
    expect(JSON.parse(readFileSync(join(stub, "bus-moves-bus-1.json"), "utf8"))).toEqual({ bus_moves: { RA1: { from: 0, to: 1 }, RC3: { from: 0, to: 1 } } });
    const after = calls().slice(sleep).filter((call) => call.startsWith("bus-") && call.includes(" plan "));
    expect(after.length).toBe(4);
    expect(after.some(withMoves)).toBe(false);
    expect(of("push")).toEqual([]);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline bus-0 bus-1 bus-2 bus-3");
  });

  it("refuses a second count change while a move is under way (rules still on the bus a trust left), moving and planning nothing", () => {
    grown();
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    writeFileSync(join(stub, "state-bus-0.txt"), `${heldByBus0.join("\n")}\n`);
    writeFileSync(join(stub, "state-bus-1.txt"), `module.trust["RD4"].module.endpoint["x"].aws_cloudwatch_event_rule.previous[0] ${bus0}\n`);
    const plan = environment("plan");
    expect(plan.status).toBe(1);
    expect(plan.stderr).toMatch(/^event_buses.count changed while a bus move is still under way \(RD4 still have rules on the bus they left\)/m);
    expect(of("push")).toEqual([]);
    expect(busPlans()).toEqual([]);
  });

  it("while round 1 is not fully applied (a bus still has changes), make plan plans round 1 again, and no wait and no round 2", () => {
    grown();
    writeFileSync(join(stub, "workspaces"), "bus-0\nbus-1\n");
    writeFileSync(join(stub, "state-bus-0.txt"), `${heldByBus0.filter((line) => !/RA1|RC3/.test(line)).join("\n")}\n`);
    writeFileSync(join(stub, "state-bus-1.txt"), `${movedState.join("\n")}\n`);
    writeFileSync(join(stub, "changes-bus-1"), "");
    const plan = environment("plan");
    expect(plan.status, plan.stderr).toBe(0);
    expect(calls().filter((call) => call.startsWith("sleep"))).toEqual([]);
    expect(busPlans().every(withMoves)).toBe(true);
    expect(readFileSync(join(build, "parts"), "utf8").trim()).toBe("pipeline bus-3 bus-2 bus-1 bus-0");
    expect(plan.stderr).toMatch(/^round 1 of 2 \(these plans\)/m);
  });
});
