import { html } from "hono/html";
import type { DeliveryStory, StoryStep } from "../../lib/call-history.ts";
import type { HoldView } from "../holds.ts";
import type { AuditLine, FailedDelivery } from "../redrive.ts";
import { HOURS, age, type EndpointHealth, type OverviewModel } from "./model.ts";

/**
 * The console's pages, as hono's `html` templates (every value is escaped by the helper). No inline script or
 * style: behaviour is /static/console.js, looks are /static/console.css (the CSP allows only files of this origin).
 */
type Html = ReturnType<typeof html>;

export function layout(title: string, body: Html, options: { source: string; current?: "overview" | "trace" } ): Html {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · trust-callbacks console</title>
    <link rel="stylesheet" href="/static/uplot.min.css" />
    <link rel="stylesheet" href="/static/console.css" />
    <script src="/static/uplot.iife.min.js" defer></script>
    <script src="/static/console.js" defer></script>
  </head>
  <body>
    <a class="skip" href="#main">Skip to content</a>
    <header>
      <nav aria-label="Console">
        <span class="brand">trust-callbacks support console</span>
        <a href="/" ${options.current === "overview" ? html`aria-current="page"` : ""}>Overview</a>
        <a href="/trace" ${options.current === "trace" ? html`aria-current="page"` : ""}>Trace</a>
        <span class="source">${options.source}</span>
      </nav>
    </header>
    <main id="main" tabindex="-1">${body}</main>
  </body>
</html>`;
}

const connectionClass = (state: string) => (state === "AUTHORIZED" ? "ok" : state === "DEAUTHORIZED" ? "bad" : "unknown");

/** Hourly counts for the page's script to chart (uPlot), oldest first; the table says the totals in words. */
function series(row: Pick<EndpointHealth, "delivered" | "failed">, label: string): Html {
  return html`<div class="spark" role="img" aria-label="${label}" data-delivered="${row.delivered.join(",")}" data-failed="${row.failed.join(",")}"></div>`;
}

export function overviewPage(model: OverviewModel, notes: string[], pipelineAlarms: string[], renderedMs?: number): Html {
  const { query } = model;
  const link = (page: number) => `/?${new URLSearchParams({ ...(query.trust ? { trust: query.trust } : {}), sort: query.sort, page: String(page) })}`;
  return html`<h1>Overview</h1>
<form class="filters" method="get" action="/" role="search">
  <label for="trust-filter">Trust (id or name)</label>
  <input id="trust-filter" name="trust" value="${query.trust ?? ""}" autocomplete="off" />
  <label for="sort">Sort</label>
  <select id="sort" name="sort">
    <option value="attention" ${query.sort === "attention" ? html`selected` : ""}>Needs attention first</option>
    <option value="trust" ${query.sort === "trust" ? html`selected` : ""}>Trust id</option>
  </select>
  <button type="submit">Show</button>
</form>
${model.alarms.length + pipelineAlarms.length > 0
    ? html`<section aria-labelledby="alarms-h" class="alarms"><h2 id="alarms-h">Alarms in ALARM</h2><ul>${pipelineAlarms.map((name) => html`<li>${name} (runbook step 1)</li>`)}${model.alarms.map((a) => html`<li><a href="/trusts/${a.trustId}">${a.trustId}</a>: ${a.name}</li>`)}</ul></section>`
    : html`<p class="quiet">No alarm in ALARM${query.trust ? " for these trusts" : ""}.</p>`}
${notes.map((n) => html`<p class="note">${n}</p>`)}
<table class="overview">
  <caption>${model.total} endpoints · page ${query.page} of ${model.pages}${renderedMs !== undefined ? ` · read in ${renderedMs} ms` : ""}</caption>
  <thead><tr>
    <th scope="col">Trust</th><th scope="col">Endpoint</th><th scope="col">State</th><th scope="col">Connection</th>
    <th scope="col">DLQ depth</th><th scope="col">Oldest in DLQ</th><th scope="col">Delivered / failed attempts, ${HOURS} h</th><th scope="col">Alarms</th>
  </tr></thead>
  <tbody>
  ${model.rows.map(
    (row) => html`<tr class="${row.alarms.length || row.dlqDepth ? "attention" : ""}">
    <td><a href="/trusts/${row.trustId}">${row.trustId}</a> <span class="quiet">${row.trustName}</span></td>
    <td>${row.endpointId}</td>
    <td>${row.enabled ? "enabled" : "disabled"}${row.held ? " · held" : ""}</td>
    <td><span class="pill ${connectionClass(row.connection)}">${row.connection}</span></td>
    <td class="num ${row.dlqDepth > 0 ? "bad" : ""}">${row.dlqDepth}</td>
    <td class="num">${age(row.dlqOldestAgeSeconds)}</td>
    <td>${series(row, `${row.trustId}/${row.endpointId}: ${row.deliveredTotal} delivered, ${row.failedTotal} failed attempts in ${HOURS} hours`)}<span class="totals">${row.deliveredTotal} / ${row.failedTotal}</span></td>
    <td>${row.alarms.join(", ") || "–"}</td>
  </tr>`,
  )}
  </tbody>
</table>
<nav class="pages" aria-label="Pages">
  ${query.page > 1 ? html`<a href="${link(query.page - 1)}" rel="prev">Previous page</a>` : ""}
  <span>Page ${query.page} of ${model.pages}</span>
  ${query.page < model.pages ? html`<a href="${link(query.page + 1)}" rel="next">Next page</a>` : ""}
</nav>`;
}

export interface TrustPageModel {
  trustId: string;
  name: string;
  endpoints: EndpointHealth[];
  deliveries: DeliveryStory[];
  failed: FailedDelivery[];
  /** The trust's held or draining endpoints (docs/guarantees.md 10.27). */
  holds: HoldView[];
  notes: string[];
  now: Date;
}

/** A story's state as a pill: DELIVERED, FAILED, PENDING, PURGED or QUARANTINED (styled by console.css). */
const statePill = (s: DeliveryStory) => html`<span class="state ${s.state.toLowerCase()}">${s.state}</span>`;

/** One step in a few words, for a table cell: an attempt is its HTTP status (or outcome), the rest what happened. */
function stepInBrief(step: StoryStep): string | undefined {
  switch (step.kind) {
    case "attempt":
      return step.httpStatus !== undefined ? String(step.httpStatus) : step.outcome;
    case "dead-lettered":
      return "DLQ";
    case "given-up":
      return "given up";
    case "redrive":
    case "replay":
    case "purge":
    case "quarantined":
      return step.kind;
    case "published":
      return undefined;
  }
}

function storyRows(stories: DeliveryStory[]): Html {
  return html`${stories.map(
    (s) => html`<tr>
    <td>${s.steps[0]?.at ?? "–"}</td><td>${s.endpointId ?? "–"}</td><td>${s.eventType ?? "–"}</td>
    <td>${s.cloudEventId ? html`<a href="/trace?${new URLSearchParams({ by: "cloudevent", q: s.cloudEventId })}">${s.cloudEventId}</a>` : "–"}</td>
    <td>${s.steps.flatMap((step) => stepInBrief(step) ?? []).join(" → ") || "–"}</td>
    <td>${statePill(s)}</td>
  </tr>`,
  )}`;
}

export function trustPage(m: TrustPageModel): Html {
  const endpointOptions = m.endpoints.map((e) => html`<option value="${e.endpointId}">${e.endpointId}</option>`);
  const since = new Date(m.now.getTime() - 3600_000).toISOString();
  return html`<h1>${m.trustId} <span class="quiet">${m.name}</span></h1>
${m.notes.map((n) => html`<p class="note">${n}</p>`)}
<section aria-labelledby="endpoints-h">
  <h2 id="endpoints-h">Endpoints</h2>
  <div class="charts">
  ${m.endpoints.map(
    (e) => html`<figure class="chart-box">
      <figcaption>${e.endpointId}: ${e.enabled ? "enabled" : "disabled"} · connection <span class="pill ${connectionClass(e.connection)}">${e.connection}</span></figcaption>
      <div class="chart" role="img" aria-label="${e.endpointId}: delivered and failed attempts per hour, last ${HOURS} hours" data-delivered="${e.delivered.join(",")}" data-failed="${e.failed.join(",")}" data-end="${m.now.getTime()}"></div>
    </figure>`,
  )}
  </div>
</section>
<section aria-labelledby="holds-h">
  <h2 id="holds-h">Holds</h2>
  <p class="quiet">A held endpoint's deliveries are kept, in order, and sent when the hold ends. Holding is not switching off: <code>enabled: false</code> filters events (gone).</p>
  ${m.holds.length === 0
    ? html`<p>No endpoint is held or draining.</p>`
    : html`<table><thead><tr><th scope="col">Endpoint</th><th scope="col">Phase</th><th scope="col" title="Deliveries in the endpoint's hold store">Held</th><th scope="col">Since</th><th scope="col">Until</th><th scope="col">By</th><th scope="col">Reason</th><th scope="col">Sent by the drain</th></tr></thead>
    <tbody>${m.holds.map(
      (h) => html`<tr><td>${h.endpointId}</td><td>${h.phase}</td><td class="num">${h.depth ?? "?"}</td><td>${h.since}</td><td>${h.until ?? "resume"}</td><td>${h.by}</td><td>${h.reason}</td><td class="num">${h.drained}</td></tr>`,
    )}</tbody></table>`}
  <div class="actions">
    <form method="post" action="/trusts/${m.trustId}/hold" class="action">
      <fieldset><legend>Hold</legend>
        <label for="hold-endpoint">Endpoint to hold</label>
        <select id="hold-endpoint" name="endpoint"><option value="">every endpoint</option>${endpointOptions}</select>
        <label for="hold-reason">Reason (required; the trust is told it)</label>
        <input id="hold-reason" name="reason" maxlength="200" required />
        <label for="hold-until">Until (ISO time, or 8h / 2d; empty: until resume; at most 13 days)</label>
        <input id="hold-until" name="until" placeholder="until resume" />
        <input type="hidden" name="mode" value="dry-run" />
        <button type="submit">Dry run</button>
      </fieldset>
    </form>
    <form method="post" action="/trusts/${m.trustId}/resume" class="action">
      <fieldset><legend>Resume (the drain sends what is held, in order)</legend>
        <label for="resume-endpoint">Endpoint to resume</label>
        <select id="resume-endpoint" name="endpoint"><option value="">every endpoint</option>${endpointOptions}</select>
        <input type="hidden" name="mode" value="dry-run" />
        <button type="submit">Dry run</button>
      </fieldset>
    </form>
  </div>
</section>
<section aria-labelledby="dlq-h">
  <h2 id="dlq-h">Dead-letter queue: ${m.endpoints[0]?.dlqDepth ?? 0} message(s)${m.endpoints[0]?.dlqOldestAgeSeconds !== undefined ? `, oldest ${age(m.endpoints[0].dlqOldestAgeSeconds)}` : ""}</h2>
  ${m.failed.length === 0
    ? html`<p>The DLQ is empty.</p>`
    : html`<table>
    <thead><tr><th scope="col">First failed</th><th scope="col">Endpoint</th><th scope="col">Type</th><th scope="col">CloudEvent id</th><th scope="col">Error code</th><th scope="col" title="EventBridge RETRY_ATTEMPTS: retries after the first attempt">Retries</th></tr></thead>
    <tbody>${m.failed.map(
      (f) => html`<tr><td>${f.firstFailedAt}</td><td>${f.endpointId}</td><td>${f.eventType}</td>
        <td><a href="/trace?${new URLSearchParams({ by: "cloudevent", q: f.cloudEventId })}">${f.cloudEventId}</a></td>
        <td>${f.errorCode}</td><td class="num">${f.retryAttempts}</td></tr>`,
    )}</tbody></table>`}
  <div class="actions">
    <form method="post" action="/trusts/${m.trustId}/redrive" class="action">
      <fieldset><legend>Redrive</legend>
        <label for="redrive-endpoint">Endpoint</label>
        <select id="redrive-endpoint" name="endpoint"><option value="">every endpoint</option>${endpointOptions}</select>
        <label for="redrive-error">Error code</label>
        <input id="redrive-error" name="errorCode" placeholder="any" />
        <input type="hidden" name="mode" value="dry-run" />
        <button type="submit">Dry run</button>
      </fieldset>
    </form>
    <form method="post" action="/trusts/${m.trustId}/content" class="action">
      <fieldset><legend>Message content</legend>
        <p>Full-profile payloads hold clinical content. Showing them is audited.</p>
        <button type="submit">Show content (audited)</button>
      </fieldset>
    </form>
    <form method="post" action="/trusts/${m.trustId}/purge" class="action">
      <fieldset><legend>Purge the DLQ</legend>
        <label for="purge-confirm">Type ${m.trustId} to delete every message</label>
        <input id="purge-confirm" name="confirm" autocomplete="off" />
        <button type="submit" class="danger">Purge</button>
      </fieldset>
    </form>
  </div>
</section>
<section aria-labelledby="replay-h">
  <h2 id="replay-h">Replay a window for one endpoint</h2>
  <form method="post" action="/trusts/${m.trustId}/replay" class="action">
    <fieldset><legend>Replay from the source stream (same CloudEvent ids: receivers deduplicate)</legend>
    <label for="replay-endpoint">Endpoint</label>
    <select id="replay-endpoint" name="endpoint">${endpointOptions}</select>
    <label for="replay-since">Since (ISO time)</label>
    <input id="replay-since" name="since" value="${since}" />
    <label for="replay-until">Until (ISO time)</label>
    <input id="replay-until" name="until" value="${m.now.toISOString()}" />
    <input type="hidden" name="mode" value="dry-run" />
    <button type="submit">Dry run</button>
    </fieldset>
  </form>
</section>
<section aria-labelledby="recent-h">
  <h2 id="recent-h">Recent deliveries (24 h)</h2>
  <p class="quiet">Newest first; open a CloudEvent id for its whole story.</p>
  ${m.deliveries.length === 0
    ? html`<p>No delivery recorded in the last 24 hours.</p>`
    : html`<table><thead><tr><th scope="col">Published</th><th scope="col">Endpoint</th><th scope="col">Type</th><th scope="col">CloudEvent id</th><th scope="col">Attempts (HTTP status) and support actions</th><th scope="col">State</th></tr></thead>
    <tbody>${storyRows(m.deliveries)}</tbody></table>`}
</section>`;
}

export type TraceBy = "cloudevent" | "source" | "trust";

export function tracePage(query: { by: TraceBy; q: string }, result: { stories: DeliveryStory[]; notes: string[] } | { error: string } | undefined): Html {
  const option = (value: TraceBy, label: string) => html`<option value="${value}" ${query.by === value ? html`selected` : ""}>${label}</option>`;
  return html`<h1>Trace a delivery</h1>
<form method="get" action="/trace" role="search" class="filters">
  <label for="trace-by">Search by</label>
  <select id="trace-by" name="by">${option("cloudevent", "CloudEvent id")}${option("source", "Platform event id")}${option("trust", "Trust id")}</select>
  <label for="trace-q">Id</label>
  <input id="trace-q" name="q" value="${query.q}" autocomplete="off" required />
  <button type="submit">Search</button>
</form>
<p class="quiet">Conversation ids are not in today's call history; search by the platform event id instead.</p>
${result === undefined
    ? ""
    : "error" in result
      ? html`<p class="error" role="alert">${result.error}</p>`
      : html`${result.notes.map((n) => html`<p class="note">${n}</p>`)}
<p role="status">${result.stories.length} deliver${result.stories.length === 1 ? "y" : "ies"} found in the last 24 hours.</p>
${result.stories.map((s) => story(s))}`}`;
}

/** One step of a story as a sentence (what happened, by whom, on which bus event). */
function stepLine(step: StoryStep): Html {
  switch (step.kind) {
    case "published":
      return html`published to the bus (bus event ${step.busEventId})`;
    case "attempt":
      return html`attempt: ${step.httpStatus !== undefined ? html`<strong>HTTP ${step.httpStatus}</strong> · ` : ""}${step.outcome.replace("-", " ")}${step.error ? ` · ${step.error}` : ""}`;
    case "dead-lettered":
      return html`<strong>sent to the trust's DLQ</strong>`;
    case "given-up":
      return html`<strong>given up</strong> (no DLQ: replay it from the stream)`;
    case "redrive":
      return html`redriven from the DLQ by <strong>${step.by}</strong>${step.busEventId ? ` (new bus event ${step.busEventId})` : ""}`;
    case "replay":
      return html`replayed from the stream by <strong>${step.by}</strong>${step.busEventId ? ` (new bus event ${step.busEventId})` : ""}`;
    case "purge":
      return html`purged from the DLQ by <strong>${step.by}</strong>`;
    case "quarantined":
      return html`<strong>quarantined</strong>: ${step.reason}`;
  }
}

