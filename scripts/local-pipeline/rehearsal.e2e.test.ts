import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

/**
 * A trust developer's rehearsal, as the README describes it, with the CLI as a user runs it: `listen` for each
 * endpoint of their own trust file (one per auth type) in one terminal, `trigger` in another, both on a secrets
 * file that does not exist yet (a fresh clone). Each delivery must arrive authenticated and verified.
 */
const tsx = join(import.meta.dirname, "../../node_modules/.bin/tsx");
const CLI = join(import.meta.dirname, "cli.ts");
const run = promisify(execFile);

const dir = mkdtempSync(join(tmpdir(), "rehearsal-"));
const trustsDir = join(dir, "trusts");
const trustFile = join(trustsDir, "R1A.json");
const secretsFile = join(dir, "secrets.json");
mkdirSync(trustsDir);

const endpoint = (id: string, auth: Record<string, unknown>, origin = "http://127.0.0.1:1") => ({
  id,
  url: `${origin}/hooks/${id}`,
  eventTypes: ["message.created"],
  payloadProfile: id === "ehr" ? "full" : "minimal",
  auth: { ...auth, ...(auth.type === "oauth2_client_credentials" ? { tokenUrl: `${origin}/auth/token`, scopes: ["callbacks.write"] } : {}), credentialsSecret: `trust-callbacks/dev/credentials/R1A/${id}` },
  signingSecret: `trust-callbacks/dev/signing/R1A/${id}`,
});
const AUTH = { ehr: { type: "oauth2_client_credentials" }, pas: { type: "basic" }, bleep: { type: "api_key", headerName: "x-trust-key" } } as const;
const writeTrust = (origins: Record<string, string> = {}) =>
  writeFileSync(
    trustFile,
    JSON.stringify({ trustId: "R1A", name: "Rehearsal Trust", enabled: true, endpoints: Object.entries(AUTH).map(([id, auth]) => endpoint(id, auth, origins[id])) }, null, 2),
  );

interface Listener {
  child: ChildProcess;
  origin: string;
  stdout: () => string;
  stderr: () => string;
}

const listeners: Listener[] = [];
afterAll(async () => {
  for (const l of listeners) l.child.kill("SIGINT");
  await Promise.all(listeners.map((l) => new Promise((resolve) => (l.child.exitCode !== null ? resolve(null) : l.child.once("exit", resolve)))));
});

/** `npm run local -- listen ...` as a child on an ephemeral port; resolves once it prints where it listens. */
function listen(args: string[]): Promise<Listener> {
  const child = spawn(tsx, [CLI, "listen", ...args, "--port", "0", "--json"], { cwd: dir });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
      const origin = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err)?.[1];
      if (origin && !listeners.some((l) => l.child === child)) {
        const listener = { child, origin, stdout: () => out, stderr: () => err };
        listeners.push(listener);
        resolve(listener);
      }
    });
    child.once("exit", (code) => reject(new Error(`listen exited ${code}: ${err}`)));
  });
}

const trigger = (args: string[]) =>
  run(tsx, [CLI, "trigger", "--trust", "R1A", "--type", "message.created", "--trusts", trustsDir, "--dlq-dir", join(dir, "dlq"), "--json", ...args], { cwd: dir }).then(
    ({ stdout }) => ({ code: 0, report: JSON.parse(stdout) }),
    (error: { code: number; stdout: string }) => ({ code: error.code, report: JSON.parse(error.stdout) }),
  );

const lines = (text: string) => text.split("\n").filter((line) => line.trim().startsWith("{")).map((line) => JSON.parse(line));

