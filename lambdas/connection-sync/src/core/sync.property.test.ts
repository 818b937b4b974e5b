import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TransientError, failed, found, notFound } from "@trust-callbacks/runtime";
import { InMemoryConnections } from "../local.ts";
import type { AuthKind, ExpectedCredentials } from "./model.ts";
import type { SecretsPort, SyncLogger } from "./ports.ts";
import { syncConnections } from "./sync.ts";

const quiet: SyncLogger = { info: () => {}, warn: () => {}, error: () => {} };
const PREFIX = "tc-test-";
const KINDS: AuthKind[] = ["oauth2_client_credentials", "basic", "api_key"];
const GOOD: Record<AuthKind, string> = {
  oauth2_client_credentials: JSON.stringify({ client_id: "c", client_secret: "v4lue-never-in-an-outcome" }),
  basic: JSON.stringify({ username: "u", password: "v4lue-never-in-an-outcome" }),
  api_key: JSON.stringify({ api_key: "v4lue-never-in-an-outcome" }),
};
type Fault = "none" | "missing" | "malformed" | "unreadable" | "update-throws";

describe("syncConnections, whatever fails", () => {
  it("gives every connection exactly one outcome, updates every healthy one, and never puts a value in an outcome", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ kind: fc.constantFrom(...KINDS), fault: fc.constantFrom<Fault>("none", "missing", "malformed", "unreadable", "update-throws")}), { minLength: 1, maxLength: 12 }),
        fc.constantFrom("reconcile", "sync"),
        async (specs, action) => {
          const connections = new InMemoryConnections();
          const expected: ExpectedCredentials[] = specs.map((spec, index) => ({ connection: `${PREFIX}R${index}-ep`, secretName: `s/${index}`, kind: spec.kind }));
          for (const entry of expected) {
            connections.create(entry.connection, entry.kind, entry.kind === "api_key" ? { headerName: "x-key" } : entry.kind === "oauth2_client_credentials" ? { tokenUrl: "https://t.example/token" } : {});
            connections.deauthorize(entry.connection); // every one needs a sync, also in a reconcile
          }
          const faultOf = (name: string) => specs[Number(/R(\d+)-/.exec(name)?.[1] ?? /s\/(\d+)/.exec(name)?.[1])]!.fault;
          const secrets: SecretsPort = {
            get: async (name) => {
              const index = Number(name.split("/")[1]);
              const fault = specs[index]!.fault;
              if (fault === "missing") return notFound("ResourceNotFoundException");
              if (fault === "unreadable") return failed("later", "Secrets Manager GetSecretValue: InternalServiceError (HTTP 500)");
              if (fault === "malformed") return found({ value: "{not json v4lue-never-in-an-outcome", createdAt: new Date(0) });
              return found({ value: GOOD[specs[index]!.kind], createdAt: new Date(0) });
            },
          };
          const update = connections.update.bind(connections);
          connections.update = async (request) => {
            if (faultOf(request.Name) === "update-throws") throw new TransientError("EventBridge UpdateConnection: ThrottlingException (HTTP 400)");
            return update(request);
          };

          const report = await syncConnections(
            action === "reconcile" ? { action } : { action, force: true, connections: expected.map((entry) => ({ name: entry.connection, credentialsSecret: entry.secretName, auth: entry.kind })) },
            { connections, secrets, deployment: { expected: async () => found(expected) }, connectionNamePrefix: PREFIX, logger: quiet, concurrency: 3 },
          );

          expect(report.outcomes.map((outcome) => outcome.connection).sort()).toEqual(expected.map((entry) => entry.connection).sort());
          for (const outcome of report.outcomes) {
            const fault = faultOf(outcome.connection);
            expect(outcome.status, `${outcome.connection} (${fault})`).toBe(fault === "none" ? "updated" : "failed");
            expect(JSON.stringify(outcome)).not.toContain("v4lue-never-in-an-outcome");
            const retry: Record<Fault, string | undefined> = { none: undefined, missing: "never", malformed: "never", unreadable: "later", "update-throws": "now" };
            if (outcome.status === "failed") expect(outcome.retry).toBe(retry[fault]);
          }
          expect(report.counts.updated + report.counts.failed).toBe(expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
