import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { buildLambda } from "./build-lambdas.ts";

describe("Lambda build", () => {
  it("zips one ESM bundle reproducibly, and the bundle loads and answers as the Pipe expects", async () => {
    const first = await buildLambda("transform-filter");
    const firstHash = createHash("sha256").update(readFileSync(first.zipPath)).digest("hex");
    const second = await buildLambda("transform-filter");
    expect(createHash("sha256").update(readFileSync(second.zipPath)).digest("hex")).toBe(firstHash);
    const files = unzipSync(readFileSync(first.zipPath));
    expect(Object.keys(files)).toEqual(["index.mjs"]);

    Object.assign(process.env, {
      AWS_REGION: "eu-west-2",
      ENVIRONMENT: "test",
      EVENT_BUS_NAME: "bus",
      SUBSCRIPTIONS_BUCKET: "config",
      QUARANTINE_BUCKET: "quarantine",
      LOG_LEVEL: "fatal",
    });
    const bundle = await import(first.zipPath.replace(/\.zip$/, "/index.mjs"));
    const context = { awsRequestId: "smoke", getRemainingTimeInMillis: () => 10_000 };
    // An empty batch needs no AWS call; a non-array is refused as a whole.
    await expect(bundle.handler([], context)).resolves.toEqual({ batchItemFailures: [] });
    // docs/guarantees.md 1.4: not an array is a whole-batch failure, answered, not thrown.
    await expect(bundle.handler({ Records: [] }, context)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: "" }] });
  }, 60_000);

  it("bundles the support signer from the transform-filter workspace; the bundle answers a malformed request with a refusal, not a throw", async () => {
    const built = await buildLambda("support-signer");
    expect(Object.keys(unzipSync(readFileSync(built.zipPath)))).toEqual(["index.mjs"]);
    Object.assign(process.env, { AWS_REGION: "eu-west-2", ENVIRONMENT: "test", EVENT_BUS_NAME: "bus", SUBSCRIPTIONS_BUCKET: "config", LOG_LEVEL: "fatal" });
    const bundle = await import(built.zipPath.replace(/\.zip$/, "/index.mjs"));
    const context = { awsRequestId: "smoke", getRemainingTimeInMillis: () => 10_000 };
    await expect(bundle.handler({ kind: "sign-anything" }, context)).resolves.toMatchObject({ kind: "refused", retry: "never" });
  }, 60_000);

  it("bundles the hold drain from the transform-filter workspace (docs/guarantees.md 10.10); without its holds environment it refuses to start, naming what is missing", async () => {
    const built = await buildLambda("hold-drain");
    expect(Object.keys(unzipSync(readFileSync(built.zipPath)))).toEqual(["index.mjs"]);
    Object.assign(process.env, { AWS_REGION: "eu-west-2", ENVIRONMENT: "test", EVENT_BUS_NAME: "bus", SUBSCRIPTIONS_BUCKET: "config", LOG_LEVEL: "fatal" });
    const bundle = await import(built.zipPath.replace(/\.zip$/, "/index.mjs"));
    const context = { awsRequestId: "smoke", getRemainingTimeInMillis: () => 10_000 };
    expect(() => bundle.handler({}, context)).toThrow(/HOLDS_TABLE_NAME/);
  }, 60_000);
});