function story(s: DeliveryStory): Html {
  return html`<article class="story" aria-label="Delivery ${s.cloudEventId ?? s.sourceEventId ?? ""}">
  <h2>${s.trustId ?? "?"}/${s.endpointId ?? "–"} ${statePill(s)}</h2>
  <dl>
    <dt>CloudEvent id</dt><dd>${s.cloudEventId ?? "–"}</dd>
    <dt>Platform event id</dt><dd>${s.sourceEventId ?? "–"}</dd>
    <dt>Type</dt><dd>${s.eventType ?? "–"}</dd>
  </dl>
  <ol class="steps">
    ${s.steps.map((step) => html`<li class="${step.kind}"><time>${step.at}</time> ${stepLine(step)}</li>`)}
  </ol>
  <p class="final">Final state: ${statePill(s)}${s.detail && s.state !== "QUARANTINED" ? ` · ${s.detail}` : ""}</p>
  ${s.state === "FAILED" && s.trustId
    ? s.steps.findLast((step) => step.kind === "dead-lettered" || step.kind === "given-up")?.kind === "given-up"
      ? html`<p><a href="/trusts/${s.trustId}#replay-h">Replay from the stream for ${s.trustId}</a></p>`
      : html`<p><a href="/trusts/${s.trustId}#dlq-h">Redrive from ${s.trustId}'s DLQ</a></p>`
    : ""}
