// Promises 9.1, 9.2 and 9.6 (docs/guarantees.md), over the repository's real workflows: actionlint finds nothing,
// the project's rules hold (pinned actions, least-privilege tokens, make targets that exist, no terraform in YAML),
// and the deploy workflow has the shape that makes "approved plan, applied as approved, in order" true.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAccount } from "./lib/account.ts";
import { actionlintProblems, environmentName, makeCalls, makeTargets, parseWorkflow, workflowProblems, type Job, type Workflow, type WorkflowFile } from "./lib/workflows.ts";

const repo = fileURLToPath(new URL("../../", import.meta.url));
const workflowsDir = join(repo, ".github/workflows");
const sources: WorkflowFile[] = readdirSync(workflowsDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => ({ file: `.github/workflows/${name}`, text: readFileSync(join(workflowsDir, name), "utf8") }));
const targets = makeTargets(readFileSync(join(repo, "Makefile"), "utf8"));
const workflow = (name: string): Workflow => parseWorkflow(sources.find((source) => source.file.endsWith(`/${name}`))!);
const ENVS = [["test", "test"], ["staging", "staging"], ["prod", "production"]] as const;

describe("the workflows", () => {
  it("are the four of issue #24: check, plan, deploy, drift", () => {
    expect(sources.map((source) => source.file)).toEqual([
      ".github/workflows/check.yml", ".github/workflows/deploy.yml", ".github/workflows/drift.yml", ".github/workflows/plan.yml",
    ]);
  });

  it("pass actionlint with no finding", async () => {
    expect(await actionlintProblems(sources)).toEqual([]);
  }, 60_000);

  it("keep every rule of promise 9.6 (pinned, least privilege, make targets that exist, no terraform)", () => {
    expect(sources.flatMap((source) => workflowProblems(source, targets))).toEqual([]);
  });

  it("install the Terraform and Node versions of .tool-versions", () => {
    const tools = Object.fromEntries(readFileSync(join(repo, ".tool-versions"), "utf8").trim().split("\n").map((line) => line.trim().split(/\s+/) as [string, string]));
    const installs: string[] = [];
    for (const source of sources) {
      for (const [id, job] of Object.entries(parseWorkflow(source).jobs ?? {})) {
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith("hashicorp/setup-terraform@")) {
            expect(String(step.with?.terraform_version), `${source.file} ${id}`).toBe(tools.terraform);
            installs.push(`terraform ${id}`);
          }
          if (step.uses?.startsWith("actions/setup-node@")) {
            expect(step.with?.["node-version-file"], `${source.file} ${id}`).toBe(".tool-versions");
            installs.push(`node ${id}`);
          }
        }
      }
    }
    // Without this the loop passes when no job installs either tool at all (nothing checked).
    for (const env of ENVS.map(([name]) => name)) expect(installs).toEqual(expect.arrayContaining([`terraform apply-${env}`, `node apply-${env}`]));
  });

  it("check runs the README's test command on pull requests and main", () => {
    const check = workflow("check.yml");
    expect(Object.keys(check.on as object).sort()).toEqual(["pull_request", "push"]);
    expect(Object.values(check.jobs!).flatMap((job) => (job.steps ?? []).flatMap((step) => makeCalls(step.run ?? "")))).toEqual(["test"]);
  });
});

describe("plan (pull requests)", () => {
  const plan = workflow("plan.yml");

  it("plans every environment read-only with its plan role, keeps the plans and the summary", () => {
    const job = plan.jobs!.plan!;
    expect(job.strategy?.matrix?.env).toEqual(ENVS.map(([env]) => env));
    expect(environmentName(job)).toBeUndefined();
    const calls = (job.steps ?? []).flatMap((step) => makeCalls(step.run ?? ""));
    expect(calls).toEqual(["install", "deploy-account", "plan-readonly", "plan-summary"]);
    const upload = job.steps!.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(String(upload?.with?.path)).toContain(".tfplan");
    expect(String(upload?.with?.path)).not.toMatch(/shown|\.json/); // terraform show -json holds sensitive values in clear
  });

  it("posts the summary from a job that holds pull-requests: write and nothing else, and runs no repository code", () => {
    expect(plan.jobs!.comment!.permissions).toEqual({ "pull-requests": "write" });
    expect(plan.permissions).toEqual({});
  });

  it("runs on changes to infrastructure, trust files and the functions", () => {
    const paths = (plan.on as { pull_request: { paths: string[] } }).pull_request.paths;
    expect(paths).toEqual(expect.arrayContaining(["infrastructure/**", "lambdas/**", "schemas/**"]));
  });
});

