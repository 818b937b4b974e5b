import { describe, expect, it } from "vitest";
import { credentialsUpdate } from "./credentials.ts";
import type { ConnectionDetails, ExpectedCredentials } from "./model.ts";

const expected = (kind: ExpectedCredentials["kind"]): ExpectedCredentials => ({ connection: "tc-test-RX1-ehr", secretName: "tc/test/credentials/RX1/ehr", kind });
const connection: ConnectionDetails = { name: "tc-test-RX1-ehr", state: "AUTHORIZED" };
const SECRET = "s3cr3t-value-never-in-a-reason";

describe("credentialsUpdate", () => {
  it("builds a BASIC update from {username, password}, ignoring other fields", () => {
    expect(credentialsUpdate(expected("basic"), connection, JSON.stringify({ username: "u", password: SECRET, note: "rotated" }))).toEqual({
      status: "found",
      value: { Name: "tc-test-RX1-ehr", AuthorizationType: "BASIC", AuthParameters: { BasicAuthParameters: { Username: "u", Password: SECRET } } },
    });
  });

  it("builds an OAUTH_CLIENT_CREDENTIALS update that keeps the connection's token URL and method", () => {
    const result = credentialsUpdate(expected("oauth2_client_credentials"), { ...connection, oauth: { authorizationEndpoint: "https://login.example/token", httpMethod: "POST" } }, JSON.stringify({ client_id: "c", client_secret: SECRET }));
    expect(result).toEqual({
      status: "found",
      value: {
        Name: "tc-test-RX1-ehr",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: { OAuthParameters: { ClientParameters: { ClientID: "c", ClientSecret: SECRET }, AuthorizationEndpoint: "https://login.example/token", HttpMethod: "POST" } },
      },
    });
  });

  it("builds an OAUTH_CLIENT_CREDENTIALS update with the deployment's token URL and scopes, not the placeholder URL the connection was created with (promise 8.9)", () => {
    const onPlaceholder = { ...connection, oauth: { authorizationEndpoint: "https://token-url-set-by-connection-sync.invalid/oauth2/token", httpMethod: "POST" as const } };
    const result = credentialsUpdate(
      { ...expected("oauth2_client_credentials"), tokenUrl: "https://login.example/token", scopes: ["callbacks.write", "callbacks.read"] },
      onPlaceholder,
      JSON.stringify({ client_id: "c", client_secret: SECRET }),
    );
    expect(result).toEqual({
      status: "found",
      value: {
        Name: "tc-test-RX1-ehr",
        AuthorizationType: "OAUTH_CLIENT_CREDENTIALS",
        AuthParameters: {
          OAuthParameters: {
            ClientParameters: { ClientID: "c", ClientSecret: SECRET },
            AuthorizationEndpoint: "https://login.example/token",
            HttpMethod: "POST",
            OAuthHttpParameters: {
              BodyParameters: [
                { Key: "grant_type", Value: "client_credentials", IsValueSecret: false },
                { Key: "scope", Value: "callbacks.write callbacks.read", IsValueSecret: false },
              ],
            },
          },
        },
      },
    });
  });

  it.each([
    ["the placeholder token URL", "https://token-url-set-by-connection-sync.invalid/oauth2/token"],
    ["no token URL", undefined],
  ])("refuses, never retried, an OAuth connection on %s when the deployment names none: real credentials never go to an unknown token URL", (_case, url) => {
    const on = { ...connection, oauth: { ...(url ? { authorizationEndpoint: url } : {}), httpMethod: "POST" as const } };
    const result = credentialsUpdate(expected("oauth2_client_credentials"), on, JSON.stringify({ client_id: "c", client_secret: SECRET }));
    expect(result).toMatchObject({ status: "failed", retry: "never", reason: expect.stringContaining("no token URL") });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("builds an API_KEY update with the deployment's header name over the connection's", () => {
    expect(credentialsUpdate({ ...expected("api_key"), headerName: "x-trust-key" }, { ...connection, apiKeyName: "x-api-key" }, JSON.stringify({ api_key: SECRET }))).toMatchObject({
      value: { AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-trust-key", ApiKeyValue: SECRET } } },
    });
  });

  it("builds an API_KEY update that keeps the connection's header name", () => {
    expect(credentialsUpdate(expected("api_key"), { ...connection, apiKeyName: "x-api-key" }, JSON.stringify({ api_key: SECRET }))).toMatchObject({
      value: { AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: SECRET } } },
    });
  });

  it.each([
    ["no value", undefined, "has no SecretString"],
    ["not JSON (the parser's message would quote it)", `{"username": "u", "password": "${SECRET}"`, "is not a JSON object"],
    ["a JSON string", JSON.stringify(SECRET), "is not a JSON object"],
    ["an array", JSON.stringify([SECRET]), "is not a JSON object"],
    ["a missing field", JSON.stringify({ username: "u" }), "password is missing or not a string"],
    ["a number", JSON.stringify({ username: "u", password: 12345 }), "password is missing or not a string"],
    ["an empty field", JSON.stringify({ username: "", password: SECRET }), "username is empty"],
    ["a field over 512 characters", JSON.stringify({ username: "u", password: `${SECRET}${"x".repeat(600)}` }), "password is longer than 512 characters"],
  ])("refuses a secret with %s, naming the secret, the kind and the fields, never the value", (_case, secret, reason) => {
    const result = credentialsUpdate(expected("basic"), connection, secret);
    expect(result.status).toBe("failed");
    const text = result.status === "failed" ? result.reason : "";
    expect(text).toContain("secret tc/test/credentials/RX1/ehr");
    expect(text).toContain(reason);
    expect(text).toContain('basic needs {"username": "...", "password": "..."}');
    expect(text).not.toContain(SECRET);
    expect(result).toMatchObject({ retry: "never" });
  });

  it("reads a secret of the wrong kind as missing fields of the expected kind", () => {
    const result = credentialsUpdate(expected("oauth2_client_credentials"), connection, JSON.stringify({ api_key: SECRET }));
    expect(result).toMatchObject({ status: "failed", reason: expect.stringContaining("client_id is missing or not a string, client_secret is missing or not a string") });
  });
});