</article>`;
}

/** The dry run's or the action's audit lines, and (after a dry run) the form that confirms it. */
export function actionPage(
  title: string,
  trustId: string,
  result: { status: number; lines: AuditLine[]; dryRunUnaudited?: boolean } | { refused: string },
  confirm?: { action: string; fields: Record<string, string>; label: string },
): Html {
  return html`<h1>${title}</h1>
${"refused" in result
    ? html`<p class="error" role="alert">${result.refused}</p>`
    : html`<p role="status">${"dryRunUnaudited" in result && result.dryRunUnaudited ? "Dry run: nothing written, no audit line" : `${result.lines.length} audit line(s) written`}${result.status === 0 ? "" : "; some failed"}.</p>
${skippedSummary(result.lines)}
<table><thead><tr><th scope="col">Outcome</th><th scope="col">Endpoint</th><th scope="col">CloudEvent id</th><th scope="col">Detail</th></tr></thead>
<tbody>${result.lines.filter((l) => !counted(l)).map((l) => html`<tr><td>${l.outcome}</td><td>${l.endpointId ?? "–"}</td><td>${l.cloudEventId ? html`<a href="/trace?${new URLSearchParams({ by: "cloudevent", q: l.cloudEventId })}">${l.cloudEventId}</a>` : "–"}</td><td>${l.detail ?? ""}</td></tr>`)}</tbody></table>`}
${confirm && !("refused" in result) && result.lines.some((l) => !counted(l))
    ? html`<form method="post" action="${confirm.action}">
  ${Object.entries(confirm.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
  <button type="submit" class="danger">${confirm.label}</button>
</form>`
    : ""}