describe("deploy (main)", () => {
  const deploy = workflow("deploy.yml");
  const jobs = deploy.jobs!;
  const needs = (job: Job) => [job.needs ?? []].flat();
  const calls = (job: Job) => (job.steps ?? []).flatMap((step) => makeCalls(step.run ?? ""));
  const accounts = Object.fromEntries(ENVS.map(([env]) => [env, parseAccount(readFileSync(join(repo, `infrastructure/terraform/environments/${env}/account.json`), "utf8"), env, env)]));

  it("runs on main only, tests first, then test, staging and production in turn, each applying after it planned", () => {
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(calls(jobs.test!)).toEqual(["test"]);
    let before = "test";
    for (const [env] of ENVS) {
      expect(needs(jobs[`plan-${env}`]!), `plan-${env}`).toEqual([before]);
      expect(needs(jobs[`apply-${env}`]!), `apply-${env}`).toEqual([`plan-${env}`]);
      before = `apply-${env}`;
    }
    expect(Object.keys(jobs).sort()).toEqual(["apply-prod", "apply-staging", "apply-test", "plan-prod", "plan-staging", "plan-test", "test"]);
  });

  it.each(ENVS)("%s: the plan job plans read-only and shows the summary, outside any environment (no deploy role there)", (env) => {
    const job = jobs[`plan-${env}`]!;
    expect(environmentName(job)).toBeUndefined();
    expect(calls(job)).toEqual(["install", "deploy-account", "plan-readonly", "plan-summary"]);
    const upload = job.steps!.find((step) => step.uses?.startsWith("actions/upload-artifact@"));
    expect(upload?.with?.name).toBe(`deploy-${env}`);
    expect(String(upload?.with?.path).split("\n").filter(Boolean)).toEqual([`.build/${env}/`, ".build/lambdas/", `!.build/${env}/shown/`, `!.build/${env}/*.plan.json`]);
  });

  it.each(ENVS)("%s: the apply job waits for the %s environment, applies the saved plans it downloaded and never plans", (env, githubEnvironment) => {
    const job = jobs[`apply-${env}`]!;
    expect(environmentName(job)).toBe(githubEnvironment);
    expect(accounts[env]!.githubEnvironment).toBe(githubEnvironment);
    expect(calls(job)).toEqual(["install", "deploy-account", "apply"]);
    const steps = job.steps!;
    const download = steps.findIndex((step) => step.uses?.startsWith("actions/download-artifact@"));
    const apply = steps.findIndex((step) => makeCalls(step.run ?? "").includes("apply"));
    expect(steps[download]?.with).toEqual({ name: `deploy-${env}`, path: ".build" });
    expect(download).toBeGreaterThanOrEqual(0);
    expect(download).toBeLessThan(apply);
    expect(steps.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"]).toBe("${{ steps.account.outputs.deploy_role_arn }}");
  });

  it.each(ENVS)("%s: the apply job's credentials last as long as the job may run, and no longer than the deploy role allows", (env) => {
    const job = jobs[`apply-${env}`]! as Job & { "timeout-minutes"?: number };
    const seconds = Number(job.steps!.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-duration-seconds"]);
    expect(seconds).toBeGreaterThanOrEqual(Number(job["timeout-minutes"]) * 60);
    expect(seconds).toBeLessThanOrEqual(3 * 3600); // bootstrap variable deploy_session_hours' default
  });

  it.each(ENVS)("%s: one deploy at a time, never cancelled once started", (env) => {
    for (const id of [`plan-${env}`, `apply-${env}`]) {
      expect(jobs[id]!.concurrency, id).toEqual({ group: `deploy-${env}`, "cancel-in-progress": false });
    }
  });
});

describe("drift (daily)", () => {
  const drift = workflow("drift.yml");

  it("plans every environment every day with the plan role and fails on any change", () => {
    expect(Object.keys(drift.on as object)).toContain("schedule");
    const job = drift.jobs!.drift!;
    expect(job.strategy?.matrix?.env).toEqual(ENVS.map(([env]) => env));
    expect((job.steps ?? []).flatMap((step) => makeCalls(step.run ?? ""))).toEqual(["install", "deploy-account", "drift"]);
    expect(job.concurrency).not.toMatchObject({ group: expect.stringMatching(/^deploy-/) }); // never cancels a waiting deploy
  });
});

describe("the rules catch what they are for (each on a workflow made to break one)", () => {
  let base: string;
  beforeAll(() => {
    base = `name: t
on: push
permissions: {}
jobs:
  j:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
    steps:
      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1
      - id: account
        run: make deploy-account ENV=test >> "$GITHUB_OUTPUT"
      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c
        with:
          role-to-assume: \${{ steps.account.outputs.plan_role_arn }}
          aws-region: eu-west-2
          allowed-account-ids: \${{ steps.account.outputs.account_id }}
      - run: make plan-readonly ENV=test
`;
  });
  const problems = (text: string) => workflowProblems({ file: "w.yml", text }, targets);

  it("finds nothing in the well-formed base", () => {
    expect(problems(base)).toEqual([]);
  });

  it.each<[string, (text: string) => string, RegExp]>([
    ["an action pinned by tag", (t) => t.replace("checkout@3d3c42e5aac5ba805825da76410c181273ba90b1", "checkout@v7"), /actions\/checkout@v7 is not pinned by a 40-hex commit SHA/],
    ["an action pinned by a short SHA", (t) => t.replace("@e6de054238d6b7531b4efff3b6587d9aade6a06c", "@e6de054"), /configure-aws-credentials@e6de054 is not pinned/],
    ["a role assumed without id-token", (t) => t.replace("      id-token: write\n", ""), /job j: assumes a role but has no id-token: write/],
    ["id-token with no role", (t) => t.replace(/ {6}- uses: aws-actions[\s\S]*?account_id }}\n/, ""), /job j: has id-token: write but assumes no role/],
    ["a write scope beside the repository's code", (t) => t.replace("contents: read", "contents: write"), /job j: holds contents: write while it runs the repository's code/],
    ["write-all at workflow level", (t) => t.replace("permissions: {}", "permissions: write-all"), /permissions: write-all: list scopes/],
    ["a write scope at workflow level", (t) => t.replace("permissions: {}", "permissions:\n  pull-requests: write"), /pull-requests: write at workflow level/],
    ["no workflow permissions", (t) => t.replace("permissions: {}\n", ""), /set the workflow's default token explicitly/],
    ["a make target that does not exist", (t) => t.replace("make plan-readonly", "make plan-everything"), /make plan-everything: no such target in the Makefile/],
    ["terraform in YAML", (t) => t.replace("make plan-readonly ENV=test", "terraform -chdir=infrastructure/terraform/root apply -auto-approve"), /runs terraform: call a make target/],
    ["an account id in a workflow", (t) => t.replace("eu-west-2", "eu-west-2\n          role-chaining: 333333333333"), /holds a 12-digit number/],
    ["a stored key", (t) => t.replace("aws-region: eu-west-2", "aws-region: eu-west-2\n          aws-secret-access-key: ${{ secrets.AWS_SECRET_ACCESS_KEY }}"), /secrets\.AWS_SECRET_ACCESS_KEY: no stored credentials/],
    ["the deploy role outside an environment", (t) => t.replace("plan_role_arn", "deploy_role_arn"), /assumes the deploy role in a job bound to no GitHub environment/],
    ["the plan role inside an environment", (t) => t.replace("    runs-on: ubuntu-latest", "    runs-on: ubuntu-latest\n    environment: production"), /assumes the plan role in a job bound to an environment/],
    ["a role from anywhere but make deploy-account", (t) => t.replace("${{ steps.account.outputs.plan_role_arn }}", "${{ vars.ROLE }}"), /role-to-assume must come from make deploy-account/],
    ["no allowed-account-ids", (t) => t.replace(/\n {10}allowed-account-ids:.*/, ""), /set allowed-account-ids/],
    ["pull_request_target", (t) => t.replace("on: push", "on: pull_request_target"), /pull_request_target runs with a write token on code under review/],
  ])("%s", (_name, change, message) => {
    const broken = change(base);
    expect(broken).not.toBe(base);
    expect(problems(broken)).toEqual([expect.stringMatching(message)]);
  });

  it("actionlint rejects what GitHub would (an unknown permission level, an undefined expression)", async () => {
    const findings = await actionlintProblems([{ file: "w.yml", text: base.replace("id-token: write", "id-token: writ").replace("ENV=test", "ENV=${{ matrix.nope }}") }]);
    expect(findings).toEqual([expect.stringMatching(/^w\.yml:9:\d+: "writ" is invalid for permission of scope "id-token"/), expect.stringMatching(/property "nope" is not defined/)]);
  }, 60_000);
});

describe("makeCalls and makeTargets", () => {
  it.each<[string, string[]]>([
    ["make test", ["test"]],
    ["make plan-readonly ENV=${{ matrix.env }}", ["plan-readonly"]],
    ['make --no-print-directory --silent deploy-account ENV=prod >> "$GITHUB_OUTPUT"', ["deploy-account"]],
    ["npm ci && make lint typecheck", ["lint", "typecheck"]],
    ["echo make-believe", []],
  ])("%s → %j", (run, expected) => {
    expect(makeCalls(run)).toEqual(expected);
  });

  it("reads the Makefile's targets, not its variables", () => {
    expect(makeTargets("A := 1\nB ?= 2\ntest: lint ## x\nplan apply: build\n.PHONY: x\n\techo not: a-target\n")).toEqual(new Set(["test", "plan", "apply", ".PHONY"]));
  });
});
