import { describe, expect, it } from "vitest";
import { parseTrigger, secretNameOf } from "./trigger.ts";

const ARN = "arn:aws:secretsmanager:eu-west-2:123456789012:secret:trust-callbacks/test/credentials/RX1/ehr-AbCdEf";

describe("parseTrigger", () => {
  it.each([
    ["the schedule", { source: "aws.events", "detail-type": "Scheduled Event", detail: {} }, { request: { action: "reconcile" }, source: "schedule" }],
    ["a direct reconcile", { action: "reconcile" }, { request: { action: "reconcile" }, source: "direct" }],
    [
      "Terraform's apply-time request",
      { action: "sync", connections: [{ name: "tc-RX1-ehr", credentialsSecret: "s", auth: "basic" }] },
      { request: { action: "sync", force: true, connections: [{ name: "tc-RX1-ehr", credentialsSecret: "s", auth: "basic" }] }, source: "direct" },
    ],
    ["the CLI's names", { action: "sync", force: false, connections: ["tc-RX1-ehr"] }, { request: { action: "sync", force: false, connections: [{ name: "tc-RX1-ehr" }] }, source: "direct" }],
    [
      "Secret Label Updated (AWSCURRENT)",
      { source: "aws.secretsmanager", "detail-type": "Secret Label Updated", resources: [ARN], detail: { name: "trust-callbacks/test/credentials/RX1/ehr", labelUpdated: "AWSCURRENT", versionId: "v" } },
      { request: { action: "secret-changed", secretName: "trust-callbacks/test/credentials/RX1/ehr" }, source: "secretsmanager:Secret Label Updated" },
    ],
    [
      "CloudTrail PutSecretValue (ARN in the response)",
      { source: "aws.secretsmanager", "detail-type": "AWS API Call via CloudTrail", detail: { eventName: "PutSecretValue", requestParameters: { secretId: "whatever" }, responseElements: { arn: ARN } } },
      { request: { action: "secret-changed", secretName: "trust-callbacks/test/credentials/RX1/ehr" }, source: "secretsmanager:AWS API Call via CloudTrail:PutSecretValue" },
    ],
    [
      "CloudTrail UpdateSecret before February 2024 (aRN)",
      { source: "aws.secretsmanager", "detail-type": "AWS API Call via CloudTrail", detail: { eventName: "UpdateSecret", responseElements: { aRN: ARN } } },
      { request: { action: "secret-changed", secretName: "trust-callbacks/test/credentials/RX1/ehr" }, source: "secretsmanager:AWS API Call via CloudTrail:UpdateSecret" },
    ],
    [
      "CloudTrail RotationSucceeded",
      { source: "aws.secretsmanager", "detail-type": "AWS Service Event via CloudTrail", detail: { eventName: "RotationSucceeded", additionalEventData: { SecretId: ARN } } },
      { request: { action: "secret-changed", secretName: "trust-callbacks/test/credentials/RX1/ehr" }, source: "secretsmanager:AWS Service Event via CloudTrail:RotationSucceeded" },
    ],
  ])("reads %s", (_name, payload, trigger) => {
    expect(parseTrigger(payload)).toEqual(trigger);
  });

  it.each([
    ["another label", { source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "n", labelUpdated: "AWSPREVIOUS" } }, /only AWSCURRENT/],
    ["a failed API call", { source: "aws.secretsmanager", "detail-type": "AWS API Call via CloudTrail", detail: { eventName: "PutSecretValue", errorCode: "AccessDenied", requestParameters: { secretId: "n" } } }, /failed \(AccessDenied\)/],
    ["another service", { source: "aws.s3", "detail-type": "Object Created", detail: {} }, /not a trigger/],
    ["a sync without connections", { action: "sync", connections: [] }, /not an EventBridge event/],
    ["an unknown auth type", { action: "sync", connections: [{ name: "x", auth: "digest" }] }, /not an EventBridge event/],
    ["nothing", null, /not an EventBridge event/],
  ])("filters %s on purpose, saying why", (_name, payload, why) => {
    const trigger = parseTrigger(payload);
    expect("ignored" in trigger && trigger.ignored).toMatch(why);
  });

  it("takes a secret's name from its ARN, and a name as it is", () => {
    expect(secretNameOf(ARN)).toBe("trust-callbacks/test/credentials/RX1/ehr");
    expect(secretNameOf("trust-callbacks/test/credentials/RX1/ehr")).toBe("trust-callbacks/test/credentials/RX1/ehr");
  });
});
