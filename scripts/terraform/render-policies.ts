// Renders the deployment's policy documents from the real Terraform modules (modules/policies/*), offline:
// `terraform apply` of scripts/terraform/policy-render, a root with no resources and no provider.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const terraform = fileURLToPath(new URL("terraform.sh", import.meta.url));
const renderRoot = fileURLToPath(new URL("policy-render", import.meta.url));

export interface RenderOptions {
  namePrefix: string;
  accountId: string;
  region: string;
  busCount: number;
  endpointsPerTrust: number;
}

export interface RenderedPolicies {
  /** Each document as Terraform renders it (minified JSON text, as IAM counts its size). */
  text: Record<string, string>;
  documents: Record<string, PolicyDocument>;
  keys: Record<string, string>;
  buses: string[];
  /** Who the support roles' trust policies were rendered for. */
  supportPrincipals: { viewers: string[]; operators: string[] };
}

export interface PolicyDocument {
  Version: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export function renderPolicies(options: RenderOptions): RenderedPolicies {
  const work = mkdtempSync(join(tmpdir(), "policy-render-"));
  const env = { ...process.env, TF_DATA_DIR: join(work, "data") };
  const run = (...args: string[]) =>
    execFileSync(terraform, [`-chdir=${renderRoot}`, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    run("init", "-input=false", "-no-color");
    run(
      "apply", "-auto-approve", "-input=false", "-no-color", `-state=${join(work, "render.tfstate")}`,
      `-var=name_prefix=${options.namePrefix}`, `-var=account_id=${options.accountId}`, `-var=region=${options.region}`,
      `-var=bus_count=${options.busCount}`, `-var=endpoints_per_trust=${options.endpointsPerTrust}`,
    );
    const outputs = JSON.parse(run("output", "-json", `-state=${join(work, "render.tfstate")}`));
    const text = outputs.documents.value as Record<string, string>;
    const documents = Object.fromEntries(Object.entries(text).map(([name, json]) => [name, JSON.parse(json) as PolicyDocument]));
    return { text, documents, keys: outputs.arns.value.keys, buses: outputs.arns.value.buses, supportPrincipals: outputs.arns.value.support_principals };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
