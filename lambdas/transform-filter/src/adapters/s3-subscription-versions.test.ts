import { createHash } from "node:crypto";
import { GetObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { TransientError } from "@trust-callbacks/runtime";
import { trustConfig } from "../testing/fixtures.ts";
import { s3Object, sdkError } from "../testing/sdk-faults.ts";
import { S3SubscriptionVersions } from "./s3-subscription-versions.ts";

const sha = (text: string) => createHash("sha256").update(text).digest("hex");

describe("S3SubscriptionVersions", () => {
  const mocked = new S3Client({ region: "eu-west-2" });
  const s3 = mockClient(mocked);
  const text = JSON.stringify(trustConfig("RX1"));
  const versions = () => new S3SubscriptionVersions(mocked, { bucket: "config", prefix: "subscriptions/" });
  beforeEach(() => s3.reset());

  it("reads a version by its id once per container (versions never change)", async () => {
    s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json", VersionId: "v-1" }).callsFake(() => s3Object(text, '"e"'));
    const source = versions();
    const [first, second] = [await source.getVersion("RX1", "v-1", sha(text)), await source.getVersion("RX1", "v-1", sha(text))];
    expect(first).toMatchObject({ status: "found", value: { version: "v-1", digest: sha(text), config: { trustId: "RX1" } } });
    expect(second).toEqual(first);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
  });

  it("refuses bytes that do not have the bound digest, and answers not found for a deleted version", async () => {
    s3.on(GetObjectCommand, { VersionId: "v-1" }).callsFake(() => s3Object(text, '"e"'));
    expect(await versions().getVersion("RX1", "v-1", sha("something else"))).toMatchObject({ status: "failed", retry: "never" });
    s3.on(GetObjectCommand, { VersionId: "gone" }).rejects(new S3ServiceException({ name: "NoSuchVersion", $fault: "client", $metadata: { httpStatusCode: 404 } }));
    expect((await versions().getVersion("RX1", "gone", sha(text))).status).toBe("not-found");
  });

  it("throws classified errors when S3 is unavailable", async () => {
    s3.on(GetObjectCommand).rejects(sdkError("throttled"));
    await expect(versions().getVersion("RX1", "v-1", sha(text))).rejects.toBeInstanceOf(TransientError);
  });
});