<p><a href="/trusts/${trustId}">Back to ${trustId}</a></p>`;
}

/** Lines that change no delivery (events a replay filtered, messages a redrive cannot read): counted by reason, not listed. */
const counted = (l: AuditLine) => l.outcome === "skipped" || l.outcome === "filtered";

function skippedSummary(lines: AuditLine[]): Html | "" {
  const counts = new Map<string, number>();
  for (const l of lines.filter(counted)) {
    const reason = `${l.outcome}: ${l.detail ?? ""}`;
    counts.set(reason, (counts.get(reason) ?? 0) + 1);
  }
  if (counts.size === 0) return "";
  return html`<ul class="skipped">${[...counts].map(([reason, n]) => html`<li>${n} ${reason}</li>`)}</ul>`;
}

export function contentPage(trustId: string, found: (FailedDelivery & { content?: unknown })[]): Html {
  return html`<h1>${trustId}: message content</h1>
<p class="note" role="status">${found.length} message(s) shown; each disclosure was written to the audit file.</p>
${found.map((f) => html`<article class="story"><h2>${f.endpointId} · ${f.cloudEventId}</h2><pre>${JSON.stringify(f.content ?? null, null, 2)}</pre></article>`)}
<p><a href="/trusts/${trustId}">Back to ${trustId}</a></p>`;
}

export function errorPage(message: string): Html {
  return html`<h1>Not done</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to the overview</a></p>`;
}
