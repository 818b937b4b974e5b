// Promises 9.3, 9.4 and 9.5 (docs/guarantees.md): the bootstrap's trust and permission policies, rendered from the
// real module (infrastructure/terraform/bootstrap/policies, terraform apply of that module alone: no provider, no
// resources) with each environment's account.json, and evaluated with @cloud-copilot/iam-simulate through the same
// evaluate() as policies.test.ts: who may assume and act, and who may not.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAccount, roleName, type Account } from "../deploy/lib/account.ts";
import { evaluate, policyErrors, type PolicyRequest } from "./evaluate-policy.ts";
import type { PolicyDocument } from "./render-policies.ts";

const terraform = fileURLToPath(new URL("terraform.sh", import.meta.url));
const terraformDir = fileURLToPath(new URL("../../infrastructure/terraform/", import.meta.url));
const policiesModule = join(terraformDir, "bootstrap/policies");
const BREAK_GLASS = "arn:aws:iam::333333333333:role/platform-break-glass";

function accountOf(env: string): Account {
  return parseAccount(readFileSync(join(terraformDir, `environments/${env}/account.json`), "utf8"), env, env);
}

/** The module's documents for one environment, as the bootstrap root passes them its account.json and backend.hcl. */
function render(env: string, stateWriters: string[] = []): { text: Record<string, string>; doc: Record<string, PolicyDocument> } {
  const account = accountOf(env);
  const backend = readFileSync(join(terraformDir, `environments/${env}/backend.hcl`), "utf8");
  const hcl = (key: string) => new RegExp(`^\\s*${key}\\s*=\\s*"([^"]+)"`, "m").exec(backend)![1]!;
  const work = mkdtempSync(join(tmpdir(), "bootstrap-policies-"));
  const run = (...args: string[]) =>
    execFileSync(terraform, [`-chdir=${policiesModule}`, ...args], { env: { ...process.env, TF_DATA_DIR: join(work, "data") }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  try {
    run("init", "-input=false", "-no-color");
    run(
      "apply", "-auto-approve", "-input=false", "-no-color", `-state=${join(work, "s.tfstate")}`,
      `-var=account_id=${account.accountId}`, `-var=region=${account.region}`, `-var=environment=${env}`,
      `-var=github_repository=${account.githubRepository}`, `-var=github_environment=${account.githubEnvironment}`,
      `-var=plan_role_name=${roleName(account.planRoleArn)}`, `-var=deploy_role_name=${roleName(account.deployRoleArn)}`,
      `-var=state_bucket=${hcl("bucket")}`, `-var=state_key=${hcl("key")}`, `-var=state_writers=${JSON.stringify(stateWriters)}`,
    );
    const text = JSON.parse(run("output", "-json", `-state=${join(work, "s.tfstate")}`, "documents")) as Record<string, string>;
    return { text, doc: Object.fromEntries(Object.entries(text).map(([name, json]) => [name, JSON.parse(json) as PolicyDocument])) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const prod = accountOf("prod");
const REPO = prod.githubRepository;
const ACCOUNT = prod.accountId;
const REGION = prod.region;
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const BUCKET = `arn:aws:s3:::trust-callbacks-tfstate-${ACCOUNT}`;
const STATE = `${BUCKET}/trust-callbacks/prod.tfstate`;
const BUS_STATE = `${BUCKET}/env:/bus-3/trust-callbacks/prod.tfstate`;
const P = "trust-callbacks-prod";
const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;
const viaS3 = { "kms:ViaService": `s3.${REGION}.amazonaws.com`, "kms:EncryptionContext:aws:s3:arn": BUCKET };
const anyKey = arn("kms", "key/5e0c7a1b-2f3d-4c5e-8a9b-0c1d2e3f4a5b");
const rootKeyPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] };
const adminPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

let docs: Record<string, PolicyDocument>;
let texts: Record<string, string>;
let staging: Record<string, PolicyDocument>;
let withBreakGlass: Record<string, PolicyDocument>;

beforeAll(() => {
  ({ doc: docs, text: texts } = render("prod"));
  staging = render("staging").doc;
  withBreakGlass = render("prod", [BREAK_GLASS]).doc;
}, 120_000);

const doc = (name: string) => {
  const found = docs[name];
  if (!found) throw new Error(`no rendered document ${name}`);
  return found;
};
const planPolicies = () => [doc("read_policy")];
const deployPolicies = () => [doc("read_policy"), doc("deploy_state_policy"), doc("deploy_events_compute_policy"), doc("deploy_data_policy")];

/** AssumeRoleWithWebIdentity with a GitHub token carrying these claims (an absent claim: undefined). */
function assume(trust: PolicyDocument, sub: string | undefined, aud: string | undefined, account: Account = prod) {
  const context: Record<string, string> = {};
  if (sub !== undefined) context["token.actions.githubusercontent.com:sub"] = sub;
  if (aud !== undefined) context["token.actions.githubusercontent.com:aud"] = aud;
  const provider = `arn:aws:iam::${account.accountId}:oidc-provider/token.actions.githubusercontent.com`;
  return evaluate({ principal: provider, action: "sts:AssumeRoleWithWebIdentity", resource: account.deployRoleArn, context, resourcePolicy: trust });
}
const AUD = "sts.amazonaws.com";

describe("trust policies", () => {
  it("let the deploy role be assumed only by this repository's production environment", () => {
    expect(assume(doc("deploy_trust_policy"), `repo:${REPO}:environment:production`, AUD)).toBe("Allowed");
  });

  it.each<[string, string | undefined, string | undefined]>([
    ["another environment (staging)", `repo:${REPO}:environment:staging`, "sts.amazonaws.com"],
    ["another environment (test)", `repo:${REPO}:environment:test`, "sts.amazonaws.com"],
    ["a pull request", `repo:${REPO}:pull_request`, "sts.amazonaws.com"],
    ["main outside any environment", `repo:${REPO}:ref:refs/heads/main`, "sts.amazonaws.com"],
    ["another branch", `repo:${REPO}:ref:refs/heads/feature`, "sts.amazonaws.com"],
    ["another repository's production environment", "repo:someone-else/trust-callbacks:environment:production", "sts.amazonaws.com"],
    ["a repository whose name starts like this one", `repo:${REPO}-fork:environment:production`, "sts.amazonaws.com"],
    ["a token for another audience", `repo:${REPO}:environment:production`, "https://github.com/nhs-clinical-messaging"],
    ["a token with no audience", `repo:${REPO}:environment:production`, undefined],
    ["a token with no subject", undefined, "sts.amazonaws.com"],
  ])("refuse the deploy role to %s", (_name, sub, aud) => {
    expect(assume(doc("deploy_trust_policy"), sub, aud)).toBe("ImplicitlyDenied");
  });

  it("give each account's deploy role to its own environment only: staging's refuses production and the reverse", () => {
    const stagingAccount = accountOf("staging");
    expect(assume(staging.deploy_trust_policy!, `repo:${REPO}:environment:staging`, AUD, stagingAccount)).toBe("Allowed");
    expect(assume(staging.deploy_trust_policy!, `repo:${REPO}:environment:production`, AUD, stagingAccount)).toBe("ImplicitlyDenied");
    expect(assume(doc("deploy_trust_policy"), `repo:${REPO}:environment:staging`, AUD)).toBe("ImplicitlyDenied");
  });

  it("let no IAM principal of the account, not even an administrator, assume either role by AssumeRole", () => {
    for (const trust of [doc("deploy_trust_policy"), doc("plan_trust_policy")]) {
      expect(evaluate({ principal: `arn:aws:iam::${ACCOUNT}:role/admin`, action: "sts:AssumeRole", resource: prod.deployRoleArn, identityPolicies: [adminPolicy], resourcePolicy: trust })).not.toBe("Allowed");
    }
  });

  it("let the plan role be assumed by this repository's pull requests and main", () => {
    expect(assume(doc("plan_trust_policy"), `repo:${REPO}:pull_request`, AUD)).toBe("Allowed");
    expect(assume(doc("plan_trust_policy"), `repo:${REPO}:ref:refs/heads/main`, AUD)).toBe("Allowed");
  });

  it.each<[string, string]>([
    ["another repository's pull request", "repo:someone-else/trust-callbacks:pull_request"],
    ["another branch", `repo:${REPO}:ref:refs/heads/feature`],
    ["a tag", `repo:${REPO}:ref:refs/tags/v1.0.0`],
    ["a job in an environment (which has the deploy role)", `repo:${REPO}:environment:production`],
  ])("refuse the plan role to %s", (_name, sub) => {
    expect(assume(doc("plan_trust_policy"), sub, AUD)).toBe("ImplicitlyDenied");
  });
});

describe("the plan role", () => {
  const as = (action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument) =>
    evaluate({ principal: prod.planRoleArn, action, resource, context, identityPolicies: planPolicies(), resourcePolicy });

  it("reads the environment's state in every part's workspace, decrypting it through S3 only", () => {
    expect(as("s3:ListBucket", BUCKET, { "s3:prefix": "env:/" })).toBe("Allowed");
    expect(as("s3:GetObject", STATE)).toBe("Allowed");
    expect(as("s3:GetObject", BUS_STATE)).toBe("Allowed");
    expect(as("kms:Decrypt", anyKey, viaS3, rootKeyPolicy)).toBe("Allowed");
    expect(as("kms:Decrypt", anyKey, {}, rootKeyPolicy)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", anyKey, { ...viaS3, "kms:EncryptionContext:aws:s3:arn": `arn:aws:s3:::${P}-quarantine-${ACCOUNT}` }, rootKeyPolicy)).toBe("ImplicitlyDenied");
  });

  it("describes what the stacks create", () => {
    expect(as("events:DescribeRule", arn("events", `rule/${P}-callbacks-0/${P}-RX1-ehr`))).toBe("Allowed");
    expect(as("iam:GetRolePolicy", `arn:aws:iam::${ACCOUNT}:role/${P}-transform-filter`)).toBe("Allowed");
    expect(as("s3:GetBucketPolicy", `arn:aws:s3:::${P}-config-${ACCOUNT}`)).toBe("Allowed");
    expect(as("s3:GetObject", `arn:aws:s3:::${P}-config-${ACCOUNT}/subscriptions/RX1.json`)).toBe("Allowed");
    expect(as("kms:GetKeyPolicy", anyKey, {}, rootKeyPolicy)).toBe("Allowed");
    // The trusts' notice topics and their email subscriptions (issue #25): refreshed by every plan.
    expect(as("sns:GetSubscriptionAttributes", arn("sns", `${P}-RX1-notices:5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f`))).toBe("Allowed");
    expect(as("sns:ListSubscriptionsByTopic", arn("sns", `${P}-RX1-notices`))).toBe("Allowed");
  });

  it("writes nothing: no state, no lock, and none of the actions the deploy role has, on any resource it has them on", () => {
    expect(as("s3:PutObject", STATE)).toBe("ImplicitlyDenied");
    expect(as("s3:PutObject", `${STATE}.tflock`)).toBe("ImplicitlyDenied");
    expect(as("s3:DeleteObject", `${BUS_STATE}.tflock`)).toBe("ImplicitlyDenied");
    let checked = 0;
    for (const statement of deployPolicies().slice(1).flatMap((policy) => policy.Statement).filter((s) => s.Effect === "Allow")) {
      const resources = [statement.Resource].flat().map((resource) => resource.replaceAll("*", "x"));
      for (const action of [statement.Action].flat()) {
        for (const resource of resources) {
          expect(as(action, resource, {}, action.startsWith("kms:") ? rootKeyPolicy : undefined), `${action} on ${resource}`).toBe("ImplicitlyDenied");
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it.each<[string, string]>([
    ["a secret's value", arn("secretsmanager", "secret:trust-callbacks/prod/signing/RX1/ehr-AbCdEf")],
    ["dead letters", arn("sqs", `${P}-RX1-dlq`)],
    ["stream records", arn("kinesis", `stream/${P}-conversation-events`)],
    ["log events", arn("logs", `log-group:/aws/lambda/${P}-transform-filter:log-stream:x`)],
    ["binding items", arn("dynamodb", `table/${P}-bindings`)],
    ["quarantined records", `arn:aws:s3:::${P}-quarantine-${ACCOUNT}/quarantine/2026/12/05/RX1/x.json`],
    ["the bootstrap's own state", `${BUCKET}/bootstrap/terraform.tfstate`],
  ])("reads no data: %s", (_name, resource) => {
    const action = {
      secretsmanager: "secretsmanager:GetSecretValue", sqs: "sqs:ReceiveMessage", kinesis: "kinesis:GetRecords", logs: "logs:GetLogEvents",
      dynamodb: "dynamodb:GetItem", s3: "s3:GetObject",
    }[resource.split(":")[2]!]!;
    expect(as(action, resource)).toBe("ImplicitlyDenied");
  });
});

describe("the deploy role", () => {
  const as = (action: string, resource: string, context: Record<string, string | string[]> = {}, resourcePolicy?: PolicyDocument) =>
    evaluate({ principal: prod.deployRoleArn, action, resource, context, identityPolicies: deployPolicies(), resourcePolicy });
  const prodKey = { "aws:ResourceTag/Project": "trust-callbacks", "aws:ResourceTag/Environment": "prod" };

  // One action the deploy role must be allowed per resource type the stacks use; a new type fails the test below
  // until the deploy role covers it (and this table says how).
  const byType: Record<string, PolicyRequest> = {
    aws_cloudwatch_event_bus: { principal: "", action: "events:CreateEventBus", resource: arn("events", `event-bus/${P}-callbacks-11`) },
    aws_cloudwatch_event_rule: { principal: "", action: "events:PutRule", resource: arn("events", `rule/${P}-callbacks-0/${P}-RX1-ehr`) },
    aws_cloudwatch_event_target: { principal: "", action: "events:PutTargets", resource: arn("events", `rule/${P}-callbacks-0/${P}-RX1-ehr`) },
    aws_cloudwatch_event_connection: { principal: "", action: "events:CreateConnection", resource: arn("events", `connection/${P}-RX1-ehr`) },
    aws_cloudwatch_event_api_destination: { principal: "", action: "events:CreateApiDestination", resource: arn("events", `api-destination/${P}-RX1-ehr`) },
    aws_pipes_pipe: { principal: "", action: "pipes:CreatePipe", resource: arn("pipes", `pipe/${P}-source`) },
    aws_lambda_function: { principal: "", action: "lambda:CreateFunction", resource: arn("lambda", `function:${P}-transform-filter`) },
    aws_lambda_permission: { principal: "", action: "lambda:AddPermission", resource: arn("lambda", `function:${P}-connection-sync`) },
    aws_lambda_invocation: { principal: "", action: "lambda:InvokeFunction", resource: arn("lambda", `function:${P}-connection-sync`) },
    aws_iam_role: { principal: "", action: "iam:CreateRole", resource: `arn:aws:iam::${ACCOUNT}:role/${P}-pipe` },
    aws_iam_role_policy: { principal: "", action: "iam:PutRolePolicy", resource: `arn:aws:iam::${ACCOUNT}:role/${P}-pipe` },
    aws_kms_key: { principal: "", action: "kms:CreateKey", resource: "*", context: { "aws:RequestTag/Project": "trust-callbacks", "aws:RequestTag/Environment": "prod" } },
    aws_kms_alias: { principal: "", action: "kms:CreateAlias", resource: arn("kms", `alias/${P}-dead-letters`) },
    aws_s3_bucket: { principal: "", action: "s3:CreateBucket", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}` },
    aws_s3_bucket_versioning: { principal: "", action: "s3:PutBucketVersioning", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}` },
    aws_s3_bucket_server_side_encryption_configuration: { principal: "", action: "s3:PutEncryptionConfiguration", resource: `arn:aws:s3:::${P}-quarantine-${ACCOUNT}` },
    aws_s3_bucket_public_access_block: { principal: "", action: "s3:PutBucketPublicAccessBlock", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}` },
    aws_s3_bucket_ownership_controls: { principal: "", action: "s3:PutBucketOwnershipControls", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}` },
    aws_s3_bucket_lifecycle_configuration: { principal: "", action: "s3:PutLifecycleConfiguration", resource: `arn:aws:s3:::${P}-quarantine-${ACCOUNT}` },
    aws_s3_bucket_policy: { principal: "", action: "s3:PutBucketPolicy", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}` },
    aws_s3_object: { principal: "", action: "s3:PutObject", resource: `arn:aws:s3:::${P}-config-${ACCOUNT}/subscriptions/RX1.json` },
    aws_sqs_queue: { principal: "", action: "sqs:CreateQueue", resource: arn("sqs", `${P}-RX1-dlq`) },
    aws_sqs_queue_policy: { principal: "", action: "sqs:SetQueueAttributes", resource: arn("sqs", `${P}-RX1-dlq`) },
    aws_sns_topic: { principal: "", action: "sns:CreateTopic", resource: arn("sns", `${P}-alarms`) },
    aws_sns_topic_policy: { principal: "", action: "sns:SetTopicAttributes", resource: arn("sns", `${P}-RX1-notices`) },
    aws_sns_topic_subscription: { principal: "", action: "sns:Subscribe", resource: arn("sns", `${P}-RX1-notices`) },
    aws_cloudwatch_log_group: { principal: "", action: "logs:CreateLogGroup", resource: arn("logs", `log-group:/aws/vendedlogs/pipes/${P}-source`) },
    aws_cloudwatch_log_delivery_source: { principal: "", action: "logs:PutDeliverySource", resource: arn("logs", `delivery-source:${P}-callbacks-0`) },
    aws_cloudwatch_log_delivery_destination: { principal: "", action: "logs:PutDeliveryDestination", resource: arn("logs", `delivery-destination:${P}-bus-logs`) },
    aws_cloudwatch_log_delivery: { principal: "", action: "logs:CreateDelivery", resource: arn("logs", "delivery:AbCdEf0123") },
    aws_cloudwatch_metric_alarm: { principal: "", action: "cloudwatch:PutMetricAlarm", resource: arn("cloudwatch", `alarm:${P}-transform-filter-errors`) },
    aws_cloudwatch_dashboard: { principal: "", action: "cloudwatch:PutDashboard", resource: `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${P}` },
    aws_dynamodb_table: { principal: "", action: "dynamodb:CreateTable", resource: arn("dynamodb", `table/${P}-bindings`) },
    aws_kinesis_stream: { principal: "", action: "kinesis:CreateStream", resource: arn("kinesis", `stream/${P}-conversation-events`) },
  };

  it("covers every AWS resource type the stacks declare (a new type must be added here and to the role)", () => {
    const declared = new Set<string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory() && !entry.name.startsWith(".") && entry.name !== "tests") walk(join(dir, entry.name));
        else if (entry.name.endsWith(".tf")) for (const match of readFileSync(join(dir, entry.name), "utf8").matchAll(/^resource "(aws_[a-z0-9_]+)"/gm)) declared.add(match[1]!);
      }
    };
    walk(join(terraformDir, "stacks"));
    walk(join(terraformDir, "modules"));
    expect([...declared].filter((type) => !(type in byType)).sort()).toEqual([]);
  });

  it("manages the trusts' notice subscriptions of this environment only (issue #25)", () => {
    const ours = arn("sns", `${P}-RX1-notices:5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f`);
    const staging = arn("sns", "trust-callbacks-staging-RX1-notices:5f1d7c3e-2a4b-4c6d-8e9f-0a1b2c3d4e5f");
    for (const action of ["sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"]) {
      expect(as(action, ours, {}), action).toBe("Allowed");
      expect(as(action, staging, {}), `${action} staging`).toBe("ImplicitlyDenied");
    }
  });

  it.each(Object.entries(byType))("may create or change %s of this environment", (_type, request) => {
    const kms = request.action.startsWith("kms:") && request.resource !== "*";
    expect(as(request.action, request.resource, request.context ?? {}, kms ? rootKeyPolicy : undefined)).toBe("Allowed");
  });

  it("administers and uses this environment's keys (tagged so), and may pass the stacks' roles to their services only", () => {
    for (const action of ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:CreateGrant", "kms:GenerateDataKey"]) expect(as(action, anyKey, prodKey, rootKeyPolicy), action).toBe("Allowed");
    expect(as("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/${P}-transform-filter`, { "iam:PassedToService": "lambda.amazonaws.com" })).toBe("Allowed");
    expect(as("iam:PassRole", `arn:aws:iam::${ACCOUNT}:role/${P}-transform-filter`, { "iam:PassedToService": "ec2.amazonaws.com" })).toBe("ImplicitlyDenied");
  });

  it("writes the environment's state and its lock, and releases the lock, in every part's workspace", () => {
    for (const object of [STATE, BUS_STATE, `${STATE}.tflock`, `${BUS_STATE}.tflock`]) expect(as("s3:PutObject", object), object).toBe("Allowed");
    expect(as("s3:DeleteObject", `${BUS_STATE}.tflock`)).toBe("Allowed");
    expect(as("s3:DeleteObject", STATE)).toBe("ImplicitlyDenied");
    expect(as("kms:GenerateDataKey", anyKey, viaS3, rootKeyPolicy)).toBe("Allowed");
  });

  it.each<[string, string, string, Record<string, string>, PolicyDocument | undefined, "ImplicitlyDenied" | "ExplicitlyDenied"]>([
    ["another environment's rule", "events:PutRule", arn("events", "rule/trust-callbacks-staging-callbacks-0/trust-callbacks-staging-RX1-ehr"), {}, undefined, "ImplicitlyDenied"],
    ["another environment's role", "iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/trust-callbacks-staging-pipe`, {}, undefined, "ImplicitlyDenied"],
    ["another environment's key", "kms:ScheduleKeyDeletion", anyKey, { "aws:ResourceTag/Project": "trust-callbacks", "aws:ResourceTag/Environment": "staging" }, rootKeyPolicy, "ImplicitlyDenied"],
    ["the state key (tagged for the bootstrap)", "kms:ScheduleKeyDeletion", anyKey, { "aws:ResourceTag/Project": "trust-callbacks-bootstrap", "aws:ResourceTag/Environment": "prod" }, rootKeyPolicy, "ImplicitlyDenied"],
    ["a key created untagged", "kms:CreateKey", "*", {}, undefined, "ImplicitlyDenied"],
    ["a key created for staging", "kms:CreateKey", "*", { "aws:RequestTag/Project": "trust-callbacks", "aws:RequestTag/Environment": "staging" }, undefined, "ImplicitlyDenied"],
    ["its own permissions", "iam:PutRolePolicy", prod.deployRoleArn, {}, undefined, "ExplicitlyDenied"],
    ["its own trust policy", "iam:UpdateAssumeRolePolicy", prod.deployRoleArn, {}, undefined, "ExplicitlyDenied"],
    ["the plan role", "iam:PutRolePolicy", prod.planRoleArn, {}, undefined, "ExplicitlyDenied"],
    ["the OIDC provider", "iam:UpdateOpenIDConnectProviderThumbprint", PROVIDER, {}, undefined, "ExplicitlyDenied"],
    ["the state bucket's policy", "s3:PutBucketPolicy", BUCKET, {}, undefined, "ExplicitlyDenied"],
    ["old state versions", "s3:DeleteObjectVersion", STATE, {}, undefined, "ExplicitlyDenied"],
    ["the bootstrap's state", "s3:PutObject", `${BUCKET}/bootstrap/terraform.tfstate`, {}, undefined, "ExplicitlyDenied"],
    ["a role of any other name", "iam:CreateRole", `arn:aws:iam::${ACCOUNT}:role/admin`, {}, undefined, "ImplicitlyDenied"],
    ["a managed policy on a stack role", "iam:AttachRolePolicy", `arn:aws:iam::${ACCOUNT}:role/${P}-pipe`, {}, undefined, "ImplicitlyDenied"],
    ["a secret's value", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/signing/RX1/ehr-AbCdEf"), {}, undefined, "ImplicitlyDenied"],
    ["dead letters", "sqs:ReceiveMessage", arn("sqs", `${P}-RX1-dlq`), {}, undefined, "ImplicitlyDenied"],
    ["a bucket outside the stacks", "s3:PutBucketPolicy", "arn:aws:s3:::some-other-bucket", {}, undefined, "ImplicitlyDenied"],
    ["the dashboard of an environment whose name starts like this one's", "cloudwatch:PutDashboard", `arn:aws:cloudwatch::${ACCOUNT}:dashboard/${P}2`, {}, undefined, "ImplicitlyDenied"],
    ["the key alias of an environment whose name starts like this one's", "kms:CreateAlias", arn("kms", `alias/${P}2`), {}, undefined, "ImplicitlyDenied"],
  ])("may not touch %s", (_name, action, resource, context, resourcePolicy, decision) => {
    expect(as(action, resource, context, resourcePolicy)).toBe(decision);
  });
});

describe("the state bucket's policy", () => {
  const request = (principal: string, identityPolicies: PolicyDocument[], extra: Record<string, string> = {}, bucketPolicy = doc("state_bucket_policy")) =>
    evaluate({ principal, action: "s3:PutObject", resource: STATE, context: { "aws:SecureTransport": "true", "aws:PrincipalArn": principal, ...extra }, identityPolicies, resourcePolicy: bucketPolicy });

  it("lets the deploy role write the state, and no one else whatever their IAM policies say, unless named a break-glass writer", () => {
    expect(request(prod.deployRoleArn, deployPolicies())).toBe("Allowed");
    expect(request(prod.planRoleArn, [adminPolicy])).toBe("ExplicitlyDenied");
    expect(request(`arn:aws:iam::${ACCOUNT}:role/admin`, [adminPolicy])).toBe("ExplicitlyDenied");
    expect(request(BREAK_GLASS, [adminPolicy])).toBe("ExplicitlyDenied");
    expect(request(BREAK_GLASS, [adminPolicy], {}, withBreakGlass.state_bucket_policy!)).toBe("Allowed");
  });

  it("refuses any request without TLS, the deploy role's too", () => {
    expect(request(prod.deployRoleArn, deployPolicies(), { "aws:SecureTransport": "false" })).toBe("ExplicitlyDenied");
  });
});

describe("the documents", () => {
  it("are valid IAM, and fit IAM's size limits (managed policy 6,144 characters, trust policy 2,048)", () => {
    for (const name of ["read_policy", "deploy_state_policy", "deploy_events_compute_policy", "deploy_data_policy"]) {
      expect(policyErrors(doc(name), "identity"), name).toEqual([]);
      expect(texts[name]!.length, name).toBeLessThanOrEqual(6144);
    }
    for (const name of ["plan_trust_policy", "deploy_trust_policy"]) {
      expect(policyErrors(doc(name), "trust"), name).toEqual([]);
      expect(texts[name]!.length, name).toBeLessThanOrEqual(2048);
    }
    for (const name of ["state_bucket_policy", "state_key_policy"]) expect(policyErrors(doc(name), "resource"), name).toEqual([]);
  });

  it("keep the state key's policy to the documented default: the account root delegating to IAM", () => {
    expect(doc("state_key_policy").Statement).toEqual([expect.objectContaining({ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*" })]);
  });
});
