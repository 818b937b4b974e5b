import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileSecretStore } from "../support/secret-stores.ts";
import { loadTrusts, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";
import { connectionSecret, ensureLocalSecrets, readLocalSecrets, writeLocalSecret } from "./local-secrets.ts";

const trusts = loadTrusts(SAMPLE_TRUSTS_DIR);
const fresh = () => join(mkdtempSync(join(tmpdir(), "secrets-")), "nested", "secrets.json");
const endpointOf = (trustId: string, id: string) => trusts.find((t) => t.trustId === trustId)!.endpoints.find((e) => e.id === id)!;

describe("the local secrets file", () => {
  // Its modes (0600 in 0700) are pinned once, in private-files.test.ts (docs/guarantees.md 6.1, 6.11).
  it("is created with a signing key and credentials per endpoint, in Secrets Manager's shapes, then kept as it is", () => {
    const path = fresh();
    const first = ensureLocalSecrets(path, trusts);
    expect(first.created).toBe(true);
    const names = trusts.flatMap((t) => t.endpoints.flatMap((e) => [e.signingSecret, e.auth.credentialsSecret]));
    expect(first.generated.sort()).toEqual([...new Set(names)].sort());
    expect(first.secrets["trust-callbacks/local/signing/RX1/ehr"]).toMatch(/^whsec_/);
    expect(connectionSecret(endpointOf("RX1", "ehr"), first.secrets["trust-callbacks/local/credentials/RX1/ehr"])).toMatchObject({ type: "oauth2_client_credentials" });
    expect(connectionSecret(endpointOf("RX1", "bleep"), first.secrets["trust-callbacks/local/credentials/RX1/bleep"])).toMatchObject({ type: "api_key" });

    const second = ensureLocalSecrets(path, trusts);
    expect(second).toEqual({ secrets: first.secrets, generated: [], created: false });
  });

  it("fills in only what is missing and never changes a value someone set", () => {
    const path = fresh();
    writeLocalSecret(path, "trust-callbacks/local/signing/RX1/ehr", "whsec_bWluZQ==");
    writeLocalSecret(path, "unrelated/secret", "kept");
    const { secrets, generated, created } = ensureLocalSecrets(path, trusts);
    expect(created).toBe(false);
    expect(generated).not.toContain("trust-callbacks/local/signing/RX1/ehr");
    expect(secrets["trust-callbacks/local/signing/RX1/ehr"]).toBe("whsec_bWluZQ==");
    expect(readLocalSecrets(path)["unrelated/secret"]).toBe("kept");
    writeLocalSecret(path, "trust-callbacks/local/signing/RX1/ehr", "whsec_bmV3");
    expect(readLocalSecrets(path)).toMatchObject({ "trust-callbacks/local/signing/RX1/ehr": "whsec_bmV3", "trust-callbacks/local/signing/RX1/bleep": secrets["trust-callbacks/local/signing/RX1/bleep"] });
  });

  it.each([
    ["not JSON", "{", /is not JSON$/],
    ["not an object of strings", JSON.stringify({ a: 1 }), /must be a JSON object of secret name to SecretString/],
    ["an array", "[]", /must be a JSON object/],
  ])("a file that is %s is a usage error naming it, for every tool that reads it", async (_what, text, message) => {
    const path = fresh();
    writeLocalSecret(path, "x", "y"); // creates the folder
    writeFileSync(path, text);
    expect(() => readLocalSecrets(path)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
    expect(() => ensureLocalSecrets(path, trusts)).toThrow(expect.objectContaining({ name: "UsageError" }));
    // The support CLI's rotate-signing-key and add-endpoint read it the same way (docs/guarantees.md 6.11).
    const store = new FileSecretStore(path);
    const refusal = expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) });
    await expect(store.get("x")).rejects.toThrow(refusal);
    await expect(store.put("x", "z", "any")).rejects.toThrow(refusal);
    await expect(store.put("new", "z")).rejects.toThrow(refusal);
    expect(readFileSync(path, "utf8")).toBe(text); // not overwritten
  });

  it("refuses credentials that do not fit the endpoint's auth type, naming the secret", () => {
    const ehr = endpointOf("RX1", "ehr");
    expect(() => connectionSecret(ehr, JSON.stringify({ api_key: "k" }))).toThrow(/secret trust-callbacks\/local\/credentials\/RX1\/ehr must be a JSON object with "client_id" and "client_secret"/);
    expect(() => connectionSecret(ehr, "plain text")).toThrow(/is not JSON/);
    expect(() => connectionSecret(ehr, undefined)).toThrow(/no secret trust-callbacks\/local\/credentials\/RX1\/ehr/);
  });
});
