// Promise 9.8 (docs/guarantees.md): each environment's account is data in environments/<env>/account.json, and it
// agrees with that environment's terraform.tfvars (the account Terraform refuses to leave) and backend.hcl (its state).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { githubOutputs, parseAccount, roleName } from "./account.ts";

const environments = fileURLToPath(new URL("../../../infrastructure/terraform/environments/", import.meta.url));
const envs = readdirSync(environments).filter((name) => existsSync(join(environments, name, "terraform.tfvars")));
const read = (env: string, file: string) => readFileSync(join(environments, env, file), "utf8");
const hclString = (text: string, key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"]*)"`, "m").exec(text)?.[1];

describe("environments/<env>/account.json", () => {
  it("exists for every environment, test, staging and prod at least", () => {
    expect(envs).toEqual(expect.arrayContaining(["test", "staging", "prod"]));
    for (const env of envs) expect(existsSync(join(environments, env, "account.json")), env).toBe(true);
  });

  it.each(envs)("%s: names the account terraform.tfvars deploys to, the Region, and the state bucket of backend.hcl", (env) => {
    const account = parseAccount(read(env, "account.json"), `${env}/account.json`, env);
    const tfvars = read(env, "terraform.tfvars");
    const backend = read(env, "backend.hcl");
    expect(account.accountId).toBe(hclString(tfvars, "aws_account_id"));
    expect(account.region).toBe(hclString(tfvars, "region") ?? "eu-west-2"); // the root's default Region
    expect(hclString(backend, "region")).toBe(account.region);
    expect(hclString(backend, "bucket")).toBe(`trust-callbacks-tfstate-${account.accountId}`);
    expect(roleName(account.planRoleArn)).toBe(`trust-callbacks-${env}-github-plan`);
    expect(roleName(account.deployRoleArn)).toBe(`trust-callbacks-${env}-github-deploy`);
  });

  it("gives every environment its own account and GitHub environment, and one repository to all", () => {
    const accounts = envs.map((env) => parseAccount(read(env, "account.json"), env, env));
    expect(new Set(accounts.map((account) => account.accountId)).size).toBe(accounts.length);
    expect(new Set(accounts.map((account) => account.githubEnvironment)).size).toBe(accounts.length);
    expect(new Set(accounts.map((account) => account.githubRepository)).size).toBe(1);
  });
});

describe("parseAccount", () => {
  const good = {
    environment: "prod", accountId: "333333333333", region: "eu-west-2", githubRepository: "org/repo", githubEnvironment: "production",
    planRoleArn: "arn:aws:iam::333333333333:role/trust-callbacks-prod-github-plan", deployRoleArn: "arn:aws:iam::333333333333:role/trust-callbacks-prod-github-deploy",
  };
  const text = (change: Record<string, unknown>) => JSON.stringify({ ...good, ...change });

  it("reads a well-formed file", () => {
    expect(parseAccount(text({}), "a.json", "prod")).toEqual(good);
  });

  it.each<[string, string, RegExp]>([
    ["not JSON", "{", /^a\.json: not JSON$/],
    ["an array", "[]", /^a\.json: must be a JSON object$/],
    ["a short account id", text({ accountId: "33333333333" }), /accountId must be a 12-digit AWS account id/],
    ["a role in another account", text({ deployRoleArn: "arn:aws:iam::999999999999:role/x" }), /deployRoleArn must be a role in account 333333333333/],
    ["one role for both", text({ deployRoleArn: good.planRoleArn }), /planRoleArn and deployRoleArn must be two roles/],
    ["a repository without owner", text({ githubRepository: "repo" }), /githubRepository must be <owner>\/<repository>/],
    ["another directory's environment", text({ environment: "staging" }), /environment must be prod \(the directory it is in\)/],
    ["an unknown field", text({ secretAccessKey: "x" }), /unknown field secretAccessKey/],
    ["a missing field", JSON.stringify({ ...good, region: undefined }), /region must be an AWS Region/],
  ])("refuses %s, naming the file and the field", (_name, input, message) => {
    expect(() => parseAccount(input, "a.json", "prod")).toThrow(message);
  });

  it("writes the values a workflow step reads as outputs, one name=value per line", () => {
    expect(githubOutputs(good).split("\n")).toEqual([
      "account_id=333333333333", "region=eu-west-2", "github_environment=production",
      "plan_role_arn=arn:aws:iam::333333333333:role/trust-callbacks-prod-github-plan",
      "deploy_role_arn=arn:aws:iam::333333333333:role/trust-callbacks-prod-github-deploy",
    ]);
  });
});
