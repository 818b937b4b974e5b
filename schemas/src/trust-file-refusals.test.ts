import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseTrustFile, type TrustFileIssue } from "./trust-file.ts";

/**
 * docs/guarantees.md 4.1-4.4, from the table Terraform's test reads too (schemas/fixtures/trust-file-refusals.json):
 * each value refused by the one trust-file parser, naming the file and the field, never quoting the value.
 */
const table = JSON.parse(readFileSync(new URL("../fixtures/trust-file-refusals.json", import.meta.url), "utf8")) as {
  urls: { url: string; refused: boolean; reason?: string }[];
  apiKeyHeaders: { headerName: string; refused: boolean }[];
  secretNames: { trustId: string; endpointId: string; signingSecret: string; credentialsSecret: string; refused: boolean; field?: string }[];
};

const FILE = "environments/test/trusts/RX1.json";
const endpoint = (overrides: Record<string, unknown> = {}) => ({
  id: "ehr",
  url: "https://ehr.rx1.example.nhs.uk/callbacks",
  eventTypes: ["message.created"],
  payloadProfile: "full",
  auth: { type: "basic", credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr" },
  signingSecret: "trust-callbacks/test/signing/RX1/ehr",
  ...overrides,
});
const parse = (endpoints: unknown[], trustId = "RX1") =>
  parseTrustFile(JSON.stringify({ trustId, name: "Trust", enabled: true, endpoints }), { file: `environments/test/trusts/${trustId}.json`, httpsOnly: true });
const issuesOf = (parsed: ReturnType<typeof parse>): TrustFileIssue[] => (parsed.status === "invalid" ? parsed.issues : []);

describe("trust-file refusals (docs/guarantees.md 4.1, 4.2): endpoint url and OAuth tokenUrl", () => {
  it.each(table.urls)("url $url: refused $refused", ({ url, refused, reason }) => {
    const issues = issuesOf(parse([endpoint({ url })]));
    expect(issues.map((issue) => issue.field)).toEqual(refused ? ["endpoints[0].url"] : []);
    for (const issue of issues) {
      expect(issue.file).toBe(FILE);
      expect(issue.message).toContain(reason!);
      expect(issue.message).not.toContain(url);
      expect(issue.message).not.toContain("user:password");
    }
  });

  it.each(table.urls)("tokenUrl $url: refused $refused", ({ url, refused, reason }) => {
    const auth = { type: "oauth2_client_credentials", tokenUrl: url, credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr" };
    const issues = issuesOf(parse([endpoint({ auth })]));
    expect(issues.map((issue) => issue.field)).toEqual(refused ? ["endpoints[0].auth.tokenUrl"] : []);
    for (const issue of issues) expect(issue.message).toContain(reason!);
  });

  it("accepts plain http only for this machine, and only in a file that is not deployed", () => {
    const local = JSON.stringify({ trustId: "RX1", name: "Trust", enabled: true, endpoints: [endpoint({ url: "http://127.0.0.1:48101/callbacks" })] });
    expect(parseTrustFile(local, { file: FILE }).status).toBe("valid");
    expect(issuesOf(parseTrustFile(local, { file: FILE, httpsOnly: true })).map((i) => i.field)).toEqual(["endpoints[0].url"]);
    const localToken = JSON.stringify({
      trustId: "RX1",
      name: "Trust",
      enabled: true,
      endpoints: [endpoint({ auth: { type: "oauth2_client_credentials", tokenUrl: "http://127.0.0.1:48101/token", credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr" } })],
    });
    expect(parseTrustFile(localToken, { file: FILE }).status).toBe("valid");
    expect(issuesOf(parseTrustFile(localToken, { file: FILE, httpsOnly: true })).map((i) => i.field)).toEqual(["endpoints[0].auth.tokenUrl"]);
    for (const url of ["http://10.0.0.5/", "http://ehr.rx1.example.nhs.uk/", "http://user:pw@127.0.0.1:1/"]) {
      const text = JSON.stringify({ trustId: "RX1", name: "Trust", enabled: true, endpoints: [endpoint({ url })] });
      expect(issuesOf(parseTrustFile(text, { file: FILE })).map((i) => i.field), url).toEqual(["endpoints[0].url"]);
    }
  });
});

describe("trust-file refusals (docs/guarantees.md 4.3): API-key header names", () => {
  it.each(table.apiKeyHeaders)("headerName $headerName: refused $refused", ({ headerName, refused }) => {
    const auth = { type: "api_key", headerName, credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr" };
    const issues = issuesOf(parse([endpoint({ auth })]));
    expect(issues.map((issue) => issue.field)).toEqual(refused ? ["endpoints[0].auth.headerName"] : []);
  });
});

describe("trust-file refusals (docs/guarantees.md 4.4): secret names", () => {
  it.each(table.secretNames)("signing $signingSecret, credentials $credentialsSecret: refused $refused", (row) => {
    const issues = issuesOf(
      parse([endpoint({ id: row.endpointId, signingSecret: row.signingSecret, auth: { type: "basic", credentialsSecret: row.credentialsSecret } })], row.trustId),
    );
    expect(issues.map((issue) => issue.field)).toEqual(row.refused ? [`endpoints[0].${row.field}`] : []);
    for (const issue of issues) expect(issue.message).toMatch(new RegExp(`/(signing|credentials)/${row.trustId}/${row.endpointId}`));
  });

  it("never lets two endpoints share a signing secret", () => {
    const shared = "trust-callbacks/test/signing/RX1/ehr";
    const issues = issuesOf(
      parse([
        endpoint(),
        endpoint({ id: "bleep", signingSecret: shared, auth: { type: "basic", credentialsSecret: "trust-callbacks/test/credentials/RX1/bleep" } }),
      ]),
    );
    expect(issues.map((issue) => issue.field)).toEqual(["endpoints[1].signingSecret"]);
  });
});
