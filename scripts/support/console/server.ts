import { randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { serve, type ServerType } from "@hono/node-server";
import { Hono, type Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { SAFE_ID } from "../../lib/call-history.ts";
import { UsageError } from "../../lib/command-line.ts";
import type { Selection } from "../redrive.ts";
import { listFailed } from "../redrive.ts";
import { holdViews, type HoldView } from "../holds.ts";
import { holdAction, purgeAction, redriveAction, replayAction, resumeAction, showContent } from "./actions.ts";
import { overviewModel, type OverviewQuery } from "./model.ts";
import type { ConsoleSource } from "./source.ts";
import { actionPage, contentPage, errorPage, layout, overviewPage, tracePage, trustPage, type TraceBy } from "./views.ts";

/**
 * The support console's web server. Security (docs/guarantees.md 7.20-7.23): it listens on 127.0.0.1 only; every
 * request needs the random token of the printed URL (given once in the query, then kept as an HttpOnly,
 * SameSite=Strict cookie), and a Host of its own address (no DNS rebinding); a POST also needs an Origin equal to
 * the console's own; every answer carries a strict Content-Security-Policy (scripts and styles from files of this
 * origin only) and is never cached or framed.
 */
export const COOKIE = "console_token";

/** How long the overview's reading of every DLQ and the day's history is reused (paging, filtering, a trust's page). */
export const HEALTH_TTL_MS = 5_000;

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const STATIC_DIR = new URL("./static/", import.meta.url);
const require = createRequire(import.meta.url);
const STATIC: Record<string, { file: string | URL; type: string }> = {
  "console.js": { file: new URL("console.js", STATIC_DIR), type: "text/javascript; charset=utf-8" },
  "console.css": { file: new URL("console.css", STATIC_DIR), type: "text/css; charset=utf-8" },
  // uPlot, served from its npm package as it is.
  "uplot.iife.min.js": { file: require.resolve("uplot/dist/uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "uplot.min.css": { file: require.resolve("uplot/dist/uPlot.min.css"), type: "text/css; charset=utf-8" },
};

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface ConsoleApp {
  app: Hono;
  token: string;
  /** The origin the console answers as (`http://127.0.0.1:<port>`), set once it listens. */
  setOrigin(origin: string): void;
}

export interface ConsoleOptions {
  token?: string;
  now?: () => Date;
  describe?: string;
  /** Default HEALTH_TTL_MS; 0 reads afresh for every page (the benchmark's uncached figures). */
  healthTtlMs?: number;
}

export function consoleApp(source: ConsoleSource, options: ConsoleOptions = {}): ConsoleApp {
  const ttl = options.healthTtlMs ?? HEALTH_TTL_MS;
  const token = options.token ?? randomBytes(32).toString("base64url");
  const now = options.now ?? (() => new Date());
  let origin = "";
  const app = new Hono();
  const describe = options.describe ?? (source.kind === "local" ? "local pipeline" : "AWS environment");
  const page = (c: Context, title: string, body: Parameters<typeof layout>[1], current?: "overview" | "trace", status = 200) =>
    c.html(layout(title, body, { source: describe, ...(current ? { current } : {}) }), status as 200);

  // The health of every endpoint is read (every DLQ, 24 h of history) at most once per HEALTH_TTL_MS; paging,
  // filtering and opening a trust reuse it, and every action (POST) forgets it, so a page after a change reads afresh.
  let health: { at: number; value: ReturnType<ConsoleSource["health"]> } | undefined;
  const healthNow = (at: Date, signal?: AbortSignal) => {
    if (!health || at.getTime() - health.at >= ttl || at.getTime() < health.at) {
      const value = source.health(at, signal);
      health = { at: at.getTime(), value };
      value.catch(() => (health = undefined));
    }
    return health.value;
  };

  app.use("*", async (c, next) => {
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on a form POST, and the origin check
    // below needs the real one; the token never reaches another origin either way (it leaves the URL at once).
    c.header("Referrer-Policy", "same-origin");
    c.header("Cache-Control", "no-store");
    c.header("X-Frame-Options", "DENY");
    const host = c.req.header("host") ?? "";
    if (!origin || `http://${host}` !== origin) return c.text("Forbidden: this console answers only on its own loopback address", 403);
    const cookie = getCookie(c, COOKIE);
    const hasCookie = cookie !== undefined && same(cookie, token);
    if (c.req.method === "GET" || c.req.method === "HEAD") {
      const given = c.req.query("token");
      if (given !== undefined) {
        if (!same(given, token)) return c.text("Unauthorized: open the URL the console printed", 401);
        setCookie(c, COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/" });
        // The token leaves the address bar (and the history) at once.
        const url = new URL(c.req.url);
        url.searchParams.delete("token");
        return c.redirect(`${url.pathname}${url.search}`, 303);
      }
      if (!hasCookie) return c.text("Unauthorized: open the URL the console printed", 401);
      return next();
    }
    if (c.req.method !== "POST") return c.text("Method not allowed", 405);
    if (!hasCookie) return c.text("Unauthorized: open the URL the console printed", 401);
    if (c.req.header("origin") !== origin) return c.text("Forbidden: a change needs a request from this console's own page", 403);
    health = undefined;
    return next();
  });

  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/static/:name", (c) => {
    const entry = STATIC[c.req.param("name")];
    if (!entry) return c.text("Not found", 404);
    return c.body(readFileSync(entry.file), 200, { "Content-Type": entry.type });
  });

  app.get("/", async (c) => {
    const started = performance.now();
    const sort = c.req.query("sort") === "trust" ? "trust" : "attention";
    const query: OverviewQuery = { sort, page: Math.max(1, Number.parseInt(c.req.query("page") ?? "1", 10) || 1), ...(c.req.query("trust") ? { trust: c.req.query("trust")! } : {}) };
    const { endpoints, notes, pipelineAlarms } = await healthNow(now());
    const model = overviewModel(endpoints, query);
    return page(c, "Overview", overviewPage(model, notes, pipelineAlarms, Math.round(performance.now() - started)), "overview");
  });

  const trustOf = (c: Context) => {
    const trustId = c.req.param("trustId") ?? "";
    return source.target.trusts.find((t) => t.trustId === trustId);
  };

  /** The trust's held or draining endpoints (the `list` command's `holdViews`); a note instead when there is no holds table. */
  const trustHolds = async (trustId: string, at: Date): Promise<{ views: HoldView[]; notes: string[] }> => {
    try {
      return { views: await holdViews(source.target.trusts.filter((t) => t.trustId === trustId), source.target.holds(), at), notes: [] };
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      return { views: [], notes: [`holds not shown: ${error.message}`] };
    }
  };

  app.get("/trusts/:trustId", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage(`no trust ${c.req.param("trustId")} in the trust files`), undefined, 404);
    const at = now();
    const [{ endpoints, notes }, history, failed, holds] = await Promise.all([
      healthNow(at),
      source.history.stories({ trustId: trust.trustId, since: new Date(at.getTime() - 24 * 3600_000), until: at, limit: 100 }, c.req.raw.signal),
      source.target.queues.has(trust.trustId) ? listFailed(source.target.queueFor(trust.trustId), {}, 100) : Promise.resolve([]),
      trustHolds(trust.trustId, at),
    ]);
    return page(
      c,
      trust.trustId,
      trustPage({
        trustId: trust.trustId,
        name: trust.name,
        endpoints: endpoints.filter((e) => e.trustId === trust.trustId),
        deliveries: history.stories.slice(-50).reverse(),
        failed,
        holds: holds.views,
        notes: [...notes, ...history.notes, ...holds.notes],
        now: at,
      }),
    );
  });

  app.get("/trace", async (c) => {
    const by: TraceBy = (["cloudevent", "source", "trust"] as const).find((b) => b === c.req.query("by")) ?? "cloudevent";
    const q = (c.req.query("q") ?? "").trim();
    if (!q) return page(c, "Trace", tracePage({ by, q }, undefined), "trace");
    if (!SAFE_ID.test(q)) return page(c, "Trace", tracePage({ by, q }, { error: "an id has letters, digits and . _ : - only" }), "trace", 400);
    const at = now();
    const filter = {
      since: new Date(at.getTime() - 24 * 3600_000),
      until: at,
      limit: 1000,
      ...(by === "cloudevent" ? { cloudEventId: q } : by === "source" ? { sourceEventId: q } : { trustId: q }),
    };
    const result = await source.history.stories(filter, c.req.raw.signal);
    return page(c, "Trace", tracePage({ by, q }, result), "trace");
  });

  const form = async (c: Context) => {
    const body = await c.req.parseBody();
    return (name: string) => (typeof body[name] === "string" ? (body[name] as string).trim() : "");
  };
  const selectionOf = (field: (name: string) => string): Selection => ({
    ...(field("endpoint") ? { endpointId: field("endpoint") } : {}),
    ...(field("errorCode") ? { errorCode: field("errorCode") } : {}),
  });

  app.post("/trusts/:trustId/redrive", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    const dryRun = field("mode") !== "confirm";
    const selection = selectionOf(field);
    const result = await redriveAction(source, trust.trustId, selection, dryRun, c.req.raw.signal);
    return page(
      c,
      dryRun ? "Redrive: dry run" : "Redrive",
      actionPage(
        dryRun ? `Redrive ${trust.trustId}: dry run (nothing was sent)` : `Redrive ${trust.trustId}: done`,
        trust.trustId,
        result,
        dryRun ? { action: `/trusts/${trust.trustId}/redrive`, fields: { mode: "confirm", endpoint: field("endpoint"), errorCode: field("errorCode") }, label: `Confirm: redrive these ${result.lines.length}` } : undefined,
      ),
    );
  });

  app.post("/trusts/:trustId/replay", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    const endpoint = trust.endpoints.find((e) => e.id === field("endpoint"));
    const since = new Date(field("since"));
    const until = new Date(field("until"));
    if (!endpoint) return page(c, "Replay", errorPage(`choose one of ${trust.trustId}'s endpoints`), undefined, 400);
    if (Number.isNaN(since.getTime()) || Number.isNaN(until.getTime()) || since > until) return page(c, "Replay", errorPage("give the window as two ISO times, since before until"), undefined, 400);
    const dryRun = field("mode") !== "confirm";
    try {
      const result = await replayAction(source, trust.trustId, endpoint.id, { since, until }, dryRun, c.req.raw.signal);
      return page(
        c,
        "Replay",
        actionPage(
          dryRun ? `Replay ${trust.trustId}/${endpoint.id}: dry run (nothing was sent)` : `Replay ${trust.trustId}/${endpoint.id}: done`,
          trust.trustId,
          result,
          dryRun ? { action: `/trusts/${trust.trustId}/replay`, fields: { mode: "confirm", endpoint: endpoint.id, since: since.toISOString(), until: until.toISOString() }, label: "Confirm: replay this window" } : undefined,
        ),
      );
    } catch (error) {
      if (error instanceof UsageError) return page(c, "Replay", errorPage(error.message), undefined, 400);
      throw error;
    }
  });

  // Hold and resume (docs/guarantees.md 10.27): a dry run first, then a confirm button, like redrive; the CLI's commands.
  app.post("/trusts/:trustId/hold", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    const dryRun = field("mode") !== "confirm";
    const fields = { endpoint: field("endpoint"), reason: field("reason"), until: field("until") };
    let result;
    try {
      result = await holdAction(source, trust.trustId, fields, dryRun);
    } catch (error) {
      if (error instanceof UsageError) return page(c, "Hold", errorPage(`${error.message}`), undefined, 400);
      throw error;
    }
    const what = `${trust.trustId}${fields.endpoint ? `/${fields.endpoint}` : ""}`;
    // The confirm holds until the instant the dry run showed (a duration is resolved once, at the dry run).
    const until = result.lines.find((l) => l.outcome === "would-hold" && l.until)?.until ?? fields.until;
    const confirm = dryRun && result.lines.some((l) => l.outcome === "would-hold") ? { action: `/trusts/${trust.trustId}/hold`, fields: { ...fields, until, mode: "confirm" }, label: `Confirm: hold ${what}` } : undefined;
    return page(c, "Hold", actionPage(dryRun ? `Hold ${what}: dry run (nothing was written)` : `Hold ${what}`, trust.trustId, { ...result, dryRunUnaudited: dryRun }, confirm));
  });

  app.post("/trusts/:trustId/resume", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    const dryRun = field("mode") !== "confirm";
    let result;
    try {
      result = await resumeAction(source, trust.trustId, field("endpoint"), dryRun);
    } catch (error) {
      if (error instanceof UsageError) return page(c, "Resume", errorPage(`${error.message}`), undefined, 400);
      throw error;
    }
    const what = `${trust.trustId}${field("endpoint") ? `/${field("endpoint")}` : ""}`;
    const confirm = dryRun && result.lines.some((l) => l.outcome === "would-resume") ? { action: `/trusts/${trust.trustId}/resume`, fields: { endpoint: field("endpoint"), mode: "confirm" }, label: `Confirm: resume ${what}` } : undefined;
    return page(c, "Resume", actionPage(dryRun ? `Resume ${what}: dry run (nothing was written)` : `Resume ${what}`, trust.trustId, { ...result, dryRunUnaudited: dryRun }, confirm));
  });

  app.post("/trusts/:trustId/purge", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    const outcome = purgeAction(source, trust.trustId, field("confirm"));
    const result = "refused" in outcome ? outcome : await outcome;
    return page(c, "Purge", actionPage(`Purge ${trust.trustId}'s DLQ`, trust.trustId, result), undefined, "refused" in result ? 400 : 200);
  });

  app.post("/trusts/:trustId/content", async (c) => {
    const trust = trustOf(c);
    if (!trust) return page(c, "Not found", errorPage("no such trust"), undefined, 404);
    const field = await form(c);
    return page(c, "Content", contentPage(trust.trustId, await showContent(source, trust.trustId, selectionOf(field), 50)));
  });

  app.notFound((c) => page(c, "Not found", errorPage("no such page"), undefined, 404));
  // A fault is one line on the page and one on the terminal (no stack trace on the page).
  app.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", msg: "console request failed", path: c.req.path, error: error.message }));
    return page(c, "Error", errorPage(error instanceof UsageError ? error.message : `the request failed: ${error.message}`), undefined, error instanceof UsageError ? 400 : 500);
  });

  return { app, token, setOrigin: (value) => (origin = value) };
}

export interface RunningConsole {
  /** The URL to open, with the token. */
  url: string;
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the console on 127.0.0.1 (port 0: a free one) and answers when it listens. */
export function startConsole(source: ConsoleSource, options: ConsoleOptions & { port?: number } = {}): Promise<RunningConsole> {
  const made = consoleApp(source, options);
  return new Promise((resolve, reject) => {
    const onListening = (info: AddressInfo) => {
      const origin = `http://127.0.0.1:${info.port}`;
      made.setOrigin(origin);
      resolve({
        url: `${origin}/?token=${made.token}`,
        origin,
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    };
    const server: ServerType = serve({ fetch: made.app.fetch, hostname: "127.0.0.1", port: options.port ?? 0 }, onListening);
    server.once("error", reject);
  });
}
