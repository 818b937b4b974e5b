import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildLambda, lambdaWorkspaces } from "./build-lambdas.ts";

describe("notifier build", () => {
  it("bundles lambdas/notifier as .build/lambdas/notifier.zip; the bundle answers an event that tells no change without an AWS call", async () => {
    expect(lambdaWorkspaces()).toContain("notifier");
    const built = await buildLambda("notifier");
    expect(built.zipPath).toMatch(/\.build\/lambdas\/notifier\.zip$/);
    expect(Object.keys(unzipSync(readFileSync(built.zipPath)))).toEqual(["index.mjs"]);
    Object.assign(process.env, {
      AWS_REGION: "eu-west-2",
      NAME_PREFIX: "trust-callbacks-test",
      NOTICES_TABLE_NAME: "trust-callbacks-test-notices",
      NOTICE_TOPIC_ARN_PREFIX: "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-test-",
      LOG_LEVEL: "fatal",
    });
    const bundle = await import(built.zipPath.replace(/\.zip$/, "/index.mjs"));
    const context = { awsRequestId: "smoke", getRemainingTimeInMillis: () => 10_000 };
    await expect(bundle.handler({ source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: {} }, context)).resolves.toMatchObject({ action: "ignored" });
  }, 60_000);
});
