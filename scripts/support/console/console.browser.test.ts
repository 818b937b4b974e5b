import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { PublishedDelivery } from "@trust-callbacks/transform-filter";
import type { HistoryLine } from "../../lib/call-history.ts";
import { FileDeadLetterQueue } from "../../lib/dead-letter-queue.ts";
import { LocalPipeline, SAMPLE_RECEIVERS_FILE, SAMPLE_TRUSTS_DIR } from "../../local-pipeline/pipeline.ts";
import { startConsole, type RunningConsole } from "./server.ts";
import { localSource } from "./source.ts";

/**
 * The console in a real browser (Debian's chromium, driven by playwright-core; `make browser` installs it), against
 * a local pipeline run with a flaky (R0A/records) and a down (RYJ/legacy) endpoint. Promises 7.20, 7.22, 7.25, 7.27
 * (docs/guarantees.md). Each page is photographed into .build/screenshots/ for a person to look at.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SHOTS = join(process.cwd(), ".build", "screenshots");

describe("support console in chromium, on the local pipeline's data", () => {
  const dir = mkdtempSync(join(tmpdir(), "console-browser-"));
  const dlqDir = join(dir, "dlq");
  const auditFile = join(dir, "audit.ndjson");
  let console_: RunningConsole;
  let browser: Browser;
  let page: Page;
  let lines: HistoryLine[];
  const cspErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM}: run \`make browser\` (apt-get install chromium)`);
    mkdirSync(SHOTS, { recursive: true });
    const pipeline = await LocalPipeline.start({
      trustsDir: SAMPLE_TRUSTS_DIR,
      receiversFile: SAMPLE_RECEIVERS_FILE,
      dlqDir,
      historyFile: join(dir, "history.jsonl"),
      streamFile: join(dir, "stream.jsonl"),
      masterKeyFile: join(dir, "master.key"),
    });
    const events = pipeline.events(11);
    for (let i = 0; i < 150; i++) pipeline.put(events.next().value!);
    await pipeline.drain();
    await pipeline.stop();
    lines = readFileSync(join(dir, "history.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as HistoryLine);
    vi.spyOn(console, "log").mockImplementation(() => {}); // the audit lines the actions print, as the CLI does
    console_ = await startConsole(localSource({ kind: "local", root: dlqDir }, auditFile));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Content-Security-Policy violations are reported on the console; refusals (401, 400) the tests ask for are not counted.
    page.on("console", (m) => m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text()) && cspErrors.push(m.text()));
    page.on("pageerror", (e) => cspErrors.push(e.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await console_?.close();
    vi.restoreAllMocks();
  });

  const published = (key: string) => lines.filter((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published" && `${l.trustId}/${l.endpointId}` === key);

  it("refuses a request without the token, and one with a wrong token", async () => {
    const bare = await page.goto(`${console_.origin}/`);
    expect(bare?.status()).toBe(401);
    const wrong = await page.goto(`${console_.origin}/?token=not-the-token`);
    expect(wrong?.status()).toBe(401);
    expect(await page.content()).not.toContain("RYJ");
    await page.screenshot({ path: join(SHOTS, "refused.png") });
  });

  it("overview: opened from the printed URL, shows the down endpoint's DLQ first, with its charts drawn", async () => {
    await page.goto(console_.url);
    expect(new URL(page.url()).searchParams.has("token")).toBe(false); // the token left the address bar
    const first = page.locator("table.overview tbody tr").first();
    await expect.poll(() => first.locator("td").nth(0).innerText()).toContain("RYJ");
    expect(await first.locator("td").nth(1).innerText()).toBe("legacy");
    const depth = Number(await first.locator("td").nth(4).innerText());
    expect(depth).toBe(await new FileDeadLetterQueue(dlqDir, "RYJ").stats().then((s) => s.depth));
    expect(depth).toBeGreaterThan(0);
    await page.waitForSelector(".spark canvas");
    await page.screenshot({ path: join(SHOTS, "overview.png"), fullPage: true });
  });

  it("keyboard: the skip link comes first and lands on the content; the trust filter is labelled and works from the keyboard", async () => {
    await page.goto(`${console_.origin}/`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("main");
    const filter = page.getByLabel("Trust (id or name)");
    await filter.focus();
    await page.keyboard.type("R0A");
    await page.keyboard.press("Enter");
    await page.waitForURL(/trust=R0A/);
    const trusts = await page.locator("table.overview tbody tr td:first-child a").allInnerTexts();
    expect(trusts).toEqual(["R0A"]);
    for (const label of ["Sort", "Trust (id or name)"]) expect(await page.getByLabel(label).count()).toBe(1);
  });

  it("trace: a search by platform event id finds the flaky endpoint's delivery and shows its attempts with their HTTP statuses", async () => {
    const retried = new Set(lines.flatMap((l) => (l.source === "bus" && l.message_type === "INVOCATION_ATTEMPT_RETRYABLE_FAILURE" ? [l.event_id] : [])));
    const flaky = published("R0A/records").find((p) => retried.has(p.busEventId))!;
    await page.goto(`${console_.origin}/trace`);
    await page.getByLabel("Search by").selectOption("source");
    await page.getByLabel("Id").fill(flaky.sourceEventId);
    await page.getByRole("button", { name: "Search" }).click();
    const story = page.locator("article.story", { hasText: "R0A/records" });
    expect(await story.locator("h2").innerText()).toContain("DELIVERED");
    const steps = await story.locator("ol.steps li").allInnerTexts();
    // The local API destination records a success's status too (8.22).
    expect(steps.filter((s) => /attempt/.test(s)).map((s) => /HTTP (\d+)/.exec(s)?.[1])).toEqual(["503", "429", "200"]);
    expect(await story.locator(".final").innerText()).toBe("Final state: DELIVERED");
    await page.screenshot({ path: join(SHOTS, "trace.png"), fullPage: true });
  });

  it("content: on no page until asked for; then shown, one show-content audit line per message", async () => {
    await page.goto(`${console_.origin}/trusts/RYJ`);
    const depth = (await new FileDeadLetterQueue(dlqDir, "RYJ").stats()).depth;
    expect(await page.content()).not.toContain('"data"');
    await page.getByRole("button", { name: "Show content (audited)" }).click();
    expect(await page.locator("h1").innerText()).toBe("RYJ: message content");
    expect(await page.locator("article.story pre").count()).toBe(depth);
    await page.screenshot({ path: join(SHOTS, "content.png"), fullPage: true });
    const audit = readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.filter((a) => a.action === "show-content").length).toBe(depth);
  });

  it("redrive: dry run changes nothing; confirm empties the DLQ of the selection; the trace then shows DELIVERED", async () => {
    const queue = new FileDeadLetterQueue(dlqDir, "RYJ");
    const before = (await queue.stats()).depth;
    const down = published("RYJ/legacy")[0]!;
    // 7.26: before the redrive, the trace says FAILED (in the DLQ) and links to the trust's DLQ, where the redrive is.
    await page.goto(`${console_.origin}/trace?by=cloudevent&q=${down.cloudEventId}`);
    const failed = page.locator("article.story").first();
    expect(await failed.locator("h2").innerText()).toBe("RYJ/legacy FAILED");
    expect(await failed.locator("ol.steps li").last().innerText()).toMatch(/sent to the trust's DLQ$/);
    await page.screenshot({ path: join(SHOTS, "trace-failed.png"), fullPage: true });
    await failed.getByRole("link", { name: "Redrive from RYJ's DLQ" }).click();
    await page.waitForURL(/\/trusts\/RYJ#dlq-h$/);
    await page.waitForSelector(".chart canvas");
    await page.screenshot({ path: join(SHOTS, "trust.png"), fullPage: true });

    await page.getByLabel("Endpoint", { exact: true }).first().selectOption("legacy");
    await page.locator("form[action='/trusts/RYJ/redrive'] button").click();
    expect(await page.locator("h1").innerText()).toContain("dry run");
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(Array(before).fill("would-redrive"));
    expect((await queue.stats()).depth).toBe(before);
    await page.screenshot({ path: join(SHOTS, "redrive-dry-run.png"), fullPage: true });

    await page.getByRole("button", { name: /^Confirm: redrive these/ }).click();
    expect(await page.locator("h1").innerText()).toContain("done");
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(Array(before).fill("redriven"));
    expect((await queue.stats()).depth).toBe(0);
    await page.screenshot({ path: join(SHOTS, "redrive-done.png"), fullPage: true });

    await page.goto(`${console_.origin}/trace?by=cloudevent&q=${down.cloudEventId}`);
    const story = page.locator("article.story").first();
    expect(await story.locator("h2").innerText()).toBe("RYJ/legacy DELIVERED");
    // 7.25, 7.26: the first attempts' 5xx, the DLQ, the redrive (by whom, the new bus event), the new attempt's 2xx.
    const steps = await story.locator("ol.steps li").allInnerTexts();
    const dead = steps.findIndex((t) => /sent to the trust's DLQ$/.test(t));
    const redriven = steps.findIndex((t) => /redriven from the DLQ by \S+ \(new bus event [\w-]+\)$/.test(t));
    expect(dead).toBeGreaterThan(0);
    expect(redriven).toBeGreaterThan(dead);
    expect(steps.slice(0, dead).filter((t) => /attempt/.test(t)).every((t) => /HTTP 5\d\d/.test(t))).toBe(true);
    expect(steps.slice(redriven + 1).map((t) => /attempt: HTTP (\d)\d\d/.exec(t)?.[1])).toEqual(["2"]);
    expect(await story.getByRole("link", { name: /Redrive from/ }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, "trace-after-redrive.png"), fullPage: true });
    const audit = readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.filter((a) => a.action === "redrive").map((a) => a.outcome).sort()).toEqual([...Array(before).fill("redriven"), ...Array(before).fill("would-redrive")].sort());
  }, 60_000);

  it("replay: the dry run lists one endpoint's deliveries of the window; confirm re-delivers exactly those", async () => {
    const first = lines.find((l): l is HistoryLine & PublishedDelivery => l.source === "lambda" && l.kind === "published")!;
    const since = new Date(Date.parse(first.publishedAt) - 60_000).toISOString();
    const expected = new Set(published("RX1/bleep").map((p) => p.cloudEventId));
    await page.goto(`${console_.origin}/trusts/RX1`);
    await page.getByLabel("Endpoint", { exact: true }).last().selectOption("bleep");
    await page.getByLabel("Since (ISO time)").fill(since);
    await page.getByLabel("Until (ISO time)").fill(new Date().toISOString());
    await page.locator("form[action='/trusts/RX1/replay'] button").click();
    expect(await page.locator("h1").innerText()).toBe("Replay RX1/bleep: dry run (nothing was sent)");
    // One row per delivery it would make; the trust's events it skips (filtered) are counted above the table.
    const dry = await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => [r.children[0]?.textContent, r.children[1]?.textContent, r.children[2]?.textContent]));
    expect(dry.every(([outcome, endpoint]) => outcome === "would-replay" && endpoint === "bleep")).toBe(true);
    expect(new Set(dry.map(([, , id]) => id))).toEqual(expected);
    expect(dry).toHaveLength(expected.size);
    expect(await page.locator("ul.skipped li").allInnerTexts()).toEqual([expect.stringMatching(/^\d+ filtered: no selected endpoint subscribes to it$/)]);
    await page.screenshot({ path: join(SHOTS, "replay-dry-run.png"), fullPage: true });

    await page.getByRole("button", { name: "Confirm: replay this window" }).click();
    expect(await page.locator("h1").innerText()).toBe("Replay RX1/bleep: done");
    const done = await page.locator("tbody tr td:first-child").allInnerTexts();
    expect(done).toEqual(Array(expected.size).fill("replayed"));
    await page.screenshot({ path: join(SHOTS, "replay-done.png"), fullPage: true });
  }, 60_000);

  it("purge: a wrong id deletes nothing; the trust id typed deletes every message", async () => {
    const queue = new FileDeadLetterQueue(dlqDir, "R0A");
    for (let i = 0; i < 3; i++) queue.send("{}", { ERROR_CODE: "ERROR_FROM_TARGET", ERROR_MESSAGE: "503", RETRY_ATTEMPTS: "3", RULE_ARN: "x", TARGET_ARN: "y" });
    await page.goto(`${console_.origin}/trusts/R0A`);
    await page.getByLabel("Type R0A to delete every message").fill("R0");
    await page.getByRole("button", { name: "Purge" }).click();
    expect(await page.getByRole("alert").innerText()).toContain("nothing was deleted");
    expect((await queue.stats()).depth).toBe(3);
    await page.screenshot({ path: join(SHOTS, "purge-refused.png"), fullPage: true });
    await page.goto(`${console_.origin}/trusts/R0A`);
    await page.getByLabel("Type R0A to delete every message").fill("R0A");
    await page.getByRole("button", { name: "Purge" }).click();
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["purged"]);
    expect((await queue.stats()).depth).toBe(0);
    await page.screenshot({ path: join(SHOTS, "purge-done.png"), fullPage: true });
  });

  it("hold and resume (docs/guarantees.md 10.27): reason required, dry run, confirm; the trust page shows the hold", async () => {
    await page.goto(`${console_.origin}/trusts/RX1`);
    await page.getByLabel("Endpoint to hold").selectOption("ehr");
    await page.getByLabel(/^Reason/).fill("EPR upgrade CHG0012345");
    await page.locator("#hold-until").fill("8h");
    await page.locator("form[action='/trusts/RX1/hold'] button").click();
    expect(await page.locator("h1").innerText()).toBe("Hold RX1/ehr: dry run (nothing was written)");
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["would-hold"]);
    await page.screenshot({ path: join(SHOTS, "hold-dry-run.png"), fullPage: true });
    await page.getByRole("button", { name: "Confirm: hold RX1/ehr" }).click();
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["held"]);

    await page.goto(`${console_.origin}/trusts/RX1#holds-h`);
    const held = await page.locator("section[aria-labelledby='holds-h'] tbody tr").evaluateAll((rows) => rows.map((r) => [r.children[0]?.textContent, r.children[1]?.textContent, r.children[6]?.textContent]));
    expect(held).toEqual([["ehr", "held", "EPR upgrade CHG0012345"]]);
    await page.locator("section[aria-labelledby='holds-h']").screenshot({ path: join(SHOTS, "trust-held.png") });

    await page.getByLabel("Endpoint to resume").selectOption("ehr");
    await page.locator("form[action='/trusts/RX1/resume'] button").click();
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["would-resume"]);
    await page.getByRole("button", { name: "Confirm: resume RX1/ehr" }).click();
    expect(await page.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["resumed"]);
    const audit = readFileSync(auditFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(audit.filter((a) => a.action === "hold" || a.action === "resume").map((a) => [a.action, a.outcome])).toEqual([["hold", "held"], ["resume", "resumed"]]);
  }, 60_000);

  it("no page broke the Content-Security-Policy or threw", () => {
    expect(cspErrors).toEqual([]);
  });
});
