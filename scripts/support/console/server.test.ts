import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FileDeadLetterQueue } from "../../lib/dead-letter-queue.ts";
import { CSP, COOKIE, consoleApp, startConsole } from "./server.ts";
import { localSource } from "./source.ts";

/** Promises 7.20-7.23 and 7.27 (docs/guarantees.md): who may use the console, and who may not. */
const TOKEN = "t".repeat(43);
const ORIGIN = "http://127.0.0.1:4711";
const MARKER = "CLINICAL-CONTENT-MARKER";

function deadLetter(queue: FileDeadLetterQueue, n: number) {
  const event = { specversion: "1.0", id: `ce-${n}`, source: "/trust-callbacks/local", type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RYJ", endpointid: "legacy", data: { note: `${MARKER}-${n}` } };
  queue.send(JSON.stringify({ source: "trust-callbacks", "detail-type": event.type, detail: { webhook: { id: event.id, timestamp: "1", signature: "v1,x" }, event } }), {
    ERROR_CODE: "ERROR_FROM_TARGET",
    ERROR_MESSAGE: "503",
    RETRY_ATTEMPTS: "3",
    RULE_ARN: "arn:aws:events:eu-west-2:123456789012:rule/bus/trust-callbacks-local-RYJ-legacy",
    TARGET_ARN: "arn:aws:events:eu-west-2:123456789012:api-destination/x/y",
  });
}

describe("console server: token, cookie, host, origin, CSP", () => {
  let dir: string;
  let queue: FileDeadLetterQueue;
  let auditFile: string;
  let request: (path: string, init?: { method?: string; cookie?: boolean; host?: string; origin?: string; form?: Record<string, string> }) => Promise<Response>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "console-server-"));
    queue = new FileDeadLetterQueue(join(dir, "dlq"), "RYJ");
    for (const n of [1, 2, 3]) deadLetter(queue, n);
    auditFile = join(dir, "audit.ndjson");
    const made = consoleApp(localSource({ kind: "local", root: join(dir, "dlq") }, auditFile), { token: TOKEN });
    made.setOrigin(ORIGIN);
    vi.spyOn(console, "log").mockImplementation(() => {});
    request = (path, init = {}) => {
      const headers: Record<string, string> = { host: init.host ?? "127.0.0.1:4711" };
      if (init.cookie !== false) headers.cookie = `${COOKIE}=${TOKEN}`;
      if (init.origin !== undefined) headers.origin = init.origin;
      const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      return Promise.resolve(made.app.request(`${ORIGIN}${path}`, { method: init.method ?? "GET", headers, ...(body !== undefined ? { body } : {}) }));
    };
  });
  afterEach(() => vi.restoreAllMocks());

  const audit = () => (existsSync(auditFile) ? readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);

  it.each([
    ["a page without the cookie", "/", { cookie: false }, 401],
    ["a script file without the cookie", "/static/console.js", { cookie: false }, 401],
    ["the trace without the cookie", "/trace?by=trust&q=RYJ", { cookie: false }, 401],
    ["a wrong token in the URL", "/?token=wrong", { cookie: false }, 401],
    ["a wrong token of the right length", `/?token=${"u".repeat(43)}`, { cookie: false }, 401],
    ["the cookie, but another Host (DNS rebinding)", "/", { host: "evil.example:4711" }, 403],
    ["the cookie, but localhost instead of the address it listens on", "/", { host: "localhost:4711" }, 403],
    ["the cookie", "/", {}, 200],
    ["the cookie, a script file", "/static/console.js", {}, 200],
    ["the cookie, uPlot from its package", "/static/uplot.iife.min.js", {}, 200],
  ] as const)("7.20 GET with %s", async (_, path, init, status) => {
    expect((await request(path, init)).status).toBe(status);
  });

  it("7.20 the token in the URL becomes an HttpOnly SameSite=Strict cookie and leaves the address", async () => {
    const answer = await request(`/trace?by=trust&q=RYJ&token=${TOKEN}`, { cookie: false });
    expect(answer.status).toBe(303);
    expect(answer.headers.get("location")).toBe("/trace?by=trust&q=RYJ");
    expect(answer.headers.get("set-cookie")).toBe(`${COOKIE}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
  });

  it.each([
    ["the cookie and no Origin", { origin: undefined }, 403],
    ["the cookie and another site's Origin", { origin: "https://evil.example" }, 403],
    ["the cookie and Origin null", { origin: "null" }, 403],
    ["the cookie and the console's Origin on another port", { origin: "http://127.0.0.1:4712" }, 403],
    ["the console's Origin but no cookie", { origin: ORIGIN, cookie: false }, 401],
  ] as const)("7.21 a purge POST with %s is refused: the DLQ keeps its messages, no audit line", async (_, init, status) => {
    const answer = await request("/trusts/RYJ/purge", { method: "POST", form: { confirm: "RYJ" }, ...init });
    expect(answer.status).toBe(status);
    expect((await queue.stats()).depth).toBe(3);
    expect(audit()).toEqual([]);
  });

  it("7.21 a POST with the token in the URL but no cookie is refused: the token is for opening the console, not for changes", async () => {
    const answer = await request(`/trusts/RYJ/purge?token=${TOKEN}`, { method: "POST", origin: ORIGIN, cookie: false, form: { confirm: "RYJ" } });
    expect(answer.status).toBe(401);
    expect((await queue.stats()).depth).toBe(3);
  });

  it("7.21/7.27 a purge POST with the cookie, the console's Origin and the trust id typed deletes the DLQ and is audited as the CLI's", async () => {
    const answer = await request("/trusts/RYJ/purge", { method: "POST", origin: ORIGIN, form: { confirm: "RYJ" } });
    expect(answer.status).toBe(200);
    expect((await queue.stats()).depth).toBe(0);
    // As the CLI's `purge`: one line per delivery deleted (its history record, 8.21), then the count.
    const lines = audit();
    expect(lines.slice(0, 3).map((l) => [l.action, l.trustId, l.endpointId, l.cloudEventId, l.outcome]).sort()).toEqual([1, 2, 3].map((n) => ["purge", "RYJ", "legacy", `ce-${n}`, "purged"]));
    expect(lines.slice(3)).toEqual([expect.objectContaining({ action: "purge", trustId: "RYJ", outcome: "purged", detail: "3 message(s)" })]);
  });

  it.each([["" ], ["ryj"], ["RYJ2"], ["R0A"]])("7.27 purge with %j typed deletes nothing and audits nothing", async (typed) => {
    const answer = await request("/trusts/RYJ/purge", { method: "POST", origin: ORIGIN, form: { confirm: typed } });
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("nothing was deleted");
    expect((await queue.stats()).depth).toBe(3);
    expect(audit()).toEqual([]);
  });

  it("7.27 content is on no GET page; asked for by POST it is shown and each message shown is one show-content audit line", async () => {
    for (const path of ["/", "/trusts/RYJ", "/trace?by=cloudevent&q=ce-1", "/trace?by=trust&q=RYJ"]) {
      const page = await request(path);
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain(MARKER);
    }
    expect(audit()).toEqual([]);
    const shown = await (await request("/trusts/RYJ/content", { method: "POST", origin: ORIGIN, form: {} })).text();
    expect(shown).toContain(`${MARKER}-1`);
    expect(audit().map((a) => [a.action, a.cloudEventId, a.outcome]).sort()).toEqual([
      ["show-content", "ce-1", "shown"],
      ["show-content", "ce-2", "shown"],
      ["show-content", "ce-3", "shown"],
    ]);
    expect((await queue.stats()).depth).toBe(3); // looked at, left in the queue
  });

  it.each([["/"], ["/trusts/RYJ"], ["/trace"], ["/trace?by=source&q=nope"], ["/no-such-page"], ["/static/console.css"]])(
    "7.22 %s carries the strict CSP, and its HTML has no inline script, style or handler",
    async (path) => {
      const answer = await request(path);
      expect(answer.headers.get("content-security-policy")).toBe(CSP);
      expect(CSP).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
      expect(answer.headers.get("cache-control")).toBe("no-store");
      const text = await answer.text();
      if (!answer.headers.get("content-type")?.startsWith("text/html")) return;
      expect(text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
      expect(text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    },
  );

  it("an id that is not an id is a message on the page, not a stack trace", async () => {
    const answer = await request(`/trace?by=source&q=${encodeURIComponent('" or 1=1')}`);
    expect(answer.status).toBe(400);
    const text = await answer.text();
    expect(text).toContain("an id has letters, digits and . _ : - only");
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe("console server: where it listens", () => {
  it("7.23 listens on 127.0.0.1 only, on a free port, and prints a URL with its token", async () => {
    const dir = mkdtempSync(join(tmpdir(), "console-listen-"));
    mkdirSync(join(dir, "dlq")); // a local run's DLQ folder: the CLI's target refuses one that does not exist
    const running = await startConsole(localSource({ kind: "local", root: join(dir, "dlq") }, join(dir, "audit.ndjson")));
    try {
      expect(running.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${running.port}/\\?token=[A-Za-z0-9_-]{43}$`));
      expect(running.port).toBeGreaterThan(0);
      const other = Object.values(networkInterfaces()).flat().find((i) => i && i.family === "IPv4" && !i.internal)?.address;
      if (other) {
        const reached = await new Promise<boolean>((resolve) => {
          const socket = connect({ host: other, port: running.port }, () => (socket.destroy(), resolve(true)));
          socket.on("error", () => resolve(false));
        });
        expect(reached).toBe(false);
      }
      expect((await fetch(`${running.origin}/`)).status).toBe(401);
    } finally {
      await running.close();
    }
  });
});

