import { describe, expect, it } from "vitest";
import { TrustConfig } from "@trust-callbacks/schemas";
import { InMemoryConnections, LocalSecrets, syncLocalConnections } from "./local.ts";

const trust = TrustConfig.parse({
  trustId: "RX1",
  name: "Example Acute NHS Trust",
  enabled: true,
  endpoints: [
    {
      id: "ehr",
      url: "http://127.0.0.1:9000/cb",
      eventTypes: ["message.created"],
      payloadProfile: "minimal",
      auth: { type: "oauth2_client_credentials", tokenUrl: "http://127.0.0.1:9000/token", scopes: ["callbacks.write"], credentialsSecret: "local/RX1/ehr/auth" },
      signingSecret: "local/RX1/ehr/signing",
    },
    { id: "pas", url: "http://127.0.0.1:9001/cb", eventTypes: ["message.created"], payloadProfile: "minimal", auth: { type: "basic", credentialsSecret: "local/RX1/pas/auth" }, signingSecret: "local/RX1/pas/signing" },
    { id: "bi", url: "http://127.0.0.1:9002/cb", eventTypes: ["message.created"], payloadProfile: "minimal", auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "local/RX1/bi/auth" }, signingSecret: "local/RX1/bi/signing" },
  ],
});
const PREFIX = "trust-callbacks-local";
const values = {
  "local/RX1/ehr/auth": JSON.stringify({ client_id: "ehr-client", client_secret: "ehr-secret" }),
  "local/RX1/pas/auth": JSON.stringify({ username: "pas", password: "pas-password" }),
  "local/RX1/bi/auth": JSON.stringify({ api_key: "bi-key" }),
};

/** A clock the test moves: secrets and connections are stamped with it, like the services' own times. */
function clock() {
  let now = Date.parse("2026-11-22T09:00:00Z");
  return { now: () => new Date(now), tick: () => void (now += 1000) };
}

describe("the local pipeline's connections, synced by the same core as the Lambda", () => {
  it("hold no usable credentials until the first sync, then the secrets' own, in the shape the local API destination sends", async () => {
    const time = clock();
    const connections = InMemoryConnections.forTrusts(PREFIX, [trust], time.now);
    expect(connections.credentials(`${PREFIX}-RX1-pas`)).toBeUndefined();
    expect(connections.state(`${PREFIX}-RX1-ehr`)).toBe("DEAUTHORIZED"); // a placeholder cannot get a token

    const report = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets: new LocalSecrets(values, time.now) });

    expect(report.counts).toEqual({ updated: 3, unchanged: 0, skipped: 0, failed: 0 });
    expect(connections.credentials(`${PREFIX}-RX1-ehr`)).toEqual({ type: "oauth2_client_credentials", tokenUrl: "http://127.0.0.1:9000/token", scopes: ["callbacks.write"], clientId: "ehr-client", clientSecret: "ehr-secret" });
    expect(connections.credentials(`${PREFIX}-RX1-pas`)).toEqual({ type: "basic", username: "pas", password: "pas-password" });
    expect(connections.credentials(`${PREFIX}-RX1-bi`)).toEqual({ type: "api_key", headerName: "x-api-key", value: "bi-key" });
  });

  it("a missing secret fails only its connection", async () => {
    const connections = InMemoryConnections.forTrusts(PREFIX, [trust]);
    const { "local/RX1/pas/auth": _missing, ...others } = values;

    const report = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets: new LocalSecrets(others) });

    expect(report.outcomes.find((o) => o.connection === `${PREFIX}-RX1-pas`)).toMatchObject({ status: "failed", why: expect.stringContaining("secret local/RX1/pas/auth not found") });
    expect(connections.credentials(`${PREFIX}-RX1-pas`)).toBeUndefined();
    expect(connections.credentials(`${PREFIX}-RX1-bi`)).toBeDefined();
  });

  it("a rotated secret reaches its connection on the next secret event or reconcile; a deauthorized one is re-authorized", async () => {
    const time = clock();
    const connections = InMemoryConnections.forTrusts(PREFIX, [trust], time.now);
    const secrets = new LocalSecrets(values, time.now);
    await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets });
    time.tick();

    secrets.put("local/RX1/pas/auth", JSON.stringify({ username: "pas", password: "rotated" }));
    const changed = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets, request: { action: "secret-changed", secretName: "local/RX1/pas/auth" } });
    expect(changed.counts).toMatchObject({ updated: 1 });
    expect(connections.credentials(`${PREFIX}-RX1-pas`)).toMatchObject({ password: "rotated" });
    time.tick();

    connections.deauthorize(`${PREFIX}-RX1-bi`);
    expect(connections.credentials(`${PREFIX}-RX1-bi`)).toBeUndefined();
    const reconciled = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets, request: { action: "reconcile" } });
    expect(reconciled.counts).toEqual({ updated: 1, unchanged: 2, skipped: 0, failed: 0 });
    expect(connections.state(`${PREFIX}-RX1-bi`)).toBe("AUTHORIZED");
  });
});
