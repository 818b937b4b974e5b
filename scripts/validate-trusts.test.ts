import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { trustFilesIn, validateTrustFile } from "./validate-trusts.ts";

const endpoint = {
  id: "ehr",
  url: "https://ehr.example.nhs.uk/hooks",
  eventTypes: ["message.created"],
  payloadProfile: "full",
  auth: { type: "basic", credentialsSecret: "tc/test/credentials/RX1/ehr" },
  signingSecret: "tc/test/signing/RX1/ehr",
};

function trustDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "trusts-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === "string" ? content : JSON.stringify(content));
  return dir;
}

describe("validate-trusts", () => {
  it("accepts a valid file and names file and field for each problem of a bad one", () => {
    const dir = trustDir({
      "RX1.json": { trustId: "RX1", name: "T", enabled: true, endpoints: [endpoint] },
      "RX2.json": { trustId: "RX2", name: "T", enabled: true, endpoints: [{ ...endpoint, url: "ftp://x", rateLimitPerSecond: 0, signingSecret: "tc/test/signing/RX2/ehr", auth: { type: "basic", credentialsSecret: "tc/test/credentials/RX2/ehr" } }] },
      "RX3.json": "{ nope",
      "RX4.json": { trustId: "RX5", name: "T", enabled: true, endpoints: [] },
    });
    const [good, bad, notJson, misnamed] = trustFilesIn([dir]).map((file) => validateTrustFile(file, { httpsOnly: true }));
    expect(good).toEqual([]);
    expect(bad!.map((p) => p.message)).toEqual([expect.stringMatching(/^endpoints\[0\]\.url: /), expect.stringMatching(/^endpoints\[0\]\.rateLimitPerSecond: /)]);
    expect(bad![0]!.file).toMatch(/RX2\.json$/);
    expect(notJson![0]!.message).toMatch(/^not valid JSON/);
    expect(misnamed![0]!.message).toBe("trustId is RX5, so the file must be named RX5.json");
  });

  it("allows loopback http only when the files are not deployed by Terraform", () => {
    const dir = trustDir({ "RX1.json": { trustId: "RX1", name: "T", enabled: true, endpoints: [{ ...endpoint, url: "http://127.0.0.1:9/x" }] } });
    const [file] = trustFilesIn([dir]);
    expect(validateTrustFile(file!, { httpsOnly: false })).toEqual([]);
    expect(validateTrustFile(file!, { httpsOnly: true })[0]!.message).toBe("endpoints[0].url: must be https:// to be deployed");
  });

  it("refuses a hold window that already ended, naming its field (docs/guarantees.md 10.26)", () => {
    const past = { from: "2020-01-01T20:00:00Z", until: "2020-01-02T06:00:00Z", reason: "EPR upgrade" };
    const dir = trustDir({ "RX1.json": { trustId: "RX1", name: "T", enabled: true, endpoints: [{ ...endpoint, holds: [past] }] } });
    const [file] = trustFilesIn([dir]);
    for (const httpsOnly of [true, false]) {
      expect(validateTrustFile(file!, { httpsOnly }).map((p) => p.message)).toEqual([expect.stringMatching(/^endpoints\[0\]\.holds\[0\]\.until: ended at 2020-01-02T06:00:00Z/)]);
    }
  });
});
