import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../../lib/command-line.ts";
import { workspaceNames } from "./stacks.ts";

const REPO = resolve(import.meta.dirname, "../../..");
const ENVIRONMENTS = join(REPO, "infrastructure/terraform/environments");
const STACKS = join(REPO, "infrastructure/terraform/stacks");

/** One environment's files: its data under environments/<env>/, and .build/<env>/ for plans and outputs. */
export interface Environment {
  env: string;
  /** Saved plans, the parts file, the pipeline's recorded outputs (ENVIRONMENT_BUILD_DIR: tests only). */
  build: string;
  /** The environment's tfvars and backend, relative to a stack's directory (terraform runs with -chdir). */
  tfvars: string;
  backendConfig: string;
  backendFile: string;
}

/** The environment named `env`, or a UsageError naming the ones there are. */
export function environment(env: string, command: string): Environment {
  if (!existsSync(join(ENVIRONMENTS, env, "terraform.tfvars"))) {
    const names = readdirSync(ENVIRONMENTS).filter((name) => existsSync(join(ENVIRONMENTS, name, "terraform.tfvars"))).sort();
    throw new UsageError(`usage: make ${command} ENV=<one of: ${names.join(" ")}>`);
  }
  const build = process.env.ENVIRONMENT_BUILD_DIR ?? join(REPO, ".build", env);
  mkdirSync(build, { recursive: true });
  return {
    env,
    build,
    tfvars: `../../environments/${env}/terraform.tfvars`,
    backendConfig: `../../environments/${env}/backend.hcl`,
    backendFile: join(ENVIRONMENTS, env, "backend.hcl"),
  };
}

/** Where a part's state is: `pipeline` is the pipeline stack (default workspace), `bus-<i>` the trusts stack's workspace. */
const placeOf = (part: string) => (part === "pipeline" ? { stack: "pipeline", workspace: "default" } : { stack: "trusts", workspace: part });

export interface TerraformRun {
  /** Capture stdout (JSON answers) instead of passing it on to stderr. */
  capture?: boolean;
  /** Exit statuses that are answers, not failures (plan -detailed-exitcode: 2 = changes). */
  answers?: readonly number[];
}

/**
 * terraform through scripts/terraform/terraform.sh (offline provider mirror), in a part's stack and workspace, with
 * the environment's own .terraform-<env> directory. Its own output goes to stderr, so stdout carries only answers.
 */
export function terraform(environment: Environment, signal: AbortSignal) {
  const run = (stack: string, workspace: string | undefined, args: readonly string[], options: TerraformRun = {}) =>
    new Promise<{ status: number; stdout: string }>((resolvePromise, reject) => {
      // Only the workspace given: a TF_WORKSPACE left in the caller's shell never picks a state.
      const env: NodeJS.ProcessEnv = { ...process.env, TF_DATA_DIR: `.terraform-${environment.env}` };
      if (workspace) env.TF_WORKSPACE = workspace;
      else delete env.TF_WORKSPACE;
      const child = spawn(join(REPO, "scripts/terraform/terraform.sh"), [`-chdir=${join(STACKS, stack)}`, ...args], {
        env,
        stdio: ["inherit", options.capture ? "pipe" : 2, 2],
        signal,
      });
      const chunks: Buffer[] = [];
      child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("error", reject);
      child.on("close", (code) => {
        const status = code ?? 1;
        if (status === 0 || options.answers?.includes(status)) resolvePromise({ status, stdout: Buffer.concat(chunks).toString("utf8") });
        else reject(new Error(`terraform ${args[0]} in stacks/${stack}${workspace ? ` (workspace ${workspace})` : ""} exited ${status}`));
      });
    });
  return {
    /** terraform in a part's stack and workspace. */
    in: (part: string, args: readonly string[], options?: TerraformRun) => {
      const { stack, workspace } = placeOf(part);
      return run(stack, workspace, args, options);
    },
    /** Initialises both stacks on the environment's backend; answers the trusts stack's workspaces. */
    init: async (): Promise<string[]> => {
      for (const stack of ["pipeline", "trusts"]) await run(stack, undefined, ["init", "-input=false", "-reconfigure", `-backend-config=${environment.backendConfig}`]);
      return workspaceNames((await run("trusts", undefined, ["workspace", "list"], { capture: true })).stdout);
    },
    /** Creates a bus's workspace in the trusts stack. */
    newWorkspace: (part: string) => run("trusts", undefined, ["workspace", "new", part]),
  };
}

export type Terraform = ReturnType<typeof terraform>;
