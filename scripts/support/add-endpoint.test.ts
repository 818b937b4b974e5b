import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { parseSigningSecret, parseTrustFile } from "@trust-callbacks/schemas";
import { addEndpoint, editTrustFile, type EndpointEdit } from "./commands/add-endpoint.ts";
import { FileSecretStore, SecretsManagerStore } from "./secret-stores.ts";
import { keyFingerprint } from "./signing-keys.ts";

const STAGING_RX1 = new URL("../../infrastructure/terraform/environments/staging/trusts/RX1.json", import.meta.url).pathname;
const stagingText = readFileSync(STAGING_RX1, "utf8");
const KEY = `whsec_${Buffer.alloc(32, 3).toString("base64")}`;
const NOW = new Date("2026-11-22T12:00:00Z");

const edit = (overrides: Partial<EndpointEdit> = {}): EndpointEdit => ({
  file: "infrastructure/terraform/environments/staging/trusts/RX1.json",
  trustId: "RX1",
  endpointId: "pager",
  change: false,
  fields: {
    url: "https://pager.rx1.example.nhs.uk/cb",
    eventTypes: ["message.created"],
    payloadProfile: "minimal",
    auth: { type: "api_key", headerName: "x-api-key" },
  },
  secretPrefix: "trust-callbacks/staging/",
  namePrefix: "trust-callbacks-staging",
  httpsOnly: true,
  ...overrides,
});