describe("rehearsal on a fresh clone: listen + trigger on your own trust file, every auth type", () => {
  const byEndpoint: Record<string, Listener> = {};

  // The secrets file's modes are pinned once, in scripts/lib/private-files.test.ts (docs/guarantees.md 6.1, 6.11).
  it("listen creates the secrets file and prints the signing key and credentials it expects", async () => {
    writeTrust();
    expect(existsSync(secretsFile)).toBe(false);
    // One at a time: the first creates the secrets file for the whole trust, the others read it.
    byEndpoint.ehr = await listen(["--endpoint", "R1A/ehr", "--trusts", trustsDir, "--secrets", secretsFile, "--respond", "500,200"]);
    byEndpoint.pas = await listen(["--endpoint", "R1A/pas", "--trusts", trustFile, "--secrets", secretsFile]);
    byEndpoint.bleep = await listen(["--endpoint", "R1A/bleep", "--trusts", trustsDir, "--secrets", secretsFile]);
    const secrets = JSON.parse(readFileSync(secretsFile, "utf8")) as Record<string, string>;
    expect(Object.keys(secrets).sort()).toEqual(["credentials", "signing"].flatMap((kind) => ["bleep", "ehr", "pas"].map((id) => `trust-callbacks/dev/${kind}/R1A/${id}`)).sort());
    expect(secrets["trust-callbacks/dev/signing/R1A/ehr"]).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Object.keys(JSON.parse(secrets["trust-callbacks/dev/credentials/R1A/ehr"]!)).sort()).toEqual(["client_id", "client_secret"]);
    expect(Object.keys(JSON.parse(secrets["trust-callbacks/dev/credentials/R1A/pas"]!)).sort()).toEqual(["password", "username"]);
    expect(Object.keys(JSON.parse(secrets["trust-callbacks/dev/credentials/R1A/bleep"]!))).toEqual(["api_key"]);
    expect(byEndpoint.ehr.stderr()).toContain(`signing secret  trust-callbacks/dev/signing/R1A/ehr = ${secrets["trust-callbacks/dev/signing/R1A/ehr"]}`);
    expect(byEndpoint.ehr.stderr()).toContain(`credentials     trust-callbacks/dev/credentials/R1A/ehr = ${secrets["trust-callbacks/dev/credentials/R1A/ehr"]}`);
    expect(byEndpoint.ehr.stderr()).toMatch(/created .*secrets\.json: trust-callbacks\/dev\/signing\/R1A\/ehr/);
    expect(byEndpoint.pas.stderr()).toMatch(/from .*secrets\.json/);
  }, 60_000);

  it("trigger delivers to each endpoint, verified, rehearses a retry, and reports what happened", async () => {
    writeTrust({ ehr: byEndpoint.ehr!.origin, pas: byEndpoint.pas!.origin, bleep: byEndpoint.bleep!.origin });
    const { code, report } = await trigger(["--secrets", secretsFile]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ state: "published", delivered: true });
    const deliveries = Object.fromEntries(report.deliveries.map((d: { endpointId: string; delivery: unknown }) => [d.endpointId, d.delivery]));
    expect(deliveries).toEqual({
      ehr: expect.objectContaining({ state: "delivered", status: 200, attempts: 2, retries: 1 }),
      pas: expect.objectContaining({ state: "delivered", status: 200, attempts: 1, retries: 0 }),
      bleep: expect.objectContaining({ state: "delivered", status: 200, attempts: 1, retries: 0 }),
    });
    for (const [id, listener] of Object.entries(byEndpoint)) {
      const seen = lines(listener.stdout());
      expect(seen.length, id).toBe(id === "ehr" ? 2 : 1);
      for (const line of seen) {
        expect(line).toMatchObject({ verified: true, contentType: "application/cloudevents+json; charset=utf-8", event: { trustid: "R1A", endpointid: id } });
      }
      expect(seen.map((l) => l.status)).toEqual(id === "ehr" ? [500, 200] : [200]);
      expect(listener.stderr(), id).not.toContain("rejected");
    }
  }, 60_000);

  it("with other secrets, every listener refuses the delivery and trigger says it was dead-lettered, exit 1", async () => {
    const other = join(dir, "other-secrets.json");
    const { code, report } = await trigger(["--secrets", other, "--max-retries", "1"]);
    expect(code).toBe(1);
    expect(report.delivered).toBe(false);
    for (const d of report.deliveries) expect(d.delivery, d.endpointId).toMatchObject({ state: "dead-lettered", attempts: 2 });
    expect(lines(byEndpoint.pas!.stderr()).map((l) => l.reason)).toContain("bad basic credentials");
    expect(lines(byEndpoint.bleep!.stderr()).map((l) => l.reason)).toContain("bad api key");
    expect(lines(byEndpoint.ehr!.stderr()).map((l) => l.reason)).toContain("token request: bad client credentials");
  }, 60_000);
});
