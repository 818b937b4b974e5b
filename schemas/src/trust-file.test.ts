import { describe, expect, it } from "vitest";
import { parseTrustFile } from "./trust-file.ts";

// docs/guarantees.md 10.26: a hold window that has already ended is not deployable (validate-trusts, add-endpoint);
// the Lambda, which passes no `windowsEndedBy`, keeps reading the same document.

const FILE = "environments/test/trusts/RX1.json";
const NOW = new Date("2026-12-05T10:00:00Z");
const past = { from: "2026-12-01T20:00:00Z", until: "2026-12-02T06:00:00Z", reason: "EPR upgrade CHG1" };
const endsNow = { from: "2026-12-05T02:00:00Z", until: "2026-12-05T10:00:00Z", reason: "ends now" };
const active = { from: "2026-12-05T09:00:00Z", until: "2026-12-05T12:00:00Z", reason: "EPR upgrade CHG2" };
const future = { from: "2026-12-12T20:00:00Z", until: "2026-12-13T06:00:00Z", reason: "EPR upgrade CHG3" };
const endpoint = (id: string, holds: unknown[] = []) => ({
  id,
  url: `https://${id}.rx1.example.nhs.uk/callbacks`,
  eventTypes: ["message.created"],
  payloadProfile: "full",
  auth: { type: "basic", credentialsSecret: `trust-callbacks/test/credentials/RX1/${id}` },
  signingSecret: `trust-callbacks/test/signing/RX1/${id}`,
  holds,
});
const text = (holds: unknown[], endpoints: unknown[]) => JSON.stringify({ trustId: "RX1", name: "Trust", enabled: true, holds, endpoints });

describe("windows already ended (10.26): each file → the one answer", () => {
  it.each<[string, string, { windowsEndedBy?: Date }, string[]]>([
    ["no windows", text([], [endpoint("ehr")]), { windowsEndedBy: NOW }, []],
    ["active and future windows", text([active, future], [endpoint("ehr", [future])]), { windowsEndedBy: NOW }, []],
    ["a trust window that ended", text([past, active], [endpoint("ehr")]), { windowsEndedBy: NOW }, ["holds[0].until"]],
    ["a window ending exactly now (until is exclusive)", text([endsNow], [endpoint("ehr")]), { windowsEndedBy: NOW }, ["holds[0].until"]],
    ["an endpoint window that ended", text([], [endpoint("ehr"), endpoint("pas", [past, future])]), { windowsEndedBy: NOW }, ["endpoints[1].holds[0].until"]],
    ["both", text([past], [endpoint("ehr", [past])]), { windowsEndedBy: NOW }, ["holds[0].until", "endpoints[0].holds[0].until"]],
    ["ended, read by the Lambda (no windowsEndedBy)", text([past], [endpoint("ehr", [past])]), {}, []],
  ])("%s", (_case, file, options, fields) => {
    const parsed = parseTrustFile(file, { file: FILE, ...options });
    if (fields.length === 0) {
      expect(parsed.status).toBe("valid");
      return;
    }
    expect(parsed).toEqual({
      status: "invalid",
      issues: fields.map((field) => ({ file: FILE, field, code: "not-deployable", message: expect.stringMatching(/^ended at \S+ \(before .*\): remove the window, it cannot be deployed$/) })),
    });
  });
});
