import { Readable } from "node:stream";
import { DescribeConnectionCommand, type DescribeConnectionCommandOutput, EventBridgeClient, ListConnectionsCommand, UpdateConnectionCommand, type UpdateConnectionCommandInput } from "@aws-sdk/client-eventbridge";
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { sdkStreamMixin } from "@smithy/util-stream";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { createHandler, createRuntime, SyncFailed } from "./handler.ts";

const PREFIX = "trust-callbacks-test";
const env = {
  ENVIRONMENT: "test",
  CONNECTION_NAME_PREFIX: `${PREFIX}-`,
  CREDENTIALS_MAP_BUCKET: "config-bucket",
  CREDENTIALS_MAP_KEY: "connection-sync/connections.json",
  CONNECTION_KMS_KEY_ARN: "arn:aws:kms:eu-west-2:123456789012:key/0b7e0c5e-connections",
  LOG_LEVEL: "debug",
};
const KEY = env.CONNECTION_KMS_KEY_ARN;
// The current version of each secret (Secrets Manager VersionId), and what a connection's description says after a
// sync put that version on it.
const VERSION = { ehr: "a1b2c3d4-0000-4000-8000-00000000e4b2", pas: "a1b2c3d4-0000-4000-8000-0000000009a5", bi: "a1b2c3d4-0000-4000-8000-0000000000b1" };
const OLD_VERSION = "a1b2c3d4-0000-4000-8000-0000000000aa";
const versionOf: Record<string, string> = {
  "trust-callbacks/test/credentials/RX1/ehr": VERSION.ehr,
  "trust-callbacks/test/credentials/RX1/pas": VERSION.pas,
  "trust-callbacks/test/credentials/R0A/bi": VERSION.bi,
};
const context = { awsRequestId: "req-1" };
const EHR = `${PREFIX}-RX1-ehr`;
const PAS = `${PREFIX}-RX1-pas`;
const BI = `${PREFIX}-R0A-bi`;
const map = {
  version: 1,
  connections: {
    [EHR]: { credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr", auth: "oauth2_client_credentials", tokenUrl: "https://login.rx1.example.nhs.uk/oauth2/token", scopes: ["callbacks.write"] },
    [PAS]: { credentialsSecret: "trust-callbacks/test/credentials/RX1/pas", auth: "basic" },
    [BI]: { credentialsSecret: "trust-callbacks/test/credentials/R0A/bi", auth: "api_key" },
  },
};
// Values that must never appear in a log line, a metric, an answer or an error.
const SECRETS = { clientSecret: "cs-Zq81-never-logged", password: "pw-Lm42-never-logged", apiKey: "ak-Xy93-never-logged" };
const secretValues = {
  "trust-callbacks/test/credentials/RX1/ehr": JSON.stringify({ client_id: "rx1-ehr-client", client_secret: SECRETS.clientSecret }),
  "trust-callbacks/test/credentials/RX1/pas": JSON.stringify({ username: "rx1-pas", password: SECRETS.password }),
  "trust-callbacks/test/credentials/R0A/bi": JSON.stringify({ api_key: SECRETS.apiKey }),
};
const at = (iso: string) => new Date(iso);
const SECRETS_CREATED = at("2026-11-20T10:00:00Z");

const s3Object = (text: string): GetObjectCommandOutput => ({
  $metadata: {},
  Body: sdkStreamMixin(Readable.from([Buffer.from(text)])) as GetObjectCommandOutput["Body"],
});
const awsError = (name: string, status: number, fault: "client" | "server" = status >= 500 ? "server" : "client") =>
  Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

const described = {
  [EHR]: {
    Name: EHR,
    ConnectionState: "AUTHORIZED",
    AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
    LastModifiedTime: at("2026-11-01T00:00:00Z"),
    AuthParameters: {
      OAuthParameters: {
        // As Terraform creates it (promise 8.9): a token URL no one answers, until connection-sync names the trust's.
        AuthorizationEndpoint: "https://token-url-set-by-connection-sync.invalid/oauth2/token",
        HttpMethod: "POST",
        ClientParameters: { ClientID: "placeholder-until-connection-sync" },
        OAuthHttpParameters: { BodyParameters: [{ Key: "grant_type", Value: "client_credentials", IsValueSecret: false }] },
      },
    },
  },
  [PAS]: { Name: PAS, ConnectionState: "AUTHORIZED", AuthorizationType: "BASIC", LastModifiedTime: at("2026-11-01T00:00:00Z"), AuthParameters: { BasicAuthParameters: { Username: "placeholder" } } },
  [BI]: { Name: BI, ConnectionState: "AUTHORIZED", AuthorizationType: "API_KEY", KmsKeyIdentifier: env.CONNECTION_KMS_KEY_ARN, LastModifiedTime: at("2026-11-01T00:00:00Z"), AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key" } } },
} satisfies Record<string, Omit<DescribeConnectionCommandOutput, "$metadata">>;

function setup(options: { logLevel?: string } = {}) {
  const eb = mockClient(EventBridgeClient);
  const sm = mockClient(SecretsManagerClient);
  const s3 = mockClient(S3Client);
  s3.on(GetObjectCommand, { Bucket: "config-bucket", Key: "connection-sync/connections.json" }).callsFake(() => s3Object(JSON.stringify(map)));
  for (const [name, value] of Object.entries(secretValues)) {
    sm.on(GetSecretValueCommand, { SecretId: name }).resolves({ SecretString: value, VersionId: versionOf[name], CreatedDate: SECRETS_CREATED });
  }
  for (const [name, output] of Object.entries(described)) eb.on(DescribeConnectionCommand, { Name: name }).resolves(output);
  eb.on(UpdateConnectionCommand).resolves({ ConnectionState: "AUTHORIZING" });
  const lines: string[] = [];
  const metrics: string[] = [];
  const runtime = createRuntime(
    { ...env, LOG_LEVEL: options.logLevel ?? env.LOG_LEVEL },
    {
      eventBridge: eb as unknown as EventBridgeClient,
      secretsManager: sm as unknown as SecretsManagerClient,
      s3: s3 as unknown as S3Client,
      logDestination: { write: (line: string) => void lines.push(line) },
      writeMetrics: (line) => void metrics.push(line),
    },
  );
  const updates = () => eb.commandCalls(UpdateConnectionCommand).map((call) => call.args[0].input as UpdateConnectionCommandInput);
  const assertNoSecretValue = (...texts: string[]) => {
    for (const text of [...texts, ...lines, ...metrics]) for (const value of Object.values(SECRETS)) expect(text).not.toContain(value);
  };
  return { eb, sm, s3, handler: createHandler(runtime), lines, metrics, updates, assertNoSecretValue };
}

const applyRequest = {
  action: "sync",
  connections: [
    { name: EHR, credentialsSecret: "trust-callbacks/test/credentials/RX1/ehr", auth: "oauth2_client_credentials", tokenUrl: "https://login.rx1.example.nhs.uk/oauth2/token", scopes: ["callbacks.write"] },
    { name: PAS, credentialsSecret: "trust-callbacks/test/credentials/RX1/pas", auth: "basic" },
    { name: BI, credentialsSecret: "trust-callbacks/test/credentials/R0A/bi", auth: "api_key" },
  ],
};

describe("connection-sync handler (AWS SDK clients mocked)", () => {
  it("at apply time puts every secret's credentials on its connection, with the authorization type and the non-secret parameters as Terraform made them, and answers names and states only", async () => {
    const { handler, updates, assertNoSecretValue, s3 } = setup();

    const result = await handler(applyRequest, context);

    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0); // the request names each secret: no map needed
    expect(updates()).toEqual(
      expect.arrayContaining([
        {
          Name: EHR,
          AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
          KmsKeyIdentifier: KEY,
          Description: `oauth2_client_credentials credentials from secret version ${VERSION.ehr}`,
          AuthParameters: {
            OAuthParameters: {
              ClientParameters: { ClientID: "rx1-ehr-client", ClientSecret: SECRETS.clientSecret },
              AuthorizationEndpoint: "https://login.rx1.example.nhs.uk/oauth2/token",
              HttpMethod: "POST",
              OAuthHttpParameters: {
                BodyParameters: [
                  { Key: "grant_type", Value: "client_credentials", IsValueSecret: false },
                  { Key: "scope", Value: "callbacks.write", IsValueSecret: false },
                ],
              },
            },
          },
        },
        {
          Name: PAS,
          AuthorizationType: "BASIC",
          KmsKeyIdentifier: KEY,
          Description: `basic credentials from secret version ${VERSION.pas}`,
          AuthParameters: { BasicAuthParameters: { Username: "rx1-pas", Password: SECRETS.password } },
        },
        {
          Name: BI,
          AuthorizationType: "API_KEY",
          KmsKeyIdentifier: KEY,
          Description: `api_key credentials from secret version ${VERSION.bi}`,
          AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRETS.apiKey } },
        },
      ]),
    );
    expect(updates()).toHaveLength(3);
    expect(result).toEqual({
      action: "sync",
      trigger: "direct",
      counts: { updated: 3, unchanged: 0, skipped: 0, failed: 0 },
      connections: expect.arrayContaining([{ name: EHR, status: "updated", state: "AUTHORIZING" }]),
    });
    assertNoSecretValue(JSON.stringify(result));
  });

  it("reconciles every connection under the prefix: updates one whose secret changed after it, re-authorizes a DEAUTHORIZED one, leaves the rest and reports states", async () => {
    const { eb, handler, updates, metrics, assertNoSecretValue } = setup();
    // EHR holds its secret's current version; PAS an older one.
    eb.on(DescribeConnectionCommand, { Name: EHR }).resolves({ ...described[EHR], Description: `oauth2_client_credentials credentials from secret version ${VERSION.ehr}` });
    eb.on(DescribeConnectionCommand, { Name: PAS }).resolves({ ...described[PAS], Description: `basic credentials from secret version ${OLD_VERSION}` });
    const later = at("2026-11-21T00:00:00Z"); // after the secrets' versions
    const earlier = at("2026-11-19T00:00:00Z"); // before them
    eb.on(ListConnectionsCommand, { NamePrefix: `${PREFIX}-`, Limit: 100 }).resolves({
      Connections: [
        { Name: EHR, ConnectionState: "AUTHORIZED", AuthorizationType: "OAUTH_CLIENT_CREDENTIALS", LastModifiedTime: later },
        { Name: PAS, ConnectionState: "AUTHORIZED", AuthorizationType: "BASIC", LastModifiedTime: earlier },
      ],
      NextToken: "page-2",
    });
    eb.on(ListConnectionsCommand, { NamePrefix: `${PREFIX}-`, Limit: 100, NextToken: "page-2" }).resolves({
      Connections: [
        { Name: BI, ConnectionState: "DEAUTHORIZED", AuthorizationType: "API_KEY", LastModifiedTime: later },
        { Name: `${PREFIX}-RZZ-gone`, ConnectionState: "AUTHORIZED", AuthorizationType: "BASIC", LastModifiedTime: earlier },
      ],
    });

    const result = await handler({ source: "aws.events", "detail-type": "Scheduled Event", detail: {} }, context);

    expect(updates().map((update) => update.Name).sort()).toEqual([BI, PAS].sort());
    expect(result).toEqual({ action: "reconcile", trigger: "schedule", counts: { updated: 2, unchanged: 1, skipped: 1, failed: 0 } });
    const states = metrics.map((line) => JSON.parse(line)).filter((doc) => doc.State);
    expect(states).toHaveLength(9);
    expect(states.find((doc) => doc.State === "DEAUTHORIZED")).toMatchObject({ Environment: "test", Connections: 1 });
    expect(states.find((doc) => doc.State === "AUTHORIZED")).toMatchObject({ Connections: 3 });
    expect(states.find((doc) => doc.State === "FAILED_CONNECTIVITY")).toMatchObject({ Connections: 0 });
    assertNoSecretValue(JSON.stringify(result));
  });

  it("re-authorizes a DEAUTHORIZED connection even when its secret did not change (Terraform would see nothing to do)", async () => {
    const { eb, handler, updates } = setup();
    eb.on(ListConnectionsCommand).resolves({ Connections: [{ Name: PAS, ConnectionState: "DEAUTHORIZED", AuthorizationType: "BASIC", LastModifiedTime: at("2026-11-21T00:00:00Z") }] });

    await handler({ action: "reconcile" }, context);

    expect(updates()).toEqual([
      {
        Name: PAS,
        AuthorizationType: "BASIC",
        KmsKeyIdentifier: KEY,
        Description: `basic credentials from secret version ${VERSION.pas}`,
        AuthParameters: { BasicAuthParameters: { Username: "rx1-pas", Password: SECRETS.password } },
      },
    ]);
  });

  it("a missing or malformed secret is a clear error for its connection only; the others are still synced, and apply stops with every reason", async () => {
    const { sm, handler, updates, lines, assertNoSecretValue } = setup();
    sm.on(GetSecretValueCommand, { SecretId: "trust-callbacks/test/credentials/RX1/ehr" }).rejects(awsError("ResourceNotFoundException", 400));
    sm.on(GetSecretValueCommand, { SecretId: "trust-callbacks/test/credentials/RX1/pas" }).resolves({ SecretString: `{"username": "rx1-pas", "password": ${JSON.stringify(SECRETS.password)}`, CreatedDate: SECRETS_CREATED });

    const error = await handler(applyRequest, context).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    expect(error).toBeInstanceOf(SyncFailed);
    const message = (error as Error).message;
    expect(message).toMatch(/^2 of 3 connection\(s\) not synced/);
    expect(message).toContain(`${EHR}: secret trust-callbacks/test/credentials/RX1/ehr not found`);
    expect(message).toContain(`${PAS}: secret trust-callbacks/test/credentials/RX1/pas is not a JSON object (basic needs {"username": "...", "password": "..."})`);
    expect(updates().map((update) => update.Name)).toEqual([BI]);
    expect(lines.filter((line) => line.includes('"connection not synced"'))).toHaveLength(2);
    assertNoSecretValue(message);
  });

  it("in a reconcile, a connection with a bad secret is counted as failed and does not fail the run", async () => {
    const { eb, sm, handler, updates, metrics } = setup();
    sm.on(GetSecretValueCommand, { SecretId: "trust-callbacks/test/credentials/R0A/bi" }).resolves({ SecretString: JSON.stringify({ apikey: "typo" }), CreatedDate: SECRETS_CREATED });
    eb.on(ListConnectionsCommand).resolves({
      Connections: [BI, PAS].map((name) => ({ Name: name, ConnectionState: "DEAUTHORIZED", AuthorizationType: name === BI ? "API_KEY" : "BASIC", LastModifiedTime: at("2026-11-01T00:00:00Z") })),
    });

    const result = await handler({ action: "reconcile" }, context);

    // EHR is in the trust files but not listed: no connection yet, skipped (the apply that creates it syncs it).
    expect(result.counts).toEqual({ updated: 1, unchanged: 0, skipped: 1, failed: 1 });
    expect(updates().map((update) => update.Name)).toEqual([PAS]);
    const outcomes = metrics.map((line) => JSON.parse(line)).find((doc) => doc.Trigger);
    expect(outcomes).toMatchObject({ Trigger: "direct", ConnectionsFailed: 1, ConnectionsUpdated: 1 });
  });

  it("on a Secrets Manager 'Secret Label Updated' event syncs exactly the connections using that secret", async () => {
    const { eb, handler, updates } = setup();
    const event = {
      source: "aws.secretsmanager",
      "detail-type": "Secret Label Updated",
      resources: ["arn:aws:secretsmanager:eu-west-2:123456789012:secret:trust-callbacks/test/credentials/RX1/pas-AbCdEf"],
      detail: { name: "trust-callbacks/test/credentials/RX1/pas", labelUpdated: "AWSCURRENT", versionId: "v2" },
    };

    const result = await handler(event, context);

    expect(eb.commandCalls(DescribeConnectionCommand).map((call) => call.args[0].input.Name)).toEqual([PAS]);
    expect(updates().map((update) => update.Name)).toEqual([PAS]);
    expect(result).toMatchObject({ action: "secret-changed", connections: [{ name: PAS, status: "updated", state: "AUTHORIZING" }] });
  });

  it("leaves a connection alone when a repeated event finds the secret's current version already on it", async () => {
    const { eb, handler, updates } = setup();
    eb.on(DescribeConnectionCommand, { Name: PAS }).resolves({ ...described[PAS], Description: `basic credentials from secret version ${VERSION.pas}` });
    const event = { source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "trust-callbacks/test/credentials/RX1/pas", labelUpdated: "AWSCURRENT" } };

    const result = await handler(event, context);

    expect(updates()).toHaveLength(0);
    expect(result.counts).toMatchObject({ unchanged: 1 });
  });

  it.each([
    ["a rollback (UpdateSecretVersionStage moves AWSCURRENT back to an older version)", VERSION.pas, OLD_VERSION, at("2026-10-01T00:00:00Z")],
    ["a rotation", OLD_VERSION, VERSION.pas, at("2026-11-20T10:00:00Z")],
  ])("puts the secret's current version on the connection after %s, whatever the dates say", async (_case, onConnection, current, created) => {
    const { eb, sm, handler, updates } = setup();
    // The connection was changed after the version now current was created: dates alone would call it in step.
    eb.on(DescribeConnectionCommand, { Name: PAS }).resolves({ ...described[PAS], LastModifiedTime: at("2026-11-21T00:00:00Z"), Description: `basic credentials from secret version ${onConnection}` });
    sm.on(GetSecretValueCommand, { SecretId: "trust-callbacks/test/credentials/RX1/pas" }).resolves({ SecretString: secretValues["trust-callbacks/test/credentials/RX1/pas"], VersionId: current, CreatedDate: created });
    const event = { source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "trust-callbacks/test/credentials/RX1/pas", labelUpdated: "AWSCURRENT", versionId: current } };

    const result = await handler(event, context);

    expect(updates()).toEqual([
      {
        Name: PAS,
        AuthorizationType: "BASIC",
        KmsKeyIdentifier: KEY,
        Description: `basic credentials from secret version ${current}`,
        AuthParameters: { BasicAuthParameters: { Username: "rx1-pas", Password: SECRETS.password } },
      },
    ]);
    expect(result).toMatchObject({ action: "secret-changed", counts: { updated: 1 } });
  });

  it("sends the deployment's connection key even when DescribeConnection reports none (a connection already moved to an AWS owned key gets its key back)", async () => {
    const { eb, handler, updates } = setup();
    eb.on(DescribeConnectionCommand, { Name: BI }).resolves({ ...described[BI], KmsKeyIdentifier: undefined });

    await handler({ action: "sync", connections: [BI] }, context);

    expect(updates().map((update) => update.KmsKeyIdentifier)).toEqual([KEY]);
  });

  it("puts the map's token URL on an OAuth connection a reconcile finds still on the placeholder URL, with the secret's credentials (promise 8.9)", async () => {
    const { eb, handler, updates } = setup();
    eb.on(ListConnectionsCommand).resolves({ Connections: [{ Name: EHR, ConnectionState: "DEAUTHORIZED", AuthorizationType: "OAUTH_CLIENT_CREDENTIALS" }] });

    await handler({ action: "reconcile" }, context);

    expect(updates()).toHaveLength(1);
    expect(updates()[0]!.AuthParameters?.OAuthParameters).toMatchObject({
      AuthorizationEndpoint: "https://login.rx1.example.nhs.uk/oauth2/token",
      ClientParameters: { ClientID: "rx1-ehr-client", ClientSecret: SECRETS.clientSecret },
    });
  });

  it("filters on purpose what is not a credentials change: another label, a signing secret, an unknown payload", async () => {
    const { eb, sm, handler } = setup();
    const label = await handler({ source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "trust-callbacks/test/credentials/RX1/pas", labelUpdated: "AWSPREVIOUS" } }, context);
    const signing = await handler({ source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "trust-callbacks/test/signing/RX1/pas", labelUpdated: "AWSCURRENT" } }, context);
    const unknown = await handler({ hello: "world" }, context);

    expect(label).toMatchObject({ action: "ignored" });
    expect(signing).toMatchObject({ action: "secret-changed", counts: { updated: 0, unchanged: 0, skipped: 0, failed: 0 } });
    expect(unknown).toMatchObject({ action: "ignored", trigger: "unknown" });
    expect(eb.commandCalls(UpdateConnectionCommand)).toHaveLength(0);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it("hands a secret event back for retry when EventBridge throttles the update, and says nothing of AWS's message", async () => {
    const { eb, handler } = setup();
    eb.on(UpdateConnectionCommand).rejects(awsError("ThrottlingException", 400));
    const event = { source: "aws.secretsmanager", "detail-type": "Secret Label Updated", detail: { name: "trust-callbacks/test/credentials/RX1/pas", labelUpdated: "AWSCURRENT" } };

    await expect(handler(event, context)).rejects.toThrow(`1 of 1 connection(s) not synced: ${PAS}: UpdateConnection: TransientError: EventBridge UpdateConnection ${PAS}: ThrottlingException (HTTP 400)`);
  });

  it("fails the run as a whole when the deployment's connection map cannot be read", async () => {
    const { s3, handler } = setup();
    s3.on(GetObjectCommand).rejects(awsError("AccessDenied", 403));

    await expect(handler({ action: "reconcile" }, context)).rejects.toThrow(/connection list could not be read: .*AccessDenied \(HTTP 403\)/);
  });

  it("writes its metrics whatever the log level", async () => {
    const { eb, handler, metrics, lines } = setup({ logLevel: "fatal" });
    eb.on(ListConnectionsCommand).resolves({ Connections: [] });

    await handler({ action: "reconcile" }, context);

    expect(lines).toEqual([]);
    expect(metrics.length).toBe(10);
    // The dimensions modules/connection-sync's alarms name (connection_sync.tftest.hcl pins those): service too.
    expect(JSON.parse(metrics[0]!)._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: "TrustCallbacks", Dimensions: [["service", "Environment", "State"]] });
    expect(JSON.parse(metrics[0]!)).toMatchObject({ service: "connection-sync", Environment: "test" });
  });

  it("refuses to touch a connection outside the deployment's prefix", async () => {
    const { handler, updates } = setup();
    await expect(handler({ action: "sync", connections: ["trust-callbacks-prod-RX1-ehr"] }, context)).rejects.toThrow(/not a connection of this deployment/);
    expect(updates()).toHaveLength(0);
  });
});
