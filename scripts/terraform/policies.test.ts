import { beforeAll, describe, expect, it } from "vitest";
import { evaluate, policyErrors, type PolicyRequest } from "./evaluate-policy.ts";
import { renderPolicies, type PolicyDocument, type RenderedPolicies } from "./render-policies.ts";

// Realistic, long names (the longest prefix the pipeline module accepts), 12 buses and the trust DLQ policy of a
// trust with the most endpoints a trust file allows: sizes are measured where they are largest.
const ACCOUNT = "123456789012";
const REGION = "eu-west-2";
const PREFIX = "trust-callbacks-preprod-london1";
const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;

let rendered: RenderedPolicies;
let doc: (name: string) => PolicyDocument;

beforeAll(() => {
  rendered = renderPolicies({ namePrefix: PREFIX, accountId: ACCOUNT, region: REGION, busCount: 12, endpointsPerTrust: 20 });
  doc = (name) => {
    const found = rendered.documents[name];
    if (!found) throw new Error(`no rendered document ${name}`);
    return found;
  };
}, 60_000);

const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const admin = role("platform-deployer");
const adminPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
// The platform's keys are not ours: assume their owners keep the documented default key policy (root delegates to IAM).
const defaultKeyPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }] };
const nobody = `arn:aws:iam::${ACCOUNT}:role/some-other-role`;
const otherAccountAdmin = "arn:aws:iam::999999999999:role/platform-deployer";

function decide(request: PolicyRequest) {
  return evaluate(request);
}

