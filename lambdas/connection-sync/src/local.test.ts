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
      auth: { type: "oauth2_client_credentials", tokenUrl: "http://127.0.0.1:9000/token", scopes: ["callbacks.write"], credentialsSecret: "trust-callbacks/local/credentials/RX1/ehr" },
      signingSecret: "trust-callbacks/local/signing/RX1/ehr",
    },
    { id: "pas", url: "http://127.0.0.1:9001/cb", eventTypes: ["message.created"], payloadProfile: "minimal", auth: { type: "basic", credentialsSecret: "trust-callbacks/local/credentials/RX1/pas" }, signingSecret: "trust-callbacks/local/signing/RX1/pas" },
    { id: "bi", url: "http://127.0.0.1:9002/cb", eventTypes: ["message.created"], payloadProfile: "minimal", auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "trust-callbacks/local/credentials/RX1/bi" }, signingSecret: "trust-callbacks/local/signing/RX1/bi" },
  ],
});
const PREFIX = "trust-callbacks-local";
const values = {
  "trust-callbacks/local/credentials/RX1/ehr": JSON.stringify({ client_id: "ehr-client", client_secret: "ehr-secret" }),
  "trust-callbacks/local/credentials/RX1/pas": JSON.stringify({ username: "pas", password: "pas-password" }),
  "trust-callbacks/local/credentials/RX1/bi": JSON.stringify({ api_key: "bi-key" }),
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
    const { "trust-callbacks/local/credentials/RX1/pas": _missing, ...others } = values;

    const report = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets: new LocalSecrets(others) });

    expect(report.outcomes.find((o) => o.connection === `${PREFIX}-RX1-pas`)).toMatchObject({ status: "failed", why: expect.stringContaining("secret trust-callbacks/local/credentials/RX1/pas not found") });
    expect(connections.credentials(`${PREFIX}-RX1-pas`)).toBeUndefined();
    expect(connections.credentials(`${PREFIX}-RX1-bi`)).toBeDefined();
  });

  it("a rotated secret reaches its connection on the next secret event or reconcile; a deauthorized one is re-authorized", async () => {
    const time = clock();
    const connections = InMemoryConnections.forTrusts(PREFIX, [trust], time.now);
    const secrets = new LocalSecrets(values, time.now);
    await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets });
    time.tick();

    secrets.put("trust-callbacks/local/credentials/RX1/pas", JSON.stringify({ username: "pas", password: "rotated" }));
    const changed = await syncLocalConnections({ namePrefix: PREFIX, trusts: [trust], connections, secrets, request: { action: "secret-changed", secretName: "trust-callbacks/local/credentials/RX1/pas" } });
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