describe("editTrustFile", () => {
  it("adds an endpoint after the others, which stay exactly as written (no defaults filled in)", () => {
    const result = editTrustFile(stagingText, edit());
    expect(result.kind).toBe("new-endpoint");
    expect(result.resourceName).toBe("trust-callbacks-staging-RX1-pager");
    const before = JSON.parse(stagingText);
    const after = JSON.parse(result.text);
    expect(after.endpoints.slice(0, 2)).toEqual(before.endpoints);
    expect(after.endpoints[2]).toEqual({
      id: "pager",
      url: "https://pager.rx1.example.nhs.uk/cb",
      eventTypes: ["message.created"],
      payloadProfile: "minimal",
      auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "trust-callbacks/staging/credentials/RX1/pager" },
      signingSecret: "trust-callbacks/staging/signing/RX1/pager",
    });
    expect(parseTrustFile(result.text, { file: "RX1.json", httpsOnly: true }).status).toBe("valid");
    expect(result.text.endsWith("}\n")).toBe(true);
  });

  // docs/guarantees.md 4.4: the names IAM tells apart, for this trust and endpoint only.
  it("names the secrets <app>/<env>/signing|credentials/<ODS>/<endpoint>, and refuses a prefix that is not <app>/<env>/", () => {
    const result = editTrustFile(stagingText, edit({ secretPrefix: "tc/prod/" }));
    expect(result.endpoint.signingSecret).toBe("tc/prod/signing/RX1/pager");
    expect(result.endpoint.auth.credentialsSecret).toBe("tc/prod/credentials/RX1/pager");
    for (const secretPrefix of ["local/", "tc/prod", "a/b/c/"]) {
      expect(() => editTrustFile(stagingText, edit({ secretPrefix })), secretPrefix).toThrow(/--secret-prefix must be <app>\/<env>\//);
    }
  });

  it("creates a new trust's file, with the same $schema reference as the files beside it", () => {
    const result = editTrustFile(undefined, edit({ file: "infrastructure/terraform/environments/prod/trusts/RX7.json", trustId: "RX7", trustName: "Seventh Trust" }));
    expect(result.kind).toBe("new-trust");
    expect(JSON.parse(result.text)).toMatchObject({ $schema: JSON.parse(stagingText).$schema, trustId: "RX7", name: "Seventh Trust", enabled: true, endpoints: [{ id: "pager" }] });
  });

  it("changes an endpoint: only the given fields, keeping its secrets' names", () => {
    const result = editTrustFile(stagingText, edit({ endpointId: "bleep", change: true, fields: { rateLimitPerSecond: 5, retryPolicy: { maximumRetryAttempts: 10 }, conditions: { site: ["NORTH"] } } }));
    expect(result.kind).toBe("changed-endpoint");
    const bleep = JSON.parse(result.text).endpoints[1];
    const original = JSON.parse(stagingText).endpoints[1];
    expect(bleep).toEqual({
      ...original,
      rateLimitPerSecond: 5,
      retryPolicy: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 10 },
      conditions: { site: ["NORTH"], priority: ["urgent", "emergency"] },
    });
  });

  it("changes the auth type afresh, keeping the credentials secret's name", () => {
    const result = editTrustFile(stagingText, edit({ endpointId: "bleep", change: true, fields: { auth: { type: "basic" } } }));
    expect(JSON.parse(result.text).endpoints[1].auth).toEqual({ type: "basic", credentialsSecret: "trust-callbacks/staging/credentials/RX1/bleep" });
  });

  it.each<[string, Partial<EndpointEdit>, string | undefined, RegExp]>([
    ["a duplicate endpoint id", { endpointId: "ehr" }, stagingText, /^endpoint RX1\/ehr already exists in .*RX1\.json: pass --change to change it$/],
    ["a change of an endpoint that does not exist", { change: true }, stagingText, /has no endpoint pager to change: leave out --change to add it$/],
    ["a new trust without its name", { trustId: "RX7", file: "trusts/RX7.json" }, undefined, /^trusts\/RX7\.json does not exist: give --trust-name/],
    ["an http:// URL in a deployed file", { fields: { ...edit().fields, url: "http://127.0.0.1:8080/cb" } }, stagingText, /^not written, the endpoint would be invalid: endpoints\[2\]\.url: must be https:\/\/ to be deployed$/],
    ["an unknown event type", { fields: { ...edit().fields, eventTypes: ["message.deleted"] } }, stagingText, /^not written, the endpoint would be invalid: endpoints\[2\]\.eventTypes\[0\]: /],
    ["an OAuth endpoint without a token URL", { fields: { ...edit().fields, auth: { type: "oauth2_client_credentials" } } }, stagingText, /endpoints\[2\]\.auth\.tokenUrl: /],
    ["an invalid endpoint id", { endpointId: "Pager!" }, stagingText, /endpoints\[2\]\.id: must be 1-32 lower-case letters/],
    ["a name EventBridge cannot take", { endpointId: "electronic-patient-record-bleeps", namePrefix: "trust-callbacks-preprod00001" }, stagingText, /^endpoint name "trust-callbacks-preprod00001-RX1-electronic-patient-record-bleeps" is 65 characters; EventBridge allows 64/],
    ["a trust file that is already invalid", {}, stagingText.replace('"enabled": true', '"enabled": "yes"'), /RX1\.json is not valid as it is \(enabled: .*\): fix it first$/],
    ["a file named for another trust", { trustId: "RX2" }, stagingText, /is not valid as it is \(trustId is RX1, so the file must be named RX1\.json\)/],
    [
      "a trust file with a hold window that already ended (10.26)",
      { now: NOW },
      stagingText.replace('"enabled": true,', '"enabled": true, "holds": [{ "from": "2026-11-20T20:00:00Z", "until": "2026-11-21T06:00:00Z", "reason": "EPR upgrade" }],'),
      /RX1\.json is not valid as it is \(holds\[0\]\.until: ended at 2026-11-21T06:00:00Z \(before 2026-11-22T12:00:00.000Z\): remove the window, it cannot be deployed\): fix it first$/,
    ],
  ])("refuses %s with one clear line", (_, overrides, text, message) => {
    expect(() => editTrustFile(text, edit(overrides))).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});

describe("addEndpoint", () => {
  const copyOfStaging = () => {
    const dir = mkdtempSync(join(tmpdir(), "onboard-"));
    copyFileSync(STAGING_RX1, join(dir, "RX1.json"));
    return { dir, file: join(dir, "RX1.json"), secrets: join(dir, "secrets.json") };
  };

  it("writes the file and the endpoint's first signing key to the local secrets file, returning the key once", async () => {
    const { file, secrets } = copyOfStaging();
    const result = await addEndpoint(edit({ file }), { store: new FileSecretStore(secrets), dryRun: false, now: NOW, generateKey: () => KEY });
    expect(result).toMatchObject({ kind: "new-endpoint", written: true, url: "https://pager.rx1.example.nhs.uk/cb", signingKey: KEY, signingKeyFingerprint: keyFingerprint(KEY) });
    const stored = JSON.parse(readFileSync(secrets, "utf8"))["trust-callbacks/staging/signing/RX1/pager"];
    expect(parseSigningSecret(stored)).toEqual({ status: "valid", secret: { version: 1, keys: [{ key: KEY, createdAt: NOW.toISOString() }] } });
    expect(JSON.parse(readFileSync(file, "utf8")).endpoints).toHaveLength(3);
    expect(JSON.stringify(result.secrets)).not.toContain(KEY);
  });

  it("on a dry run writes nothing, asks no store and says exactly what a real run creates", async () => {
    const { file, secrets } = copyOfStaging();
    const sm = mockClient(SecretsManagerClient);
    const result = await addEndpoint(edit({ file }), { store: new SecretsManagerStore(sm as unknown as SecretsManagerClient), dryRun: true, now: NOW });
    expect(sm.calls()).toHaveLength(0);
    expect(readFileSync(file, "utf8")).toBe(stagingText);
    expect(existsSync(secrets)).toBe(false);
    expect(result.signingKey).toBeUndefined();
    expect(result.secrets).toEqual([
      { name: "trust-callbacks/staging/credentials/RX1/pager", kind: "credentials", outcome: "would-create", holds: expect.stringContaining('{"api_key":"..."}') },
      { name: "trust-callbacks/staging/signing/RX1/pager", kind: "signing", outcome: "would-create", holds: expect.stringMatching(/^\{"version":1,"keys":\[\{"key":"whsec_<32 random bytes, base64>"/) },
    ]);
  });

  describe("against Secrets Manager (mocked at the SDK)", () => {
    const sm = mockClient(SecretsManagerClient);
    beforeEach(() => sm.reset());

    it("creates an empty credentials secret first, then the signing secret with its key, then the file", async () => {
      const { file } = copyOfStaging();
      sm.on(GetSecretValueCommand).rejects(Object.assign(new Error("not found"), { name: "ResourceNotFoundException" }));
      sm.on(CreateSecretCommand).resolves({});
      const result = await addEndpoint(edit({ file }), { store: new SecretsManagerStore(sm as unknown as SecretsManagerClient), dryRun: false, now: NOW, generateKey: () => KEY });
      const [credentials, signing] = sm.commandCalls(CreateSecretCommand).map((call) => call.args[0].input);
      expect(credentials).toMatchObject({ Name: "trust-callbacks/staging/credentials/RX1/pager", Description: expect.stringContaining("api_key") });
      expect(credentials).not.toHaveProperty("SecretString");
      expect(signing).toMatchObject({ Name: "trust-callbacks/staging/signing/RX1/pager" });
      expect(parseSigningSecret(signing!.SecretString!)).toMatchObject({ status: "valid", secret: { keys: [{ key: KEY }] } });
      expect(result.secrets.map((s) => s.outcome)).toEqual(["created", "created"]);
      expect(JSON.parse(readFileSync(file, "utf8")).endpoints[2].id).toBe("pager");
    });

    it("changing an endpoint leaves its existing signing key alone and prints none", async () => {
      const { file } = copyOfStaging();
      sm.on(GetSecretValueCommand).resolves({ SecretString: KEY, VersionId: "v1" });
      sm.on(CreateSecretCommand).rejects(Object.assign(new Error("exists"), { name: "ResourceExistsException" }));
      const result = await addEndpoint(edit({ file, endpointId: "bleep", change: true, fields: { rateLimitPerSecond: 5 } }), { store: new SecretsManagerStore(sm as unknown as SecretsManagerClient), dryRun: false, now: NOW });
      expect(result.signingKey).toBeUndefined();
      expect(result.secrets.map((s) => [s.kind, s.outcome])).toEqual([["credentials", "exists"], ["signing", "exists"]]);
      expect(sm.commandCalls(CreateSecretCommand)).toHaveLength(1); // the placeholder attempt only
    });

    it("writes no file when a secret cannot be created", async () => {
      const { file } = copyOfStaging();
      sm.on(CreateSecretCommand).rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
      await expect(addEndpoint(edit({ file }), { store: new SecretsManagerStore(sm as unknown as SecretsManagerClient), dryRun: false, now: NOW })).rejects.toThrow(/CreateSecret trust-callbacks\/staging\/credentials\/RX1\/pager: AccessDeniedException/);
      expect(readFileSync(file, "utf8")).toBe(stagingText);
    });
  });
});
