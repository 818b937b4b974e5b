// scripts/deploy/show-plans.sh (make plan-summary): `terraform show -json` of each saved plan, in each part's own
// workspace, in the apply order make plan wrote, against a stand-in terraform on PATH that records its calls.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const SCRIPT = resolve(import.meta.dirname, "show-plans.sh");
const FAKE_TERRAFORM = `#!/usr/bin/env bash
set -euo pipefail
echo "\${TF_WORKSPACE:-none} \${TF_DATA_DIR:-none} $*" >> "$STUB/calls"
[[ "$1" == -chdir=* ]] || { echo "no -chdir" >&2; exit 9; }
[[ "$2" == show && "$3" == -json ]] || { echo "unexpected $*" >&2; exit 9; }
[[ -f "$4" ]] || { echo "no plan $4" >&2; exit 1; }
echo "{\\"format_version\\":\\"1.2\\",\\"part\\":\\"$TF_WORKSPACE\\"}"
`;

let stub: string;
let build: string;
beforeEach(() => {
  stub = mkdtempSync(join(tmpdir(), "show-plans-"));
  build = join(stub, "build");
  mkdirSync(join(stub, "bin"));
  mkdirSync(build);
  writeFileSync(join(stub, "bin", "terraform"), FAKE_TERRAFORM);
  chmodSync(join(stub, "bin", "terraform"), 0o755);
});
afterEach(() => rmSync(stub, { recursive: true, force: true }));

const run = (env = "test") => spawnSync("bash", [SCRIPT, env], {
  encoding: "utf8",
  env: { ...process.env, PATH: `${join(stub, "bin")}:${process.env.PATH}`, STUB: stub, ENVIRONMENT_BUILD_DIR: build, TF_PROVIDER_MIRROR: "registry" },
});

describe("show-plans.sh", () => {
  it("shows every saved plan in its own stack and workspace, in apply order, and names each for plan-summary", () => {
    writeFileSync(join(build, "parts"), "pipeline bus-0 bus-1\n");
    for (const part of ["pipeline", "bus-0", "bus-1"]) writeFileSync(join(build, `${part}.tfplan`), "");
    const result = run();
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual(["pipeline", "bus-0", "bus-1"].map((part) => `${part}=${build}/shown/${part}.json`));
    expect(JSON.parse(readFileSync(join(build, "shown", "bus-1.json"), "utf8"))).toEqual({ format_version: "1.2", part: "bus-1" });
    const calls = readFileSync(join(stub, "calls"), "utf8").trim().split("\n").map((line) => line.split(" ").slice(0, 3).join(" ").replace(/-chdir=.*\/stacks\//, "stacks/"));
    expect(calls).toEqual(["default .terraform-test stacks/pipeline", "bus-0 .terraform-test stacks/trusts", "bus-1 .terraform-test stacks/trusts"]);
  });

  it("fails, naming the cause, when make plan saved nothing or a saved plan is missing", () => {
    expect(run()).toMatchObject({ status: 1, stderr: expect.stringContaining("no saved plans for test: make plan ENV=test first") });
    writeFileSync(join(build, "parts"), "pipeline\n");
    expect(run().status).not.toBe(0);
  });

  it("refuses an environment that does not exist", () => {
    expect(run("nowhere")).toMatchObject({ status: 2, stderr: expect.stringContaining("usage: scripts/deploy/show-plans.sh <env>") });
  });
});