describe("key policies", () => {
  const keyRequest = (principal: string, action: string, key: string, extra: Partial<PolicyRequest> = {}): PolicyRequest => ({
    principal, action, resource: key, ...extra,
  });

  it("let the deploying administrator create, update and delete aliases and administer every key (account root delegates to IAM)", () => {
    for (const [policy, key] of [["main_key_policy", "main"], ["dead_letters_key_policy", "dead-letters"], ["connections_key_policy", "connections"]] as const) {
      for (const action of ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:TagResource"]) {
        expect(decide(keyRequest(admin, action, rendered.keys[key]!, { identityPolicies: [adminPolicy], resourcePolicy: doc(policy) })), `${policy} ${action}`).toBe("Allowed");
      }
    }
  });

  it("let no principal without an IAM grant, and no other account, use or administer a key", () => {
    for (const action of ["kms:Decrypt", "kms:CreateAlias", "kms:PutKeyPolicy"]) {
      expect(decide(keyRequest(nobody, action, rendered.keys.main!, { resourcePolicy: doc("main_key_policy") }))).not.toBe("Allowed");
      expect(decide(keyRequest(otherAccountAdmin, action, rendered.keys.main!, { identityPolicies: [adminPolicy], resourcePolicy: doc("main_key_policy") }))).not.toBe("Allowed");
    }
  });

  it("let EventBridge encrypt and decrypt the events of this deployment's buses, and of no other bus", () => {
    const key = rendered.keys.main!;
    for (const bus of rendered.buses) {
      const context = { "kms:EncryptionContext:aws:events:event-bus:arn": bus, "aws:SourceArn": bus, "aws:SourceAccount": ACCOUNT };
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        expect(decide(keyRequest("events.amazonaws.com", action, key, { context, resourcePolicy: doc("main_key_policy") }))).toBe("Allowed");
      }
    }
    const otherBus = arn("events", "event-bus/someone-elses-bus");
    expect(decide(keyRequest("events.amazonaws.com", "kms:Decrypt", key, {
      context: { "kms:EncryptionContext:aws:events:event-bus:arn": otherBus, "aws:SourceArn": otherBus }, resourcePolicy: doc("main_key_policy"),
    }))).toBe("ImplicitlyDenied");
    expect(decide(keyRequest("events.amazonaws.com", "kms:DescribeKey", key, { resourcePolicy: doc("main_key_policy") }))).toBe("Allowed");
    expect(decide(keyRequest("events.amazonaws.com", "kms:CreateGrant", key, { resourcePolicy: doc("main_key_policy") }))).toBe("ImplicitlyDenied");
  });

  // docs/guarantees.md 5.4. AWS does not document which condition keys reach KMS when SQS encrypts a dead letter for
  // EventBridge: whatever is absent must not drop the dead letter; whatever is present must name this deployment.
  it("let EventBridge write dead letters with the dead-letters key from this account, whatever keys reach KMS, and nobody else's", () => {
    const key = rendered.keys["dead-letters"]!;
    const dlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);
    const use = (context: Record<string, string>, action = "kms:GenerateDataKey") =>
      decide(keyRequest("events.amazonaws.com", action, key, { context, resourcePolicy: doc("dead_letters_key_policy") }));
    const cases: [string, Record<string, string>, string][] = [
      ["no condition key at all", {}, "Allowed"],
      ["this account", { "aws:SourceAccount": ACCOUNT }, "Allowed"],
      ["this deployment's queue", { "kms:EncryptionContext:aws:sqs:arn": dlq }, "Allowed"],
      ["this account and queue", { "aws:SourceAccount": ACCOUNT, "kms:EncryptionContext:aws:sqs:arn": dlq }, "Allowed"],
      ["another account", { "aws:SourceAccount": "999999999999" }, "ImplicitlyDenied"],
      ["another account's queue", { "kms:EncryptionContext:aws:sqs:arn": "arn:aws:sqs:eu-west-2:999999999999:x-dlq" }, "ImplicitlyDenied"],
      ["another deployment's queue", { "kms:EncryptionContext:aws:sqs:arn": arn("sqs", "trust-callbacks-staging-RX1-dlq") }, "ImplicitlyDenied"],
    ];
    for (const [name, context, expected] of cases) {
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) expect(use(context, action), `${name} ${action}`).toBe(expected);
    }
    for (const action of ["kms:Encrypt", "kms:CreateGrant", "kms:ReEncryptFrom", "kms:PutKeyPolicy"]) {
      expect(use({ "aws:SourceAccount": ACCOUNT }, action), action).toBe("ImplicitlyDenied");
    }
  });

  it("let CloudWatch Logs use the main key for this deployment's log groups only", () => {
    const key = rendered.keys.main!;
    const principal = `logs.${REGION}.amazonaws.com`;
    for (const group of [`/aws/lambda/${PREFIX}-transform-filter`, `/aws/vendedlogs/pipes/${PREFIX}-source`, `/aws/vendedlogs/events/${PREFIX}-callbacks`, `/${PREFIX}/support-audit`]) {
      const context = { "kms:EncryptionContext:aws:logs:arn": arn("logs", `log-group:${group}`) };
      expect(decide(keyRequest(principal, "kms:GenerateDataKey", key, { context, resourcePolicy: doc("main_key_policy") })), group).toBe("Allowed");
    }
    for (const group of ["/aws/lambda/another-function", "/trust-callbacks-staging/support-audit", `/${PREFIX}-other/support-audit`]) {
      expect(decide(keyRequest(principal, "kms:Decrypt", key, {
        context: { "kms:EncryptionContext:aws:logs:arn": arn("logs", `log-group:${group}`) }, resourcePolicy: doc("main_key_policy"),
      })), group).toBe("ImplicitlyDenied");
    }
  });

  it("let DynamoDB read the main key's metadata, and use it only on behalf of a principal IAM allows", () => {
    const key = rendered.keys.main!;
    expect(decide(keyRequest("dynamodb.amazonaws.com", "kms:DescribeKey", key, { resourcePolicy: doc("main_key_policy") }))).toBe("Allowed");
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]) {
      expect(decide(keyRequest("dynamodb.amazonaws.com", action, key, { resourcePolicy: doc("main_key_policy") })), action).toBe("ImplicitlyDenied");
    }
  });

  it("let CloudWatch alarms of this deployment publish to the encrypted alarm topic, and no other account's or deployment's alarm", () => {
    const use = (context: Record<string, string>) =>
      decide(keyRequest("cloudwatch.amazonaws.com", "kms:GenerateDataKey", rendered.keys.main!, { context, resourcePolicy: doc("main_key_policy") }));
    const ours = arn("cloudwatch", `alarm:${PREFIX}-bus-dlq-not-empty`);
    const cases: [string, Record<string, string>, string][] = [
      ["no condition key", {}, "Allowed"],
      ["this account's alarm", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": ours }, "Allowed"],
      ["a trust's alarm", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": arn("cloudwatch", `alarm:${PREFIX}-RAJ123-dlq-not-empty`) }, "Allowed"],
      ["another account", { "aws:SourceAccount": "999999999999" }, "ImplicitlyDenied"],
      ["another account's alarm", { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-2:999999999999:alarm:x" }, "ImplicitlyDenied"],
      ["another deployment's alarm", { "aws:SourceAccount": ACCOUNT, "aws:SourceArn": arn("cloudwatch", "alarm:trust-callbacks-staging-x") }, "ImplicitlyDenied"],
    ];
    for (const [name, context, expected] of cases) expect(use(context), name).toBe(expected);
    expect(decide(keyRequest("cloudwatch.amazonaws.com", "kms:CreateGrant", rendered.keys.main!, { context: { "aws:SourceAccount": ACCOUNT }, resourcePolicy: doc("main_key_policy") }))).toBe("ImplicitlyDenied");
  });

  // docs/guarantees.md 5.5 (issue #21 item 1): EventBridge User Guide, "Encrypting event bus logs" (encryption-bus-logs.html).
  it("let EventBridge and CloudWatch Logs delivery write this account's bus logs with the bus key, and nothing else", () => {
    const key = rendered.keys.main!;
    const use = (principal: string, action: string, context: Record<string, string>) =>
      decide(keyRequest(principal, action, key, { context, resourcePolicy: doc("main_key_policy") }));
    const ours = { "kms:EncryptionContext:SourceArn": `arn:aws:logs:${REGION}:${ACCOUNT}:*` };
    const cases: [string, string, Record<string, string>, string][] = [
      ["events.amazonaws.com", "kms:GenerateDataKey", ours, "Allowed"],
      ["events.amazonaws.com", "kms:GenerateDataKey", { ...ours, "aws:SourceAccount": ACCOUNT }, "Allowed"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", ours, "Allowed"],
      ["delivery.logs.amazonaws.com", "kms:GenerateDataKey", ours, "Allowed"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", { ...ours, "aws:SourceAccount": ACCOUNT }, "Allowed"],
      // another account's logs, another Region's, another account as source, no context at all
      ["events.amazonaws.com", "kms:GenerateDataKey", { "kms:EncryptionContext:SourceArn": `arn:aws:logs:${REGION}:999999999999:*` }, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", { "kms:EncryptionContext:SourceArn": `arn:aws:logs:${REGION}:999999999999:*` }, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", { "kms:EncryptionContext:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` }, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", { ...ours, "aws:SourceAccount": "999999999999" }, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:Decrypt", {}, "ImplicitlyDenied"],
      // events may only generate data keys for logs (its Decrypt is for its buses, with the buses' context)
      ["events.amazonaws.com", "kms:Decrypt", ours, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:Encrypt", ours, "ImplicitlyDenied"],
      ["delivery.logs.amazonaws.com", "kms:CreateGrant", ours, "ImplicitlyDenied"],
      ["logs.us-east-1.amazonaws.com", "kms:Decrypt", ours, "ImplicitlyDenied"],
    ];
    for (const [principal, action, context, expected] of cases) expect(use(principal, action, context), `${principal} ${action} ${JSON.stringify(context)}`).toBe(expected);
  });

  it("let EventBridge, CloudWatch Logs and DynamoDB act on a key for this account only, when the request says which account", () => {
    const main = doc("main_key_policy");
    const bus = rendered.buses[0]!;
    const cases: [string, string, Record<string, string>][] = [
      ["events.amazonaws.com", "kms:DescribeKey", {}],
      ["events.amazonaws.com", "kms:Decrypt", { "kms:EncryptionContext:aws:events:event-bus:arn": bus, "aws:SourceArn": bus }],
      [`logs.${REGION}.amazonaws.com`, "kms:GenerateDataKey", { "kms:EncryptionContext:aws:logs:arn": arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter`) }],
      ["dynamodb.amazonaws.com", "kms:DescribeKey", {}],
    ];
    for (const [principal, action, context] of cases) {
      const at = (sourceAccount?: string) => decide(keyRequest(principal, action, rendered.keys.main!, {
        context: sourceAccount ? { ...context, "aws:SourceAccount": sourceAccount } : context, resourcePolicy: main,
      }));
      expect(at(ACCOUNT), `${principal} ${action} from this account`).toBe("Allowed");
      expect(at(), `${principal} ${action} when no source account reaches KMS`).toBe("Allowed");
      expect(at("999999999999"), `${principal} ${action} from another account`).toBe("ImplicitlyDenied");
    }
  });

  it("condition every statement that lets an AWS service act on aws:SourceAccount, and keep the account-root statement", () => {
    for (const name of ["main_key_policy", "dead_letters_key_policy", "connections_key_policy", "data_keys_key_policy", "trust_dlq_policy", "bus_dlq_policy"]) {
      const statements = doc(name).Statement;
      if (name.endsWith("key_policy")) expect(statements.some((s) => s.Sid === "EnableIamPolicies"), name).toBe(true);
      for (const statement of statements.filter((s) => s.Effect === "Allow" && JSON.stringify(s.Principal ?? {}).includes("Service"))) {
        const keys = Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
        expect(keys, `${name} ${statement.Sid}`).toContain("aws:SourceAccount");
      }
    }
  });

  it("let EventBridge's API-destinations service-linked role use the connections key through Secrets Manager (its documented managed policy)", () => {
    const serviceLinkedRole = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations`;
    // AWS managed policy AmazonEventBridgeApiDestinationsServiceRolePolicy (v3), its KMS statement.
    const managedPolicy: PolicyDocument = { Version: "2012-10-17", Statement: [{
      Effect: "Allow", Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], Resource: "arn:aws:kms:*:*:key/*",
      Condition: {
        StringLike: { "kms:ViaService": "secretsmanager.*.amazonaws.com", "kms:EncryptionContext:SecretARN": ["arn:aws:secretsmanager:*:*:secret:events!connection/*"] },
        StringEquals: { "aws:ResourceTag/EventBridgeApiDestinations": "true" },
      },
    }] };
    const context = {
      "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`,
      "kms:EncryptionContext:SecretARN": arn("secretsmanager", `secret:events!connection/${PREFIX}-RX1-ehr/0f3c-AbCdEf`),
      "aws:ResourceTag/EventBridgeApiDestinations": "true",
    };
    expect(decide(keyRequest(serviceLinkedRole, "kms:GenerateDataKey", rendered.keys.connections!, { context, identityPolicies: [managedPolicy], resourcePolicy: doc("connections_key_policy") }))).toBe("Allowed");
  });
});

describe("the Lambda's role", () => {
  const lambda = role(`${PREFIX}-transform-filter`);
  const as = (action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument) =>
    decide({ principal: lambda, action, resource, context, identityPolicies: [doc("lambda_role_policy")], resourcePolicy });

  it("publishes to every callbacks bus of the deployment and to no other bus", () => {
    for (const bus of rendered.buses) expect(as("events:PutEvents", bus)).toBe("Allowed");
    expect(as("events:PutEvents", arn("events", "event-bus/default"))).toBe("ImplicitlyDenied");
    expect(as("events:PutEvents", arn("events", `event-bus/${PREFIX}-callbacks-12`))).toBe("ImplicitlyDenied");
  });

  it("reads signing keys of its own environment only: no credentials secret, no other environment's secret, no write", () => {
    // Secrets Manager ARNs end in "-" + 6 random characters after the name.
    const secret = (name: string) => arn("secretsmanager", `secret:${name}-AbCdEf`);
    const cases: [string, string, string][] = [
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/signing/RAJ123/bleep-alerts", "Allowed"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/signing/RX1/ehr", "Allowed"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/credentials/RX1/ehr", "ImplicitlyDenied"],
      // Old layout (<ODS>/<endpoint>/auth) is no longer under any prefix the Lambda may read.
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/RAJ123/bleep-alerts/auth", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/staging/signing/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/production/signing/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/signingX/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", `events!connection/${PREFIX}-RX1-ehr/0f3c8f1e-aaaa-bbbb-cccc-444455556666`, "ImplicitlyDenied"],
      ["secretsmanager:PutSecretValue", "trust-callbacks/prod/signing/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:UpdateSecret", "trust-callbacks/prod/signing/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:DeleteSecret", "trust-callbacks/prod/signing/RX1/ehr", "ImplicitlyDenied"],
    ];
    for (const [action, name, expected] of cases) expect(as(action, secret(name)), `${action} ${name}`).toBe(expected);
    const statements = doc("lambda_role_policy").Statement.filter((s) => [s.Action].flat().some((a) => a.startsWith("secretsmanager:")));
    expect(statements, "one statement whatever the number of endpoints").toHaveLength(1);
  });

  it("reads subscription documents, writes quarantine, and nothing else in the buckets", () => {
    const config = `arn:aws:s3:::${PREFIX}-config-${ACCOUNT}`;
    const quarantine = `arn:aws:s3:::${PREFIX}-quarantine-${ACCOUNT}`;
    expect(as("s3:GetObject", `${config}/subscriptions/RX1.json`)).toBe("Allowed");
    expect(as("s3:GetObject", `${config}/subscriptions/index.json`)).toBe("Allowed");
    expect(as("s3:PutObject", `${config}/subscriptions/RX1.json`)).toBe("ImplicitlyDenied");
    expect(as("s3:PutObject", `${quarantine}/quarantine/2026/11/22/RX1/shardId-000000000000:1.json`)).toBe("Allowed");
    expect(as("s3:GetObject", `${quarantine}/quarantine/2026/11/22/RX1/shardId-000000000000:1.json`)).toBe("ImplicitlyDenied");
    expect(as("s3:DeleteObject", `${config}/subscriptions/RX1.json`)).toBe("ImplicitlyDenied");
    expect(as("s3:ListBucket", config, { "s3:prefix": "subscriptions/" })).toBe("Allowed");
    expect(as("s3:ListBucket", config, { "s3:prefix": "" })).toBe("ImplicitlyDenied");
  });

  it("uses the data-at-rest key through S3 only, and unwraps only field data keys", () => {
    const main = doc("main_key_policy");
    expect(as("kms:GenerateDataKey", rendered.keys.main!, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }, main)).toBe("Allowed");
    expect(as("kms:Decrypt", rendered.keys.main!, {}, main)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", rendered.keys["platform-data-keys"]!, { "kms:EncryptionContext:purpose": "trust-callbacks-field-key" }, defaultKeyPolicy)).toBe("Allowed");
    expect(as("kms:Decrypt", rendered.keys["platform-data-keys"]!, { "kms:EncryptionContext:purpose": "something-else" }, defaultKeyPolicy)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", rendered.keys.secrets!, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }, defaultKeyPolicy)).toBe("Allowed");
    expect(as("kms:Decrypt", rendered.keys.secrets!, {}, defaultKeyPolicy)).toBe("ImplicitlyDenied");
  });

  it("reads and writes conversation bindings with the item operations it uses, on its own table only", () => {
    const table = arn("dynamodb", `table/${PREFIX}-bindings`);
    for (const action of ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem"]) expect(as(action, table), action).toBe("Allowed");
    for (const action of ["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:DeleteTable", "dynamodb:UpdateTimeToLive"]) {
      expect(as(action, table), action).toBe("ImplicitlyDenied");
    }
    expect(as("dynamodb:PutItem", arn("dynamodb", "table/someone-elses-table"))).toBe("ImplicitlyDenied");
    expect(as("dynamodb:GetItem", arn("dynamodb", `table/${PREFIX}-bindings/index/by-trust`))).toBe("ImplicitlyDenied");
  });

  it("uses the data-at-rest key through DynamoDB for the bindings table only", () => {
    const main = doc("main_key_policy");
    const via = { "kms:ViaService": `dynamodb.${REGION}.amazonaws.com` };
    expect(as("kms:Decrypt", rendered.keys.main!, { ...via, "kms:EncryptionContext:aws:dynamodb:tableName": `${PREFIX}-bindings` }, main)).toBe("Allowed");
    expect(as("kms:Decrypt", rendered.keys.main!, { ...via, "kms:EncryptionContext:aws:dynamodb:tableName": "someone-elses-table" }, main)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", rendered.keys.main!, { "kms:EncryptionContext:aws:dynamodb:tableName": `${PREFIX}-bindings` }, main)).toBe("ImplicitlyDenied");
    expect(as("kms:CreateGrant", rendered.keys.main!, via, main)).toBe("ImplicitlyDenied");
  });

  it("reads bound versions of subscription documents, and of nothing else", () => {
    const config = `arn:aws:s3:::${PREFIX}-config-${ACCOUNT}`;
    expect(as("s3:GetObjectVersion", `${config}/subscriptions/RX1.json`)).toBe("Allowed");
    expect(as("s3:GetObjectVersion", `arn:aws:s3:::${PREFIX}-quarantine-${ACCOUNT}/quarantine/x.json`)).toBe("ImplicitlyDenied");
    expect(as("s3:DeleteObjectVersion", `${config}/subscriptions/RX1.json`)).toBe("ImplicitlyDenied");
  });

  it("writes its own logs and nothing administrative", () => {
    expect(as("logs:PutLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter:log-stream:2026/11/22/[$LATEST]abc`))).toBe("Allowed");
    expect(as("logs:PutLogEvents", arn("logs", "log-group:/aws/lambda/other:log-stream:x"))).toBe("ImplicitlyDenied");
    for (const [action, resource] of [["events:PutRule", arn("events", `rule/${PREFIX}-callbacks-0/x`)], ["iam:PassRole", lambda], ["events:UpdateConnection", arn("events", "connection/x/y")]] as const) {
      expect(as(action, resource)).toBe("ImplicitlyDenied");
    }
  });
});

describe("the Pipe's role", () => {
  const pipe = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-pipe`;
  const as = (action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ principal: pipe, action, resource, context, identityPolicies: [doc("pipe_role_policy")], resourcePolicy: resource.includes(":kms:") ? defaultKeyPolicy : undefined });

  it("reads the platform's stream, invokes the Lambda, dead-letters and logs, and nothing else", () => {
    const stream = arn("kinesis", "stream/clinical-messaging-conversation-events");
    for (const action of ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream", "kinesis:ListShards"]) expect(as(action, stream)).toBe("Allowed");
    expect(as("kinesis:GetRecords", arn("kinesis", "stream/another-stream"))).toBe("ImplicitlyDenied");
    expect(as("kinesis:PutRecord", stream)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", rendered.keys["platform-stream"]!, { "kms:ViaService": `kinesis.${REGION}.amazonaws.com` })).toBe("Allowed");
    expect(as("lambda:InvokeFunction", arn("lambda", `function:${PREFIX}-transform-filter`))).toBe("Allowed");
    expect(as("lambda:InvokeFunction", arn("lambda", "function:another"))).toBe("ImplicitlyDenied");
    expect(as("sqs:SendMessage", arn("sqs", `${PREFIX}-pipe-dlq`))).toBe("Allowed");
    expect(as("sqs:SendMessage", arn("sqs", `${PREFIX}-RX1-dlq`))).toBe("ImplicitlyDenied");
    expect(as("logs:PutLogEvents", arn("logs", `log-group:/aws/vendedlogs/pipes/${PREFIX}-source:log-stream:x`))).toBe("Allowed");
    expect(as("logs:CreateLogStream", arn("logs", `log-group:/aws/vendedlogs/pipes/${PREFIX}-source:log-stream:x`))).toBe("Allowed");
  });
});

describe("the API-destinations role", () => {
  const role = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-api-destinations`;
  it("invokes every API destination of the deployment, with one statement, and no other", () => {
    const as = (resource: string) => decide({ principal: role, action: "events:InvokeApiDestination", resource, identityPolicies: [doc("api_destinations_role_policy")] });
    expect(as(arn("events", `api-destination/${PREFIX}-RAJ123-electronic-patient-record/7f3c8f1e-1111-2222-3333-444455556666`))).toBe("Allowed");
    expect(as(arn("events", "api-destination/trust-callbacks-staging-RX1-ehr/7f3c8f1e-1111-2222-3333-444455556666"))).toBe("ImplicitlyDenied");
    expect(doc("api_destinations_role_policy").Statement).toHaveLength(1);
  });
});

describe("the connection-sync function's role", () => {
  const sync = role(`${PREFIX}-connection-sync`);
  const as = (action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument) =>
    decide({ principal: sync, action, resource, context, identityPolicies: [doc("connection_sync_role_policy")], resourcePolicy });
  // A realistic connection at the longest name (64 characters) and its EventBridge-made secret.
  const longest = `${PREFIX}-RAJ123-electronic-patient-record`;
  const connection = (name: string) => arn("events", `connection/${name}/7f3c8f1e-1111-2222-3333-444455556666`);
  const connectionSecret = (name: string) => arn("secretsmanager", `secret:events!connection/${name}/0f3c8f1e-aaaa-bbbb-cccc-444455556666-AbCdEf`);

  it("reads credentials secrets of its own environment only: never a signing key, never another environment's, never writes them", () => {
    expect(longest).toHaveLength(64);
    const secret = (name: string) => arn("secretsmanager", `secret:${name}-AbCdEf`);
    const cases: [string, string, string][] = [
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "Allowed"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/credentials/RX1/ehr", "Allowed"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/signing/RAJ123/bleep-alerts", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/signing/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/prod/RX1/ehr/signing", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "trust-callbacks/staging/credentials/RX1/ehr", "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", "some-other-team/db-password", "ImplicitlyDenied"],
      ["secretsmanager:PutSecretValue", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "ImplicitlyDenied"],
      ["secretsmanager:UpdateSecret", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "ImplicitlyDenied"],
      ["secretsmanager:DeleteSecret", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "ImplicitlyDenied"],
      ["secretsmanager:RotateSecret", "trust-callbacks/prod/credentials/RAJ123/bleep-alerts", "ImplicitlyDenied"],
    ];
    for (const [action, name, expected] of cases) expect(as(action, secret(name)), `${action} ${name}`).toBe(expected);
    expect(as("kms:Decrypt", rendered.keys.secrets!, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }, defaultKeyPolicy)).toBe("Allowed");
    expect(as("kms:Decrypt", rendered.keys.secrets!, {}, defaultKeyPolicy)).toBe("ImplicitlyDenied");
  });

  it("describes and updates this deployment's connections only, and deletes or deauthorizes none", () => {
    for (const action of ["events:DescribeConnection", "events:UpdateConnection"]) {
      expect(as(action, connection(longest)), action).toBe("Allowed");
      expect(as(action, connection("trust-callbacks-staging-RX1-ehr")), action).toBe("ImplicitlyDenied");
    }
    for (const action of ["events:DeleteConnection", "events:DeauthorizeConnection", "events:CreateConnection"]) {
      expect(as(action, connection(longest)), action).toBe("ImplicitlyDenied");
    }
    expect(as("events:ListConnections", "*")).toBe("Allowed");
    expect(as("events:UpdateApiDestination", arn("events", `api-destination/${longest}/7f3c8f1e-1111-2222-3333-444455556666`))).toBe("ImplicitlyDenied");
    expect(as("events:PutEvents", rendered.buses[0]!)).toBe("ImplicitlyDenied");
  });

  it("may touch the secrets EventBridge keeps for this deployment's connections, through the connections key, and no other", () => {
    for (const action of ["secretsmanager:UpdateSecret", "secretsmanager:PutSecretValue", "secretsmanager:DescribeSecret"]) {
      expect(as(action, connectionSecret(longest)), action).toBe("Allowed");
      expect(as(action, connectionSecret("trust-callbacks-staging-RX1-ehr")), action).toBe("ImplicitlyDenied");
    }
    for (const action of ["secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"]) expect(as(action, connectionSecret(longest)), action).toBe("ImplicitlyDenied");
    const key = rendered.keys.connections!;
    const through = (secret: string) => ({ "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com`, "kms:EncryptionContext:SecretARN": secret });
    expect(as("kms:GenerateDataKey", key, through(connectionSecret(longest)), doc("connections_key_policy"))).toBe("Allowed");
    expect(as("kms:Decrypt", key, through(connectionSecret("trust-callbacks-staging-RX1-ehr")), doc("connections_key_policy"))).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", key, {}, doc("connections_key_policy"))).toBe("ImplicitlyDenied");
  });

  it("reads the connection credentials map and nothing else of the config bucket, and writes its own logs", () => {
    const config = `arn:aws:s3:::${PREFIX}-config-${ACCOUNT}`;
    expect(as("s3:GetObject", `${config}/connection-sync/connections.json`)).toBe("Allowed");
    expect(as("s3:GetObject", `${config}/subscriptions/RX1.json`)).toBe("ImplicitlyDenied");
    expect(as("s3:PutObject", `${config}/connection-sync/connections.json`)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", rendered.keys.main!, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }, doc("main_key_policy"))).toBe("Allowed");
    expect(as("logs:PutLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-connection-sync:log-stream:2026/11/22/[$LATEST]abc`))).toBe("Allowed");
    expect(as("logs:PutLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter:log-stream:x`))).toBe("ImplicitlyDenied");
  });

  it("is the same document at 3 and at 3,000 endpoints: patterns, not one ARN per connection", () => {
    const resources = doc("connection_sync_role_policy").Statement.flatMap((statement) => [statement.Resource].flat());
    expect(resources).toContain(`arn:aws:events:${REGION}:${ACCOUNT}:connection/${PREFIX}-*`);
    expect(resources.filter((resource) => resource.includes(":connection/"))).toHaveLength(1);
  });
});

describe("queue and bucket policies", () => {
  const rule = (n: number) => arn("events", `rule/${PREFIX}-callbacks-0/${PREFIX}-RAJ123-endpoint-number-${String(n).padStart(2, "0")}-bleeps`);
  const trustDlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);

  it("let EventBridge send dead letters to a trust's DLQ from that trust's rules only, over TLS only", () => {
    const send = (sourceArn: string, secure = "true") => decide({
      principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: trustDlq,
      context: { "aws:SourceArn": sourceArn, "aws:SecureTransport": secure }, resourcePolicy: doc("trust_dlq_policy"),
    });
    expect(send(rule(0))).toBe("Allowed");
    expect(send(rule(19))).toBe("Allowed");
    expect(send(arn("events", `rule/${PREFIX}-callbacks-0/${PREFIX}-RX1-ehr`))).toBe("ImplicitlyDenied");
    expect(send(rule(0), "false")).toBe("ExplicitlyDenied");
    // The same rule name in another account (docs/guarantees.md 5.4: aws:SourceAccount and aws:SourceArn).
    expect(send(`arn:aws:events:${REGION}:999999999999:rule/${PREFIX}-callbacks-0/${PREFIX}-RAJ123-endpoint-number-00-bleeps`)).toBe("ImplicitlyDenied");
    expect(decide({
      principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: trustDlq,
      context: { "aws:SourceArn": rule(0), "aws:SourceAccount": "999999999999", "aws:SecureTransport": "true" }, resourcePolicy: doc("trust_dlq_policy"),
    })).toBe("ImplicitlyDenied");
    expect(decide({
      principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: trustDlq,
      context: { "aws:SourceArn": rule(0), "aws:SourceAccount": ACCOUNT, "aws:SecureTransport": "true" }, resourcePolicy: doc("trust_dlq_policy"),
    })).toBe("Allowed");
    expect(decide({ principal: admin, action: "sqs:ReceiveMessage", resource: trustDlq, context: { "aws:SecureTransport": "false" }, identityPolicies: [adminPolicy], resourcePolicy: doc("trust_dlq_policy") })).toBe("ExplicitlyDenied");
  });

  it("let the buses, and only them, send to the bus DLQ", () => {
    const busDlq = arn("sqs", `${PREFIX}-bus-dlq`);
    const send = (sourceArn: string) => decide({ principal: "events.amazonaws.com", action: "sqs:SendMessage", resource: busDlq, context: { "aws:SourceArn": sourceArn, "aws:SecureTransport": "true" }, resourcePolicy: doc("bus_dlq_policy") });
    for (const bus of rendered.buses) expect(send(bus)).toBe("Allowed");
    expect(send(rule(0))).toBe("ImplicitlyDenied");
  });

  it("refuse every request to the buckets that is not over TLS, whatever the action", () => {
    const bucket = `arn:aws:s3:::${PREFIX}-config-${ACCOUNT}`;
    for (const action of ["s3:GetObject", "s3:PutObject", "s3:DeleteObjectVersion", "s3:PutBucketPolicy"]) {
      const resource = action.includes("Bucket") ? bucket : `${bucket}/subscriptions/RX1.json`;
      expect(decide({ principal: admin, action, resource, context: { "aws:SecureTransport": "false" }, identityPolicies: [adminPolicy], resourcePolicy: doc("config_bucket_policy") }), action).toBe("ExplicitlyDenied");
      expect(decide({ principal: admin, action, resource, context: { "aws:SecureTransport": "true" }, identityPolicies: [adminPolicy], resourcePolicy: doc("config_bucket_policy") }), action).toBe("Allowed");
    }
  });
});

describe("trust policies", () => {
  it("let only the right service, from this account, assume each role", () => {
    for (const [name, service] of [["lambda_trust_policy", "lambda.amazonaws.com"], ["pipe_trust_policy", "pipes.amazonaws.com"], ["api_destinations_trust_policy", "events.amazonaws.com"], ["connection_sync_trust_policy", "lambda.amazonaws.com"], ["support_signer_trust_policy", "lambda.amazonaws.com"]] as const) {
      const role = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-role`;
      const assume = (principal: string, sourceAccount: string) => decide({ principal, action: "sts:AssumeRole", resource: role, context: { "aws:SourceAccount": sourceAccount }, resourcePolicy: doc(name) });
      expect(assume(service, ACCOUNT), name).toBe("Allowed");
      expect(assume(service, "999999999999"), name).toBe("ImplicitlyDenied");
      expect(assume("ec2.amazonaws.com", ACCOUNT), name).toBe("ImplicitlyDenied");
    }
  });
});

// docs/guarantees.md 5.6-5.8: the roles support staff act through (modules/support).
describe("support roles", () => {
  const viewer = role(`${PREFIX}-support-viewer`);
  const operator = role(`${PREFIX}-support-operator`);
  const policyOf = { [viewer]: "support_viewer_role_policy", [operator]: "support_operator_role_policy" };
  const as = (who: string, action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument) =>
    decide({ principal: who, action, resource, context, identityPolicies: [doc(policyOf[who]!)], resourcePolicy });
  const trustDlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);
  const busDlq = arn("sqs", `${PREFIX}-bus-dlq`);
  const stagingDlq = arn("sqs", "trust-callbacks-staging-RX1-dlq");
  const auditGroup = arn("logs", `log-group:/${PREFIX}/support-audit`);
  const lambdaLogs = arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter`);
  const busLogs = arn("logs", `log-group:/aws/vendedlogs/events/${PREFIX}-callbacks`);
  const connection = arn("events", `connection/${PREFIX}-RAJ123-ehr/7f3c8f1e-1111-2222-3333-444455556666`);
  const viaSqs = { "kms:ViaService": `sqs.${REGION}.amazonaws.com` };

  it("let the viewer see queues, history and connection states, and no message content", () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ["sqs:ListQueues", "*", {}, "Allowed"],
      ["sqs:GetQueueAttributes", trustDlq, {}, "Allowed"],
      ["sqs:GetQueueUrl", busDlq, {}, "Allowed"],
      ["logs:StartQuery", lambdaLogs, {}, "Allowed"],
      ["logs:StartQuery", busLogs, {}, "Allowed"],
      ["logs:GetQueryResults", "*", {}, "Allowed"],
      ["events:ListConnections", "*", {}, "Allowed"],
      ["events:DescribeConnection", connection, {}, "Allowed"],
      // no content
      ["sqs:ReceiveMessage", trustDlq, {}, "ImplicitlyDenied"],
      ["sqs:DeleteMessage", trustDlq, {}, "ImplicitlyDenied"],
      ["sqs:PurgeQueue", trustDlq, {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys["dead-letters"]!, viaSqs, "ImplicitlyDenied"],
      ["events:PutEvents", rendered.buses[0]!, {}, "ImplicitlyDenied"],
      ["logs:GetLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter:log-stream:x`), {}, "ImplicitlyDenied"],
      // not another environment's
      ["sqs:GetQueueAttributes", stagingDlq, {}, "ImplicitlyDenied"],
      ["logs:StartQuery", arn("logs", "log-group:/aws/lambda/trust-callbacks-staging-transform-filter"), {}, "ImplicitlyDenied"],
      ["events:DescribeConnection", arn("events", "connection/trust-callbacks-staging-RX1-ehr/7f3c8f1e-1111-2222-3333-444455556666"), {}, "ImplicitlyDenied"],
    ];
    for (const [action, resource, context, expected] of cases) expect(as(viewer, action, resource, context, resource.includes(":kms:") ? doc("dead_letters_key_policy") : undefined), `${action} ${resource}`).toBe(expected);
  });

  it("let the operator also redrive, replay and purge this deployment's dead letters, and nothing of another environment", () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ["sqs:ReceiveMessage", trustDlq, {}, "Allowed"],
      ["sqs:DeleteMessage", trustDlq, {}, "Allowed"],
      ["sqs:ChangeMessageVisibility", trustDlq, {}, "Allowed"],
      ["sqs:PurgeQueue", trustDlq, {}, "Allowed"],
      ["sqs:ReceiveMessage", busDlq, {}, "Allowed"],
      ["kms:Decrypt", rendered.keys["dead-letters"]!, viaSqs, "Allowed"],
      // publishing is the support signer's (5.20): the operator may not put a delivery on a bus itself
      ...rendered.buses.map((bus): [string, string, Record<string, string>, string] => ["events:PutEvents", bus, {}, "ImplicitlyDenied"]),
      ["sqs:GetQueueAttributes", trustDlq, {}, "Allowed"],
      ["logs:StartQuery", busLogs, {}, "Allowed"],
      // the dead-letters key only through SQS; no other key
      ["kms:Decrypt", rendered.keys["dead-letters"]!, {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys.main!, viaSqs, "ImplicitlyDenied"],
      ["kms:Encrypt", rendered.keys["dead-letters"]!, viaSqs, "ImplicitlyDenied"],
      // not another environment's, not another bus
      ["sqs:ReceiveMessage", stagingDlq, {}, "ImplicitlyDenied"],
      ["sqs:PurgeQueue", stagingDlq, {}, "ImplicitlyDenied"],
      ["events:PutEvents", arn("events", "event-bus/trust-callbacks-staging-callbacks-0"), {}, "ImplicitlyDenied"],
      ["events:PutEvents", arn("events", "event-bus/default"), {}, "ImplicitlyDenied"],
      ["sqs:SendMessage", trustDlq, {}, "ImplicitlyDenied"],
    ];
    for (const [action, resource, context, expected] of cases) {
      const keyPolicy = resource === rendered.keys.main ? doc("main_key_policy") : doc("dead_letters_key_policy");
      expect(as(operator, action, resource, context, resource.includes(":kms:") ? keyPolicy : undefined), `${action} ${resource}`).toBe(expected);
    }
  });

  it("let neither read a secret value, change infrastructure, or write logs anywhere but by appending to the audit group", () => {
    const secret = (name: string) => arn("secretsmanager", `secret:${name}-AbCdEf`);
    for (const who of [viewer, operator]) {
      const cases: [string, string, string][] = [
        ["logs:CreateLogStream", auditGroup, "Allowed"],
        ["logs:PutLogEvents", `${auditGroup}:log-stream:alice-2026-12-05`, "Allowed"],
        // secrets: explicitly denied, whatever else is attached to the role later
        ["secretsmanager:GetSecretValue", secret("trust-callbacks/prod/signing/RX1/ehr"), "ExplicitlyDenied"],
        ["secretsmanager:GetSecretValue", secret("trust-callbacks/prod/credentials/RX1/ehr"), "ExplicitlyDenied"],
        ["secretsmanager:GetSecretValue", secret(`events!connection/${PREFIX}-RX1-ehr/0f3c8f1e`), "ExplicitlyDenied"],
        ["secretsmanager:BatchGetSecretValue", "*", "ExplicitlyDenied"],
        ["secretsmanager:PutSecretValue", secret("trust-callbacks/prod/signing/RX1/ehr"), "ImplicitlyDenied"],
        // logs: append only, to the audit group only
        ["logs:DeleteLogStream", `${auditGroup}:log-stream:alice-2026-12-05`, "ImplicitlyDenied"],
        ["logs:DeleteLogGroup", auditGroup, "ImplicitlyDenied"],
        ["logs:PutRetentionPolicy", auditGroup, "ImplicitlyDenied"],
        ["logs:DeleteRetentionPolicy", auditGroup, "ImplicitlyDenied"],
        ["logs:AssociateKmsKey", auditGroup, "ImplicitlyDenied"],
        ["logs:CreateLogGroup", arn("logs", `log-group:/${PREFIX}/other`), "ImplicitlyDenied"],
        ["logs:PutLogEvents", `${lambdaLogs}:log-stream:x`, "ImplicitlyDenied"],
        ["logs:PutLogEvents", arn("logs", "log-group:/trust-callbacks-staging/support-audit:log-stream:x"), "ImplicitlyDenied"],
        ["logs:GetLogEvents", `${auditGroup}:log-stream:alice-2026-12-05`, "ImplicitlyDenied"],
        // infrastructure
        ["events:PutRule", arn("events", `rule/${PREFIX}-callbacks-0/x`), "ImplicitlyDenied"],
        ["events:PutTargets", arn("events", `rule/${PREFIX}-callbacks-0/x`), "ImplicitlyDenied"],
        ["events:UpdateConnection", connection, "ImplicitlyDenied"],
        ["events:DeleteConnection", connection, "ImplicitlyDenied"],
        ["sqs:SetQueueAttributes", trustDlq, "ImplicitlyDenied"],
        ["sqs:DeleteQueue", trustDlq, "ImplicitlyDenied"],
        ["sqs:StartMessageMoveTask", trustDlq, "ImplicitlyDenied"],
        ["kms:PutKeyPolicy", rendered.keys["dead-letters"]!, "ImplicitlyDenied"],
        ["kms:ScheduleKeyDeletion", rendered.keys.main!, "ImplicitlyDenied"],
        ["iam:PassRole", role(`${PREFIX}-transform-filter`), "ImplicitlyDenied"],
        ["iam:PutRolePolicy", role(`${PREFIX}-support-viewer`), "ImplicitlyDenied"],
        ["lambda:UpdateFunctionCode", arn("lambda", `function:${PREFIX}-transform-filter`), "ImplicitlyDenied"],
        ["s3:GetObject", `arn:aws:s3:::${PREFIX}-quarantine-${ACCOUNT}/quarantine/x.json`, "ImplicitlyDenied"],
        // The stream is the operator's for replay (docs/guarantees.md 5.20, "support signer" below), never the viewer's.
        ...(who === viewer ? [["kinesis:GetRecords", arn("kinesis", "stream/clinical-messaging-conversation-events"), "ImplicitlyDenied"] as [string, string, string]] : []),
      ];
      for (const [action, resource, expected] of cases) {
        const resourcePolicy = resource.includes(":kms:") ? (resource === rendered.keys.main ? doc("main_key_policy") : doc("dead_letters_key_policy")) : undefined;
        expect(as(who, action, resource, {}, resourcePolicy), `${who} ${action} ${resource}`).toBe(expected);
      }
    }
  });

  it("may be assumed only by the listed principals, each for its own role, and only with MFA", () => {
    const [firstViewer, firstOperator] = [rendered.supportPrincipals.viewers[0]!, rendered.supportPrincipals.operators[0]!];
    const assume = (policy: string, principal: string, context: Record<string, string>) =>
      decide({ principal, action: "sts:AssumeRole", resource: role(`${PREFIX}-support`), context, resourcePolicy: doc(policy) });
    const mfa = { "aws:MultiFactorAuthPresent": "true" };
    const cases: [string, string, Record<string, string>, string][] = [
      ["support_viewer_trust_policy", firstViewer, mfa, "Allowed"],
      ["support_viewer_trust_policy", rendered.supportPrincipals.viewers.at(-1)!, mfa, "Allowed"],
      ["support_operator_trust_policy", firstOperator, mfa, "Allowed"],
      ["support_viewer_trust_policy", firstViewer, {}, "ImplicitlyDenied"],
      ["support_viewer_trust_policy", firstViewer, { "aws:MultiFactorAuthPresent": "false" }, "ImplicitlyDenied"],
      ["support_operator_trust_policy", firstOperator, {}, "ImplicitlyDenied"],
      ["support_operator_trust_policy", firstViewer, mfa, "ImplicitlyDenied"],
      ["support_viewer_trust_policy", role("some-other-role"), mfa, "ImplicitlyDenied"],
      ["support_viewer_trust_policy", `arn:aws:iam::${ACCOUNT}:root`, mfa, "ImplicitlyDenied"],
      ["support_viewer_trust_policy", "arn:aws:iam::999999999999:role/support", mfa, "ImplicitlyDenied"],
      ["support_viewer_trust_policy", "lambda.amazonaws.com", mfa, "ImplicitlyDenied"],
    ];
    for (const [policy, principal, context, expected] of cases) expect(assume(policy, principal, context), `${policy} ${principal} ${JSON.stringify(context)}`).toBe(expected);
  });
});

// docs/guarantees.md 5.20: support staff never hold a signing key; the support signer does, and only the operator
// may invoke it.
describe("support signer", () => {
  const signer = role(`${PREFIX}-support-signer`);
  const operator = role(`${PREFIX}-support-operator`);
  const viewer = role(`${PREFIX}-support-viewer`);
  const signerFunction = arn("lambda", `function:${PREFIX}-support-signer`);
  const stream = arn("kinesis", "stream/clinical-messaging-conversation-events");
  const secret = (name: string) => arn("secretsmanager", `secret:${name}-AbCdEf`);
  const config = `arn:aws:s3:::${PREFIX}-config-${ACCOUNT}`;
  const keyPolicyOf = (resource: string) =>
    resource === rendered.keys.main ? doc("main_key_policy") : resource.includes(":kms:") ? defaultKeyPolicy : undefined;
  const decideAs = (principal: string, policy: string, action: string, resource: string, context: Record<string, string> = {}) =>
    decide({ principal, action, resource, context, identityPolicies: [doc(policy)], resourcePolicy: keyPolicyOf(resource) });
  const viaService = (service: string) => ({ "kms:ViaService": `${service}.${REGION}.amazonaws.com` });
  const fieldKey = { "kms:EncryptionContext:purpose": "trust-callbacks-field-key" };

  it("lets the signer read signing keys of its environment, documents, field data keys, publish and log, and nothing else", () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ["secretsmanager:GetSecretValue", secret("trust-callbacks/prod/signing/RX1/ehr"), {}, "Allowed"],
      ["kms:Decrypt", rendered.keys.secrets!, viaService("secretsmanager"), "Allowed"],
      ["s3:GetObject", `${config}/subscriptions/index.json`, {}, "Allowed"],
      ["s3:GetObject", `${config}/subscriptions/RX1.json`, {}, "Allowed"],
      ["kms:Decrypt", rendered.keys.main!, viaService("s3"), "Allowed"],
      ["kms:Decrypt", rendered.keys["platform-data-keys"]!, fieldKey, "Allowed"],
      ...rendered.buses.map((bus): [string, string, Record<string, string>, string] => ["events:PutEvents", bus, {}, "Allowed"]),
      ["logs:PutLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-support-signer:log-stream:x`), {}, "Allowed"],
      // never a credentials secret, another environment's key, or a write
      ["secretsmanager:GetSecretValue", secret("trust-callbacks/prod/credentials/RX1/ehr"), {}, "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", secret("trust-callbacks/staging/signing/RX1/ehr"), {}, "ImplicitlyDenied"],
      ["secretsmanager:GetSecretValue", secret(`events!connection/${PREFIX}-RX1-ehr/0f3c8f1e`), {}, "ImplicitlyDenied"],
      ["secretsmanager:PutSecretValue", secret("trust-callbacks/prod/signing/RX1/ehr"), {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys.secrets!, {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys.connections!, viaService("secretsmanager"), "ImplicitlyDenied"],
      // the keys only as documented: the field key for field keys, the main key through S3
      ["kms:Decrypt", rendered.keys["platform-data-keys"]!, {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys.main!, viaService("sqs"), "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys["platform-stream"]!, viaService("kinesis"), "ImplicitlyDenied"],
      // nothing else of the buckets, buses, queues, tables or functions
      ["s3:GetObject", `${config}/connection-sync/connections.json`, {}, "ImplicitlyDenied"],
      ["s3:PutObject", `${config}/subscriptions/RX1.json`, {}, "ImplicitlyDenied"],
      ["s3:PutObject", `arn:aws:s3:::${PREFIX}-quarantine-${ACCOUNT}/quarantine/x.json`, {}, "ImplicitlyDenied"],
      ["events:PutEvents", arn("events", "event-bus/trust-callbacks-staging-callbacks-0"), {}, "ImplicitlyDenied"],
      ["events:PutEvents", arn("events", "event-bus/default"), {}, "ImplicitlyDenied"],
      ["sqs:ReceiveMessage", arn("sqs", `${PREFIX}-RAJ123-dlq`), {}, "ImplicitlyDenied"],
      ["sqs:SendMessage", arn("sqs", `${PREFIX}-RAJ123-dlq`), {}, "ImplicitlyDenied"],
      ["dynamodb:PutItem", arn("dynamodb", `table/${PREFIX}-bindings`), {}, "ImplicitlyDenied"],
      ["lambda:InvokeFunction", arn("lambda", `function:${PREFIX}-transform-filter`), {}, "ImplicitlyDenied"],
      ["kinesis:GetRecords", stream, {}, "ImplicitlyDenied"],
      ["logs:PutLogEvents", arn("logs", `log-group:/aws/lambda/${PREFIX}-transform-filter:log-stream:x`), {}, "ImplicitlyDenied"],
    ];
    for (const [action, resource, context, expected] of cases) expect(decideAs(signer, "support_signer_role_policy", action, resource, context), `${action} ${resource}`).toBe(expected);
  });

  it("lets the operator invoke the signer and read the stream's ciphertext, and never read a key, unwrap a field key or invoke another function", () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ["lambda:InvokeFunction", signerFunction, {}, "Allowed"],
      ["kinesis:ListShards", stream, {}, "Allowed"],
      ["kinesis:GetShardIterator", stream, {}, "Allowed"],
      ["kinesis:GetRecords", stream, {}, "Allowed"],
      ["kms:Decrypt", rendered.keys["platform-stream"]!, viaService("kinesis"), "Allowed"],
      // never the transform function, connection-sync or another environment's signer
      ["lambda:InvokeFunction", arn("lambda", `function:${PREFIX}-transform-filter`), {}, "ImplicitlyDenied"],
      ["lambda:InvokeFunction", arn("lambda", `function:${PREFIX}-connection-sync`), {}, "ImplicitlyDenied"],
      ["lambda:InvokeFunction", arn("lambda", "function:trust-callbacks-staging-support-signer"), {}, "ImplicitlyDenied"],
      ["lambda:UpdateFunctionCode", signerFunction, {}, "ImplicitlyDenied"],
      ["lambda:UpdateFunctionConfiguration", signerFunction, {}, "ImplicitlyDenied"],
      // never a signing key, never a field data key: the signer decrypts and signs
      ["secretsmanager:GetSecretValue", secret("trust-callbacks/prod/signing/RX1/ehr"), {}, "ExplicitlyDenied"],
      ["kms:Decrypt", rendered.keys["platform-data-keys"]!, fieldKey, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys["platform-stream"]!, {}, "ImplicitlyDenied"],
      ["kms:Decrypt", rendered.keys.secrets!, viaService("secretsmanager"), "ImplicitlyDenied"],
      // the stream: read only, this one only
      ["kinesis:PutRecords", stream, {}, "ImplicitlyDenied"],
      ["kinesis:GetRecords", arn("kinesis", "stream/another-stream"), {}, "ImplicitlyDenied"],
    ];
    for (const [action, resource, context, expected] of cases) expect(decideAs(operator, "support_operator_role_policy", action, resource, context), `${action} ${resource}`).toBe(expected);
  });

  it("lets no other role invoke the signer: not the viewer, not a role the pipeline runs as", () => {
    const others: [string, string][] = [
      [viewer, "support_viewer_role_policy"],
      [role(`${PREFIX}-transform-filter`), "lambda_role_policy"],
      [role(`${PREFIX}-pipe`), "pipe_role_policy"],
      [role(`${PREFIX}-api-destinations`), "api_destinations_role_policy"],
      [role(`${PREFIX}-connection-sync`), "connection_sync_role_policy"],
      [signer, "support_signer_role_policy"],
    ];
    for (const [principal, policy] of others) expect(decideAs(principal, policy, "lambda:InvokeFunction", signerFunction), policy).toBe("ImplicitlyDenied");
    expect(decideAs(viewer, "support_viewer_role_policy", "kinesis:GetRecords", stream)).toBe("ImplicitlyDenied");
  });
});

// docs/guarantees.md 10.41-10.45 (issue #25): who may touch the hold stores, the holds and notices tables, the trust
// topics and the two keys; every role the deployment has, so a grant added to the wrong role shows here.
describe("holds and trust notices", () => {
  const policyOf: Record<string, string> = {
    transform: "lambda_role_policy",
    signer: "support_signer_role_policy",
    drain: "hold_drain_role_policy",
    notifier: "notifier_role_policy",
    viewer: "support_viewer_role_policy",
    operator: "support_operator_role_policy",
    pipe: "pipe_role_policy",
    destinations: "api_destinations_role_policy",
    sync: "connection_sync_role_policy",
  };
  const principalOf: Record<string, string> = {
    transform: role(`${PREFIX}-transform-filter`),
    signer: role(`${PREFIX}-support-signer`),
    drain: role(`${PREFIX}-hold-drain`),
    notifier: role(`${PREFIX}-notifier`),
    viewer: role(`${PREFIX}-support-viewer`),
    operator: role(`${PREFIX}-support-operator`),
    pipe: role(`${PREFIX}-pipe`),
    destinations: role(`${PREFIX}-api-destinations`),
    sync: role(`${PREFIX}-connection-sync`),
  };
  const everyone = Object.keys(policyOf);
  const as = (who: string, action: string, resource: string, context: Record<string, string> = {}, resourcePolicy?: PolicyDocument) =>
    decide({ principal: principalOf[who]!, action, resource, context, identityPolicies: [doc(policyOf[who]!)], resourcePolicy });

  const holdStore = arn("sqs", `${PREFIX}-RAJ123-ehr-main-hold.fifo`);
  const otherTrustsStore = arn("sqs", `${PREFIX}-RX1-pas-hold.fifo`);
  const stagingStore = arn("sqs", "trust-callbacks-staging-RAJ123-ehr-main-hold.fifo");
  const otherAccountStore = `arn:aws:sqs:${REGION}:999999999999:${PREFIX}-RAJ123-ehr-main-hold.fifo`;
  const trustDlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);
  const receive = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"];

  it("let the transform Lambda and the support signer only send to this deployment's hold stores (10.41)", () => {
    for (const who of ["transform", "signer"]) {
      for (const store of [holdStore, otherTrustsStore]) expect(as(who, "sqs:SendMessage", store), `${who} send`).toBe("Allowed");
      for (const action of [...receive, "sqs:PurgeQueue", "sqs:GetQueueAttributes"]) expect(as(who, action, holdStore), `${who} ${action}`).toBe("ImplicitlyDenied");
      for (const store of [stagingStore, otherAccountStore, trustDlq]) expect(as(who, "sqs:SendMessage", store), `${who} send ${store}`).toBe("ImplicitlyDenied");
    }
  });

  it("let only the drain receive and delete held deliveries, never send, purge or hide them longer (10.41)", () => {
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]) {
      for (const store of [holdStore, otherTrustsStore]) expect(as("drain", action, store), `drain ${action}`).toBe("Allowed");
      for (const store of [stagingStore, otherAccountStore, trustDlq]) expect(as("drain", action, store), `drain ${action} ${store}`).toBe("ImplicitlyDenied");
    }
    for (const action of ["sqs:ChangeMessageVisibility", "sqs:SendMessage", "sqs:PurgeQueue", "sqs:SetQueueAttributes", "sqs:DeleteQueue"]) expect(as("drain", action, holdStore), action).toBe("ImplicitlyDenied");
    for (const who of everyone.filter((name) => name !== "drain")) {
      for (const action of receive) expect(as(who, action, holdStore), `${who} ${action}`).not.toBe("Allowed");
    }
  });

  it("let the support roles list alarm states for the console, and never change an alarm (7.20)", () => {
    const alarm = arn("cloudwatch", `alarm:${PREFIX}-RAJ123-dlq-not-empty`);
    for (const who of ["viewer", "operator"]) {
      expect(as(who, "cloudwatch:DescribeAlarms", "*"), `${who} DescribeAlarms`).toBe("Allowed");
      for (const action of ["cloudwatch:PutMetricAlarm", "cloudwatch:SetAlarmState", "cloudwatch:DeleteAlarms", "cloudwatch:DisableAlarmActions"]) {
        expect(as(who, action, alarm), `${who} ${action}`).toBe("ImplicitlyDenied");
      }
    }
  });

  it("let the support roles read a hold store's depth and nothing else of it, while the operator still handles dead letters (10.41, 10.45)", () => {
    // [role, action, queue, expected]
    const cases: [string, string, string, string][] = [
      ["viewer", "sqs:GetQueueAttributes", holdStore, "Allowed"],
      ["operator", "sqs:GetQueueAttributes", holdStore, "Allowed"],
      ...["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:PurgeQueue", "sqs:SendMessage"].flatMap((action): [string, string, string, string][] => [
        ["viewer", action, holdStore, "ExplicitlyDenied"],
        ["operator", action, holdStore, "ExplicitlyDenied"],
      ]),
      ["operator", "sqs:ReceiveMessage", trustDlq, "Allowed"],
      ["operator", "sqs:PurgeQueue", trustDlq, "Allowed"],
      ["operator", "sqs:GetQueueAttributes", stagingStore, "ImplicitlyDenied"],
    ];
    for (const [who, action, queue, expected] of cases) expect(as(who, action, queue), `${who} ${action} ${queue}`).toBe(expected);
  });

  it("let the holds key be used through SQS only: producers encrypt, only the drain decrypts as a consumer (10.40, 10.41)", () => {
    const key = rendered.keys.holds!;
    const keyPolicy = doc("holds_key_policy");
    const viaSqs = { "kms:ViaService": `sqs.${REGION}.amazonaws.com` };
    // [role, action, context, expected] with the role's IAM policy and the key policy
    const cases: [string, string, Record<string, string>, string][] = [
      ["transform", "kms:GenerateDataKey", viaSqs, "Allowed"],
      ["transform", "kms:Decrypt", viaSqs, "Allowed"], // SQS requires it of a producer; receiving is refused by IAM above
      ["signer", "kms:GenerateDataKey", viaSqs, "Allowed"],
      ["drain", "kms:Decrypt", viaSqs, "Allowed"],
      ["drain", "kms:GenerateDataKey", viaSqs, "ImplicitlyDenied"],
      ["transform", "kms:Decrypt", { "kms:ViaService": `s3.${REGION}.amazonaws.com` }, "ImplicitlyDenied"],
      ["drain", "kms:Decrypt", {}, "ImplicitlyDenied"],
      ["transform", "kms:ReEncryptFrom", viaSqs, "ImplicitlyDenied"],
      ["drain", "kms:CreateGrant", viaSqs, "ImplicitlyDenied"],
      ...["viewer", "operator", "notifier", "pipe", "destinations", "sync"].map((who): [string, string, Record<string, string>, string] => [who, "kms:Decrypt", viaSqs, "ImplicitlyDenied"]),
    ];
    for (const [who, action, context, expected] of cases) expect(as(who, action, key, context, keyPolicy), `${who} ${action}`).toBe(expected);
    // The key policy alone names the drain (decrypt) and the producers (encrypt), through SQS; nobody else.
    const byKeyPolicy = (principal: string, action: string, context: Record<string, string>) => decide({ principal, action, resource: key, context, resourcePolicy: keyPolicy });
    expect(byKeyPolicy(principalOf.drain!, "kms:Decrypt", viaSqs)).toBe("Allowed");
    expect(byKeyPolicy(principalOf.transform!, "kms:GenerateDataKey", viaSqs)).toBe("Allowed");
    expect(byKeyPolicy(principalOf.drain!, "kms:GenerateDataKey", viaSqs)).toBe("ImplicitlyDenied");
    expect(byKeyPolicy(principalOf.operator!, "kms:Decrypt", viaSqs)).toBe("ImplicitlyDenied");
    expect(byKeyPolicy(nobody, "kms:Decrypt", viaSqs)).toBe("ImplicitlyDenied");
    expect(byKeyPolicy(otherAccountAdmin, "kms:Decrypt", viaSqs)).toBe("ImplicitlyDenied");
    expect(byKeyPolicy("sqs.amazonaws.com", "kms:Decrypt", viaSqs)).toBe("ImplicitlyDenied");
  });

  it("let each role use the holds and notices tables with the operations its part needs, and no other (10.44, 10.45)", () => {
    const holds = arn("dynamodb", `table/${PREFIX}-holds`);
    const notices = arn("dynamodb", `table/${PREFIX}-notices`);
    const bindings = arn("dynamodb", `table/${PREFIX}-bindings`);
    const stagingHolds = arn("dynamodb", "table/trust-callbacks-staging-holds");
    const allowed: Record<string, Record<string, string[]>> = {
      // Exactly the calls each part's code makes (adapters: dynamodb-hold-states.ts, notices.ts, the notifier's).
      transform: { [holds]: ["dynamodb:BatchGetItem", "dynamodb:PutItem"], [notices]: [] },
      signer: { [holds]: ["dynamodb:BatchGetItem", "dynamodb:PutItem"], [notices]: [] },
      drain: { [holds]: ["dynamodb:Scan", "dynamodb:PutItem", "dynamodb:DeleteItem"], [notices]: ["dynamodb:PutItem", "dynamodb:GetItem"] },
      notifier: { [holds]: [], [notices]: ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] },
      viewer: { [holds]: ["dynamodb:BatchGetItem", "dynamodb:Scan"], [notices]: [] },
      operator: { [holds]: ["dynamodb:BatchGetItem", "dynamodb:Scan", "dynamodb:PutItem"], [notices]: [] },
      pipe: { [holds]: [], [notices]: [] },
      destinations: { [holds]: [], [notices]: [] },
      sync: { [holds]: [], [notices]: [] },
    };
    const actions = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:DeleteTable", "dynamodb:UpdateTable"];
    for (const [who, tables] of Object.entries(allowed)) {
      for (const [table, granted] of Object.entries(tables)) {
        for (const action of actions) expect(as(who, action, table), `${who} ${action} ${table}`).toBe(granted.includes(action) ? "Allowed" : "ImplicitlyDenied");
      }
      for (const action of actions) expect(as(who, action, stagingHolds), `${who} ${action} staging`).toBe("ImplicitlyDenied");
      if (who !== "transform") expect(as(who, "dynamodb:GetItem", bindings), `${who} bindings`).toBe("ImplicitlyDenied");
    }
    // The main key through DynamoDB, for the tables each role is granted (the table's encryption context names it).
    const main = rendered.keys.main!;
    const viaTable = (name: string) => ({ "kms:ViaService": `dynamodb.${REGION}.amazonaws.com`, "kms:EncryptionContext:aws:dynamodb:tableName": `${PREFIX}-${name}` });
    const keyCases: [string, string, string][] = [
      ["transform", "holds", "Allowed"], ["transform", "notices", "ImplicitlyDenied"],
      ["signer", "holds", "Allowed"], ["signer", "notices", "ImplicitlyDenied"],
      ["drain", "holds", "Allowed"], ["drain", "notices", "Allowed"], ["drain", "bindings", "ImplicitlyDenied"],
      ["notifier", "notices", "Allowed"], ["notifier", "holds", "ImplicitlyDenied"],
      ["viewer", "holds", "Allowed"], ["viewer", "notices", "ImplicitlyDenied"],
      ["operator", "holds", "Allowed"], ["operator", "notices", "ImplicitlyDenied"],
      ["pipe", "holds", "ImplicitlyDenied"], ["sync", "notices", "ImplicitlyDenied"],
    ];
    for (const [who, table, expected] of keyCases) expect(as(who, "kms:Decrypt", main, viaTable(table), doc("main_key_policy")), `${who} ${table}`).toBe(expected);
  });

  it("let only the notifier publish to this deployment's trust topics, with the notices key through SNS only (10.42, 10.45)", () => {
    const topic = arn("sns", `${PREFIX}-RAJ123-notices`);
    const otherTrust = arn("sns", `${PREFIX}-RX1-notices`);
    const stagingTopic = arn("sns", "trust-callbacks-staging-RAJ123-notices");
    const alarmTopic = arn("sns", `${PREFIX}-alarms`);
    for (const target of [topic, otherTrust]) expect(as("notifier", "sns:Publish", target)).toBe("Allowed");
    for (const target of [stagingTopic, alarmTopic]) expect(as("notifier", "sns:Publish", target), target).toBe("ImplicitlyDenied");
    for (const action of ["sns:Subscribe", "sns:SetTopicAttributes", "sns:DeleteTopic"]) expect(as("notifier", action, topic), action).toBe("ImplicitlyDenied");
    for (const who of ["transform", "signer", "drain", "pipe", "destinations", "sync"]) expect(as(who, "sns:Publish", topic), who).toBe("ImplicitlyDenied");
    for (const who of ["viewer", "operator"]) expect(as(who, "sns:Publish", topic), who).toBe("ExplicitlyDenied");

    const key = rendered.keys.notices!;
    const keyPolicy = doc("notices_key_policy");
    const viaSns = { "kms:ViaService": `sns.${REGION}.amazonaws.com` };
    for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
      expect(as("notifier", action, key, viaSns, keyPolicy), action).toBe("Allowed");
      expect(decide({ principal: principalOf.notifier!, action, resource: key, context: viaSns, resourcePolicy: keyPolicy }), `${action} by key policy`).toBe("Allowed");
      expect(as("notifier", action, key, { "kms:ViaService": `sqs.${REGION}.amazonaws.com` }, keyPolicy), `${action} via sqs`).toBe("ImplicitlyDenied");
      for (const who of everyone.filter((name) => name !== "notifier")) expect(as(who, action, key, viaSns, keyPolicy), `${who} ${action}`).toBe("ImplicitlyDenied");
    }
    expect(decide({ principal: "sns.amazonaws.com", action: "kms:Decrypt", resource: key, context: viaSns, resourcePolicy: keyPolicy })).toBe("ImplicitlyDenied");
    expect(decide({ principal: otherAccountAdmin, action: "kms:Decrypt", resource: key, identityPolicies: [adminPolicy], resourcePolicy: keyPolicy })).toBe("ImplicitlyDenied");
  });

  // The topic's own policy (modules/policies/trust-topic) replaces SNS's default, which lets every principal of the
  // account publish: even a role whose IAM policy allows sns:Publish everywhere is refused, unless it is the notifier.
  it("let a trust's topic be published to by the notifier alone, whatever another role's IAM policy allows (10.42)", () => {
    const topic = arn("sns", `${PREFIX}-RAJ123-notices`);
    const topicPolicy = doc("trust_topic_policy");
    const publishEverywhere: PolicyDocument = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sns:Publish", Resource: "*" }] };
    const publish = (principal: string, identityPolicies: PolicyDocument[]) =>
      decide({ principal, action: "sns:Publish", resource: topic, context: { "aws:PrincipalArn": principal }, identityPolicies, resourcePolicy: topicPolicy });
    // [who, identity policies, expected]
    const cases: [string, PolicyDocument[], string][] = [
      [principalOf.notifier!, [doc("notifier_role_policy")], "Allowed"],
      [principalOf.notifier!, [], "Allowed"], // the topic policy names it
      [principalOf.drain!, [publishEverywhere], "ExplicitlyDenied"],
      [principalOf.operator!, [adminPolicy], "ExplicitlyDenied"],
      [admin, [adminPolicy], "ExplicitlyDenied"],
      [nobody, [], "ExplicitlyDenied"],
      [otherAccountAdmin, [adminPolicy], "ExplicitlyDenied"],
    ];
    for (const [who, identityPolicies, expected] of cases) expect(publish(who, identityPolicies), who).toBe(expected);
    // The account still administers the topic (IAM decides who); another account does not.
    const administer = (principal: string, action: string) => decide({ principal, action, resource: topic, context: { "aws:PrincipalArn": principal }, identityPolicies: [adminPolicy], resourcePolicy: topicPolicy });
    for (const action of ["sns:SetTopicAttributes", "sns:Subscribe", "sns:DeleteTopic"]) {
      expect(administer(admin, action), action).toBe("Allowed");
      expect(administer(otherAccountAdmin, action), `other account ${action}`).not.toBe("Allowed");
    }
    expect(decide({ principal: principalOf.notifier!, action: "sns:Subscribe", resource: topic, context: { "aws:PrincipalArn": principalOf.notifier! }, identityPolicies: [doc("notifier_role_policy")], resourcePolicy: topicPolicy })).toBe("ImplicitlyDenied");
  });

  it("keep the account-root statement on both keys, so the administrator can still alias and administer them", () => {
    for (const [policy, key] of [["holds_key_policy", "holds"], ["notices_key_policy", "notices"]] as const) {
      for (const action of ["kms:CreateAlias", "kms:DeleteAlias", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"]) {
        expect(decide({ principal: admin, action, resource: rendered.keys[key]!, identityPolicies: [adminPolicy], resourcePolicy: doc(policy) }), `${policy} ${action}`).toBe("Allowed");
      }
    }
  });

  it("let the drain re-sign and publish as the signer does, and nothing the signer's replay needs (no field data keys)", () => {
    const bus = rendered.buses[0]!;
    expect(as("drain", "events:PutEvents", bus)).toBe("Allowed");
    expect(as("drain", "events:PutEvents", arn("events", "event-bus/trust-callbacks-staging-callbacks-0"))).toBe("ImplicitlyDenied");
    expect(as("drain", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/signing/RAJ123/ehr-main-AbCdEf"))).toBe("Allowed");
    expect(as("drain", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/credentials/RAJ123/ehr-main-AbCdEf"))).toBe("ImplicitlyDenied");
    expect(as("drain", "kms:Decrypt", rendered.keys["platform-data-keys"]!, { "kms:EncryptionContext:purpose": "trust-callbacks-field-key" }, defaultKeyPolicy)).toBe("ImplicitlyDenied");
    expect(as("drain", "s3:PutObject", `arn:aws:s3:::${PREFIX}-quarantine-${ACCOUNT}/quarantine/x`)).toBe("ImplicitlyDenied");
    expect(as("notifier", "events:PutEvents", bus)).toBe("ImplicitlyDenied");
    expect(as("notifier", "secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/signing/RAJ123/ehr-main-AbCdEf"))).toBe("ImplicitlyDenied");
  });
});

describe("every document", () => {
  // docs/guarantees.md 5.9.
  it("keeps each pipeline role off the keys, queues and buses that are not its own", () => {
    const trustDlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);
    const busDlq = arn("sqs", `${PREFIX}-bus-dlq`);
    const pipeDlq = arn("sqs", `${PREFIX}-pipe-dlq`);
    const bus = rendered.buses[0]!;
    const deadLetters = rendered.keys["dead-letters"]!;
    const roles: [string, string][] = [
      [role(`${PREFIX}-transform-filter`), "lambda_role_policy"],
      [role(`${PREFIX}-pipe`), "pipe_role_policy"],
      [role(`${PREFIX}-api-destinations`), "api_destinations_role_policy"],
      [role(`${PREFIX}-connection-sync`), "connection_sync_role_policy"],
    ];
    // [role policy, action, resource, context, expected]
    const cases: [string, string, string, Record<string, string>, string][] = [
      ["lambda_role_policy", "events:PutEvents", bus, {}, "Allowed"],
      ["pipe_role_policy", "sqs:SendMessage", pipeDlq, {}, "Allowed"],
      ...["lambda_role_policy", "pipe_role_policy", "api_destinations_role_policy", "connection_sync_role_policy"].flatMap((name): [string, string, string, Record<string, string>, string][] => [
        [name, "sqs:ReceiveMessage", trustDlq, {}, "ImplicitlyDenied"],
        [name, "sqs:PurgeQueue", busDlq, {}, "ImplicitlyDenied"],
        [name, "sqs:SendMessage", trustDlq, {}, "ImplicitlyDenied"],
        [name, "kms:Decrypt", deadLetters, { "kms:ViaService": `sqs.${REGION}.amazonaws.com` }, "ImplicitlyDenied"],
        [name, "events:PutEvents", arn("events", "event-bus/trust-callbacks-staging-callbacks-0"), {}, "ImplicitlyDenied"],
      ]),
      ["pipe_role_policy", "events:PutEvents", bus, {}, "ImplicitlyDenied"],
      ["api_destinations_role_policy", "events:PutEvents", bus, {}, "ImplicitlyDenied"],
      ["connection_sync_role_policy", "events:PutEvents", bus, {}, "ImplicitlyDenied"],
      ["lambda_role_policy", "sqs:SendMessage", pipeDlq, {}, "ImplicitlyDenied"],
      ["lambda_role_policy", "kms:Decrypt", rendered.keys.main!, { "kms:ViaService": `sqs.${REGION}.amazonaws.com` }, "ImplicitlyDenied"],
      ["lambda_role_policy", "kms:Decrypt", rendered.keys.connections!, { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` }, "ImplicitlyDenied"],
      ["pipe_role_policy", "kms:Decrypt", rendered.keys.main!, { "kms:ViaService": `s3.${REGION}.amazonaws.com` }, "ImplicitlyDenied"],
      ["pipe_role_policy", "kinesis:GetRecords", arn("kinesis", "stream/another-stream"), {}, "ImplicitlyDenied"],
    ];
    const keyPolicyOf = (resource: string) =>
      resource === deadLetters ? doc("dead_letters_key_policy") : resource === rendered.keys.connections ? doc("connections_key_policy") : resource === rendered.keys.main ? doc("main_key_policy") : undefined;
    for (const [name, action, resource, context, expected] of cases) {
      const principal = roles.find(([, policy]) => policy === name)![0];
      expect(decide({ principal, action, resource, context, identityPolicies: [doc(name)], resourcePolicy: keyPolicyOf(resource) }), `${name} ${action} ${resource}`).toBe(expected);
    }
  });

  it("is valid policy syntax", () => {
    const kinds: Record<string, "identity" | "resource" | "trust"> = {
      lambda_role_policy: "identity", pipe_role_policy: "identity", api_destinations_role_policy: "identity", connection_sync_role_policy: "identity",
      lambda_trust_policy: "trust", pipe_trust_policy: "trust", api_destinations_trust_policy: "trust", connection_sync_trust_policy: "trust",
      support_viewer_role_policy: "identity", support_operator_role_policy: "identity",
      support_viewer_trust_policy: "trust", support_operator_trust_policy: "trust",
      support_signer_role_policy: "identity", support_signer_trust_policy: "trust",
      hold_drain_role_policy: "identity", hold_drain_trust_policy: "trust", notifier_role_policy: "identity", notifier_trust_policy: "trust",
    };
    for (const [name, document] of Object.entries(rendered.documents)) {
      expect(policyErrors(document, kinds[name] ?? "resource"), name).toEqual([]);
    }
  });

  it("grants the roles the pipeline runs as no wildcard action (key policies keep the documented account-root kms:*)", () => {
    for (const name of ["lambda_role_policy", "pipe_role_policy", "api_destinations_role_policy", "connection_sync_role_policy", "support_viewer_role_policy", "support_operator_role_policy", "support_signer_role_policy", "hold_drain_role_policy", "notifier_role_policy"]) {
      const actions = doc(name).Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
      expect(actions.filter((action) => action.includes("*")), name).toEqual([]);
    }
  });

  it("fits its quota at the largest scale the deployment allows, with realistic names (IAM counts characters without whitespace)", () => {
    const sizes = Object.fromEntries(Object.entries(rendered.text).map(([name, text]) => [name, text.length]));
    // IAM User Guide, "IAM and AWS STS quotas": all inline policies of a role together, 10,240 characters.
    for (const name of ["lambda_role_policy", "pipe_role_policy", "api_destinations_role_policy", "connection_sync_role_policy", "support_viewer_role_policy", "support_operator_role_policy", "support_signer_role_policy", "hold_drain_role_policy", "notifier_role_policy"]) expect(sizes[name], name).toBeLessThan(10_240);
    // KMS Developer Guide, "Quotas": a key policy document is at most 32 KB.
    for (const name of ["main_key_policy", "dead_letters_key_policy", "connections_key_policy", "holds_key_policy", "notices_key_policy"]) expect(sizes[name], name).toBeLessThan(32_768);
    // IAM: a role trust policy is at most 2,048 characters by default.
    // The support roles' trust policies are rendered with the most principals the variable allows (10), long SSO role ARNs.
    for (const name of ["lambda_trust_policy", "pipe_trust_policy", "api_destinations_trust_policy", "connection_sync_trust_policy", "support_viewer_trust_policy", "support_operator_trust_policy", "support_signer_trust_policy", "hold_drain_trust_policy", "notifier_trust_policy"]) expect(sizes[name], name).toBeLessThan(2_048);
    // Amazon SQS Developer Guide, "Amazon SQS quotas": a queue policy is at most 8,192 bytes; S3 bucket policies 20 KB.
    for (const name of ["trust_dlq_policy", "bus_dlq_policy"]) expect(sizes[name], name).toBeLessThan(8_192);
    // Amazon SNS Developer Guide, "Amazon SNS quotas": a topic's access policy is at most 30 KiB.
    expect(sizes.trust_topic_policy, "trust_topic_policy").toBeLessThan(30_720);
  });

  it("does not grow with the number of trusts: the same documents at 10 and at 1,000 trusts", () => {
    // Nothing of the environment-wide documents depends on the trusts; only the number of buses changes them.
    const few = renderPolicies({ namePrefix: PREFIX, accountId: ACCOUNT, region: REGION, busCount: 12, endpointsPerTrust: 1 });
    for (const name of Object.keys(rendered.text).filter((n) => n !== "trust_dlq_policy")) {
      expect(few.text[name], name).toBe(rendered.text[name]);
    }
  }, 60_000);
});
