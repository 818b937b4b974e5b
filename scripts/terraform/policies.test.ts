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

  it("let EventBridge write dead letters with the dead-letters key whatever condition keys reach KMS, and do nothing else with it", () => {
    const key = rendered.keys["dead-letters"]!;
    const dlq = arn("sqs", `${PREFIX}-RAJ123-dlq`);
    const contexts: Record<string, string>[] = [{}, { "aws:SourceAccount": ACCOUNT }, { "kms:EncryptionContext:aws:sqs:arn": dlq }];
    for (const context of contexts) {
      for (const action of ["kms:GenerateDataKey", "kms:Decrypt"]) {
        expect(decide(keyRequest("events.amazonaws.com", action, key, { context, resourcePolicy: doc("dead_letters_key_policy") }))).toBe("Allowed");
      }
    }
    for (const action of ["kms:Encrypt", "kms:CreateGrant", "kms:ReEncryptFrom", "kms:PutKeyPolicy"]) {
      expect(decide(keyRequest("events.amazonaws.com", action, key, { resourcePolicy: doc("dead_letters_key_policy") }))).toBe("ImplicitlyDenied");
    }
  });

  it("let CloudWatch Logs use the main key for this deployment's log groups only", () => {
    const key = rendered.keys.main!;
    const principal = `logs.${REGION}.amazonaws.com`;
    for (const group of [`/aws/lambda/${PREFIX}-transform-filter`, `/aws/vendedlogs/pipes/${PREFIX}-source`]) {
      const context = { "kms:EncryptionContext:aws:logs:arn": arn("logs", `log-group:${group}`) };
      expect(decide(keyRequest(principal, "kms:GenerateDataKey", key, { context, resourcePolicy: doc("main_key_policy") })), group).toBe("Allowed");
    }
    expect(decide(keyRequest(principal, "kms:Decrypt", key, {
      context: { "kms:EncryptionContext:aws:logs:arn": arn("logs", "log-group:/aws/lambda/another-function") }, resourcePolicy: doc("main_key_policy"),
    }))).toBe("ImplicitlyDenied");
  });

  it("let DynamoDB read the main key's metadata, and use it only on behalf of a principal IAM allows", () => {
    const key = rendered.keys.main!;
    expect(decide(keyRequest("dynamodb.amazonaws.com", "kms:DescribeKey", key, { resourcePolicy: doc("main_key_policy") }))).toBe("Allowed");
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]) {
      expect(decide(keyRequest("dynamodb.amazonaws.com", action, key, { resourcePolicy: doc("main_key_policy") })), action).toBe("ImplicitlyDenied");
    }
  });

  it("let CloudWatch alarms publish to the encrypted alarm topic", () => {
    expect(decide(keyRequest("cloudwatch.amazonaws.com", "kms:GenerateDataKey", rendered.keys.main!, { resourcePolicy: doc("main_key_policy") }))).toBe("Allowed");
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

  it("reads signing secrets under the deployment's prefix only, with one statement whatever the number of endpoints", () => {
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/RAJ123/bleep-alerts/signing-AbCdEf"))).toBe("Allowed");
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/RAJ123/bleep-alerts/auth-AbCdEf"))).toBe("Allowed");
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/staging/RX1/ehr/signing-AbCdEf"))).toBe("ImplicitlyDenied");
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/production/RX1/ehr/signing-AbCdEf"))).toBe("ImplicitlyDenied");
    expect(as("secretsmanager:PutSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/RX1/ehr/signing-AbCdEf"))).toBe("ImplicitlyDenied");
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

  it("reads this deployment's credentials secrets only, and never writes them", () => {
    expect(longest).toHaveLength(64);
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/prod/RAJ123/bleep-alerts/auth-AbCdEf"))).toBe("Allowed");
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:trust-callbacks/staging/RX1/ehr/auth-AbCdEf"))).toBe("ImplicitlyDenied");
    expect(as("secretsmanager:GetSecretValue", arn("secretsmanager", "secret:some-other-team/db-password-AbCdEf"))).toBe("ImplicitlyDenied");
    for (const action of ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:RotateSecret"]) {
      expect(as(action, arn("secretsmanager", "secret:trust-callbacks/prod/RAJ123/bleep-alerts/auth-AbCdEf")), action).toBe("ImplicitlyDenied");
    }
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
    for (const [name, service] of [["lambda_trust_policy", "lambda.amazonaws.com"], ["pipe_trust_policy", "pipes.amazonaws.com"], ["api_destinations_trust_policy", "events.amazonaws.com"], ["connection_sync_trust_policy", "lambda.amazonaws.com"]] as const) {
      const role = `arn:aws:iam::${ACCOUNT}:role/${PREFIX}-role`;
      const assume = (principal: string, sourceAccount: string) => decide({ principal, action: "sts:AssumeRole", resource: role, context: { "aws:SourceAccount": sourceAccount }, resourcePolicy: doc(name) });
      expect(assume(service, ACCOUNT), name).toBe("Allowed");
      expect(assume(service, "999999999999"), name).toBe("ImplicitlyDenied");
      expect(assume("ec2.amazonaws.com", ACCOUNT), name).toBe("ImplicitlyDenied");
    }
  });
});

describe("every document", () => {
  it("is valid policy syntax", () => {
    const kinds: Record<string, "identity" | "resource" | "trust"> = {
      lambda_role_policy: "identity", pipe_role_policy: "identity", api_destinations_role_policy: "identity", connection_sync_role_policy: "identity",
      lambda_trust_policy: "trust", pipe_trust_policy: "trust", api_destinations_trust_policy: "trust", connection_sync_trust_policy: "trust",
    };
    for (const [name, document] of Object.entries(rendered.documents)) {
      expect(policyErrors(document, kinds[name] ?? "resource"), name).toEqual([]);
    }
  });

  it("grants the roles the pipeline runs as no wildcard action (key policies keep the documented account-root kms:*)", () => {
    for (const name of ["lambda_role_policy", "pipe_role_policy", "api_destinations_role_policy", "connection_sync_role_policy"]) {
      const actions = doc(name).Statement.filter((s) => s.Effect === "Allow").flatMap((s) => [s.Action].flat());
      expect(actions.filter((action) => action.includes("*")), name).toEqual([]);
    }
  });

  it("fits its quota at the largest scale the deployment allows, with realistic names (IAM counts characters without whitespace)", () => {
    const sizes = Object.fromEntries(Object.entries(rendered.text).map(([name, text]) => [name, text.length]));
    // IAM User Guide, "IAM and AWS STS quotas": all inline policies of a role together, 10,240 characters.
    for (const name of ["lambda_role_policy", "pipe_role_policy", "api_destinations_role_policy", "connection_sync_role_policy"]) expect(sizes[name], name).toBeLessThan(10_240);
    // KMS Developer Guide, "Quotas": a key policy document is at most 32 KB.
    for (const name of ["main_key_policy", "dead_letters_key_policy", "connections_key_policy"]) expect(sizes[name], name).toBeLessThan(32_768);
    // IAM: a role trust policy is at most 2,048 characters by default.
    for (const name of ["lambda_trust_policy", "pipe_trust_policy", "api_destinations_trust_policy", "connection_sync_trust_policy"]) expect(sizes[name], name).toBeLessThan(2_048);
    // Amazon SQS Developer Guide, "Amazon SQS quotas": a queue policy is at most 8,192 bytes; S3 bucket policies 20 KB.
    for (const name of ["trust_dlq_policy", "bus_dlq_policy"]) expect(sizes[name], name).toBeLessThan(8_192);
  });

  it("does not grow with the number of trusts: the same documents at 10 and at 1,000 trusts", () => {
    // Nothing of the environment-wide documents depends on the trusts; only the number of buses changes them.
    const few = renderPolicies({ namePrefix: PREFIX, accountId: ACCOUNT, region: REGION, busCount: 12, endpointsPerTrust: 1 });
    for (const name of Object.keys(rendered.text).filter((n) => n !== "trust_dlq_policy")) {
      expect(few.text[name], name).toBe(rendered.text[name]);
    }
  }, 60_000);
});
