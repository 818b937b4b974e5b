import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileHoldStates } from "../../lib/local-holds.ts";
import { COOKIE, consoleApp } from "./server.ts";
import { localSource } from "./source.ts";

/** docs/guarantees.md 10.27: the trust page shows each endpoint's hold and holds / resumes through the CLI's commands. */
const TOKEN = "t".repeat(43);
const ORIGIN = "http://127.0.0.1:4711";

describe("console: hold and resume on the trust page (10.27)", () => {
  let dir: string;
  let auditFile: string;
  let states: FileHoldStates;
  let post: (path: string, form: Record<string, string>, origin?: string) => Promise<Response>;
  let get: (path: string) => Promise<Response>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "console-holds-"));
    mkdirSync(join(dir, "dlq"));
    auditFile = join(dir, "audit.ndjson");
    states = new FileHoldStates(join(dir, "holds"));
    const made = consoleApp(localSource({ kind: "local", root: join(dir, "dlq") }, auditFile), { token: TOKEN });
    made.setOrigin(ORIGIN);
    vi.spyOn(console, "log").mockImplementation(() => {});
    const headers = (origin: string | undefined): Record<string, string> => ({ host: "127.0.0.1:4711", cookie: `${COOKIE}=${TOKEN}`, ...(origin ? { origin } : {}) });
    get = (path) => Promise.resolve(made.app.request(`${ORIGIN}${path}`, { headers: headers(undefined) }));
    post = (path, form, origin = ORIGIN) =>
      Promise.resolve(made.app.request(`${ORIGIN}${path}`, { method: "POST", headers: { ...headers(origin), "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }));
  });
  afterEach(() => vi.restoreAllMocks());

  const audit = () => (existsSync(auditFile) ? readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
  const phase = async (endpointId: string) => {
    const answer = (await states.getMany([{ trustId: "RX1", endpointId }])).get(`RX1#${endpointId}`);
    return answer?.status === "found" ? answer.value.phase : undefined;
  };

  it("a dry run writes nothing and offers to confirm; the confirmed hold is written and audited; resume drains it", async () => {
    const dry = await post("/trusts/RX1/hold", { endpoint: "ehr", reason: "EPR upgrade CHG1", until: "8h", mode: "dry-run" });
    expect(dry.status).toBe(200);
    const dryPage = await dry.text();
    expect(dryPage).toContain("would-hold");
    expect(dryPage).toContain("Dry run: nothing written, no audit line");
    expect(dryPage).toMatch(/<input type="hidden" name="mode" value="confirm" \/>/);
    // The confirm carries the instant the dry run showed, not the duration again.
    const shown = /would be held until (\S+Z);/.exec(dryPage)?.[1];
    expect(dryPage).toContain(`<input type="hidden" name="until" value="${shown}" />`);
    expect(await phase("ehr")).toBeUndefined();
    expect(audit()).toEqual([]);

    const confirmed = await post("/trusts/RX1/hold", { endpoint: "ehr", reason: "EPR upgrade CHG1", until: "8h", mode: "confirm" });
    expect(confirmed.status).toBe(200);
    expect(await phase("ehr")).toBe("held");
    expect(audit()).toEqual([expect.objectContaining({ action: "hold", trustId: "RX1", endpointId: "ehr", outcome: "held", reason: "EPR upgrade CHG1" })]);

    const trustPage = await (await get("/trusts/RX1")).text();
    expect(trustPage).toMatch(/<tr><td>ehr<\/td><td>held<\/td><td class="num">0<\/td>/);
    expect(trustPage).toContain("EPR upgrade CHG1");

    const resumed = await post("/trusts/RX1/resume", { endpoint: "ehr", mode: "confirm" });
    expect(resumed.status).toBe(200);
    expect(await phase("ehr")).toBe("draining");
    expect(audit().map((l) => [l.action, l.outcome])).toEqual([["hold", "held"], ["resume", "resumed"]]);
  });

  it.each<[string, Record<string, string>, string | undefined, number, RegExp]>([
    ["no reason: the CLI's own refusal", { endpoint: "ehr", reason: "", mode: "confirm" }, ORIGIN, 400, /hold needs --reason/],
    ["--until in the past", { endpoint: "ehr", reason: "r", until: "2020-01-01T00:00:00Z", mode: "confirm" }, ORIGIN, 400, /is not in the future/],
    ["an unknown endpoint", { endpoint: "pas", reason: "r", mode: "confirm" }, ORIGIN, 400, /trust RX1 has no endpoint pas/],
    ["another site's Origin", { endpoint: "ehr", reason: "r", mode: "confirm" }, "https://evil.example", 403, /Forbidden/],
  ])("%s: refused, nothing written", async (_case, form, origin, status, message) => {
    const answer = await post("/trusts/RX1/hold", form, origin);
    expect(answer.status).toBe(status);
    expect(await answer.text()).toMatch(message);
    expect(await phase("ehr")).toBeUndefined();
    expect(audit()).toEqual([]);
  });
});