describe("console server: routes answer a user's mistake with a message", () => {
  let request: (path: string, init?: { method?: string; form?: Record<string, string> }) => Promise<Response>;
  beforeEach(() => {
    const dir = mkdtempSync(join(tmpdir(), "console-routes-"));
    mkdirSync(join(dir, "dlq"));
    const made = consoleApp(localSource({ kind: "local", root: join(dir, "dlq") }, join(dir, "audit.ndjson")), { token: TOKEN });
    made.setOrigin(ORIGIN);
    request = (path, init = {}) => {
      const headers: Record<string, string> = { host: "127.0.0.1:4711", cookie: `${COOKIE}=${TOKEN}`, origin: ORIGIN };
      const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      return Promise.resolve(made.app.request(`${ORIGIN}${path}`, { method: init.method ?? "GET", headers, ...(body !== undefined ? { body } : {}) }));
    };
  });

  it.each([
    ["an unknown trust's page", "/trusts/ZZZ", undefined, 404, "no trust ZZZ in the trust files"],
    ["a redrive for an unknown trust", "/trusts/ZZZ/redrive", {}, 404, "no such trust"],
    ["a replay without an endpoint of the trust", "/trusts/RX1/replay", { endpoint: "nope", since: "2026-12-05T10:00:00Z", until: "2026-12-05T11:00:00Z" }, 400, "choose one of RX1&#39;s endpoints"],
    ["a replay whose window is not two times", "/trusts/RX1/replay", { endpoint: "bleep", since: "yesterday", until: "2026-12-05T11:00:00Z" }, 400, "give the window as two ISO times"],
    ["a replay whose window ends before it starts", "/trusts/RX1/replay", { endpoint: "bleep", since: "2026-12-05T11:00:00Z", until: "2026-12-05T10:00:00Z" }, 400, "since before until"],
    ["a page that does not exist", "/nope", undefined, 404, "no such page"],
  ] as const)("%s: %i and a message", async (_, path, form, status, message) => {
    const answer = await request(path, form ? { method: "POST", form } : {});
    expect(answer.status).toBe(status);
    const text = await answer.text();
    expect(text).toContain(message);
    expect(text).not.toMatch(/at .*\.ts:\d+/);
  });

  it.each([
    ["by=cloudevent", "/trace?by=cloudevent&q=ce-unknown", "0 deliveries found"],
    ["by=source", "/trace?by=source&q=src-unknown", "0 deliveries found"],
    ["by=trust", "/trace?by=trust&q=RYJ", "0 deliveries found"],
    ["no query yet", "/trace", "Search by"],
  ])("the trace, %s, answers a page", async (_, path, text) => {
    const answer = await request(path);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain(text);
  });
});
