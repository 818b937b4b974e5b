/**
 * The Python example (docs/webhooks/examples/python/verify_webhook.py, standard library only) against the
 * signature vectors and against the TypeScript canonicalization, and the exact statement its README makes
 * about when `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` is RFC 8785.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "@trust-callbacks/schemas";
import { canonicalJson } from "@trust-callbacks/transform-filter";
import { verifyWebhook } from "../lib/verify-webhook.ts";
import { LocalPipeline } from "../local-pipeline/pipeline.ts";
import { VECTORS_FILE, type SignatureVector } from "./signature-vectors.ts";

const EXAMPLE_DIR = fileURLToPath(new URL("../../docs/webhooks/examples/python/", import.meta.url));
const SCRIPT = join(EXAMPLE_DIR, "verify_webhook.py");
const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
const hasPython = python.status === 0;
if (!hasPython) console.warn("python3 is not on PATH: the Python verifier tests are SKIPPED (CI and this machine have it)");

const run = (args: string[], input?: string) => {
  const result = spawnSync("python3", args, { input, encoding: "utf8", maxBuffer: 256 * 1024 * 1024, cwd: EXAMPLE_DIR });
  if (result.error) throw result.error;
  return result;
};

/**
 * For each JSON text: [json.dumps(sort_keys, compact, ensure_ascii=False), canonicalize()] of Python's
 * json.loads of it, sent back ASCII-escaped so that lone surrogates survive the trip.
 */
function pythonCanonical(texts: string[]): [dumps: string, canonical: string][] {
  const code = [
    "import json, sys",
    "from verify_webhook import canonicalize, parse_json",
    "out = []",
    "for text in json.loads(sys.stdin.read()):",
    "    value = parse_json(text)",
    "    out.append([json.dumps(value, sort_keys=True, separators=(',', ':'), ensure_ascii=False), canonicalize(value)])",
    "print(json.dumps(out))",
  ].join("\n");
  const result = run(["-c", code], JSON.stringify(texts));
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout);
}

// ---- the statement of docs/webhooks/examples/python/README.md, as predicates ----
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** A number written with a fraction or exponent is a Python float: json.dumps writes repr(). */
const floatAgrees = (x: number) =>
  x !== 0 && ((Math.abs(x) >= 1e-4 && Math.abs(x) < 1e16 && !Number.isInteger(x)) || Math.abs(x) >= 1e21 || Math.abs(x) < 1e-9);
/** A number written without either is a Python int, kept exactly; JCS rounds it to a double first. */
const integerAgrees = (text: string) => {
  const n = BigInt(text);
  const magnitude = n < 0n ? -n : n;
  if (magnitude <= 2n ** 53n) return true;
  if (magnitude >= 10n ** 21n) return false;
  return String(Number(text)) === n.toString();
};
const numberTokenAgrees = (token: string) => (/[.eE]/.test(token) ? floatAgrees(Number(token)) : integerAgrees(token));
/** Code-point order (Python) and UTF-16 order (JCS) differ only for a character above U+FFFF against one in U+E000-U+FFFF. */
const keysOrderedAlike = (a: string, b: string) => {
  const [x, y] = [[...a], [...b]];
  const i = x.findIndex((char, index) => char !== y[index]);
  if (i < 0 || i >= y.length) return true;
  const [p, q] = [x[i]!.codePointAt(0)!, y[i]!.codePointAt(0)!];
  const astral = (c: number) => c > 0xffff;
  const upperBmp = (c: number) => c >= 0xe000 && c <= 0xffff;
  return !((astral(p) && upperBmp(q)) || (astral(q) && upperBmp(p)));
};
/** json.dumps(...) of json.loads(JSON.stringify(value)) is RFC 8785 exactly when this holds. */
function stdlibDumpsIsJcs(value: unknown): boolean {
  if (typeof value === "number") return numberTokenAgrees(JSON.stringify(value));
  if (typeof value === "string") return !LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.every(stdlibDumpsIsJcs);
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.some((key) => LONE_SURROGATE.test(key))) return false;
    if (keys.some((a, i) => keys.slice(i + 1).some((b) => !keysOrderedAlike(a, b)))) return false;
    return Object.values(value).every(stdlibDumpsIsJcs);
  }
  return true;
}

const stringsOf = (value: unknown): string[] =>
  typeof value === "string" ? [value]
    : value !== null && typeof value === "object" ? Object.entries(value).flatMap(([k, v]) => [k, ...stringsOf(v)])
      : [];

// ---- webhook bodies: strings of any Unicode (lone surrogates included), nulls, arrays; no numbers ----
// "binary" is any code point but never a lone surrogate, which a platform event's "\ud800" escape can still carry.
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: fc.constantFrom("a", " ", "é", "\n", "\u0001", "\u2028", "\ud800", "\udfff", "\u{1f600}", "\ufffd", '"', "/"), maxLength: 8 }),
);
const person = fc.record({ userId: text, displayName: fc.option(text) });
const webhookBody = fc
  .record({
    type: fc.constantFrom(...EVENT_TYPES),
    id: fc.uuid(),
    time: fc.date({ min: new Date("2020-01-01"), max: new Date("2040-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
    profile: fc.constantFrom("full", "minimal"),
    conversationId: text,
    attributes: fc.record({ site: text, priority: fc.constantFrom("routine", "urgent", "emergency"), specialty: text }, { requiredKeys: [] }),
    people: fc.array(person, { maxLength: 4 }),
    message: fc.record({ messageId: text, text: fc.option(text), reason: fc.constantFrom("resolved", "expired") }, { requiredKeys: ["messageId"] }),
    undecryptable: fc.array(fc.constantFrom("data.text", "data.sender.displayName"), { maxLength: 2 }),
  })
  .map((b) => ({
    specversion: "1.0",
    id: b.id,
    source: "/trust-callbacks/prod",
    type: `uk.nhs.trustcallbacks.${b.type}.v1`,
    subject: `conversations/${b.conversationId}`,
    time: b.time,
    datacontenttype: "application/json",
    trustid: "RX1",
    endpointid: "ehr",
    correlationid: b.conversationId,
    payloadprofile: b.profile,
    data: {
      sourceEventId: b.id,
      conversationId: b.conversationId,
      attributes: b.attributes,
      ...b.message,
      ...(b.people[0] ? { sender: b.people[0] } : {}),
      participants: b.people,
      ...(b.undecryptable.length > 0 ? { undecryptableFields: b.undecryptable } : {}),
    },
  }));

describe.skipIf(!hasPython)(`Python verifier, standard library only (${hasPython ? python.stdout.trim() : "python3 not found: skipped"})`, () => {
  const { verifyAt, vectors } = JSON.parse(readFileSync(VECTORS_FILE, "utf8")) as { verifyAt: number; vectors: SignatureVector[] };

  it("gives every signature vector the same verdict as the TypeScript verifier and the file", () => {
    const result = run([SCRIPT, "--json", VECTORS_FILE]);
    const verdicts = result.stdout.trim().split("\n").map((line) => JSON.parse(line) as { name: string; valid: boolean; reason: string });
    expect(verdicts.map((v) => v.name)).toEqual(vectors.map((v) => v.name));
    for (const [i, vector] of vectors.entries()) {
      let typescript = true;
      try {
        verifyWebhook(vector.secret, vector.headers, vector.body, { now: new Date(verifyAt * 1000) });
      } catch {
        typescript = false;
      }
      expect({ name: vector.name, python: verdicts[i]!.valid, typescript }).toEqual({ name: vector.name, python: vector.valid, typescript: vector.valid });
    }
    expect(result.status, result.stderr).toBe(0);
  });

  it("verifies a {headers, body} delivery file from the command line and refuses it with another key", () => {
    const vector = vectors.find((v) => v.valid)!;
    const file = join(mkdtempSync(join(tmpdir(), "pyverify-")), "delivery.json");
    writeFileSync(file, JSON.stringify({ headers: vector.headers, body: vector.body }));
    // The vector was signed in 2026: a tolerance that reaches back to it stands in for "now".
    const tolerance = String(Math.max(0, Math.ceil(Date.now() / 1000) - verifyAt) + 86400 * 365 * 20);
    const ok = run([SCRIPT, "--json", "--tolerance", tolerance, "--secret", vector.secret, file]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, event: JSON.parse(vector.body) });
    const other = vectors.find((v) => v.secret !== vector.secret)!.secret;
    const refused = run([SCRIPT, "--json", "--tolerance", tolerance, "--secret", other, file]);
    expect(refused.status).toBe(1);
    expect(JSON.parse(refused.stdout)).toEqual({ valid: false, reason: "no matching signature" });
  });

  it("verifies real deliveries of the local pipeline (full and minimal endpoints) as an HTTP server received them", async () => {
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
    const dir = mkdtempSync(join(tmpdir(), "pyverify-trusts-"));
    const endpoint = (id: string, payloadProfile: string) => ({
      id, url: `${url}/${id}`, eventTypes: [...EVENT_TYPES], payloadProfile,
      auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: `trust-callbacks/local/credentials/RX1/${id}` },
      signingSecret: `trust-callbacks/local/signing/RX1/${id}`,
    });
    writeFileSync(join(dir, "RX1.json"), JSON.stringify({ trustId: "RX1", name: "Test", enabled: true, endpoints: [endpoint("ehr", "full"), endpoint("bleep", "minimal")] }));
    const pipeline = await LocalPipeline.start({ trustsDir: dir, dlqDir: mkdtempSync(join(tmpdir(), "pyverify-dlq-")) });
    try {
      let count = 0;
      for (const event of pipeline.events(16, ["RX1"])) {
        pipeline.put(event);
        if (++count === 15) break;
      }
      await pipeline.drain();
    } finally {
      await pipeline.stop();
      server.close();
    }
    const secretOf = (endpointId: string) => pipeline.secrets.value(`trust-callbacks/local/signing/RX1/${endpointId}`, () => { throw new Error("no secret"); });
    const deliveries = received.map(({ headers, body }) => ({ secret: secretOf(String(JSON.parse(body).endpointid)), headers, body }));
    expect(new Set(deliveries.map((d) => JSON.parse(d.body).payloadprofile))).toEqual(new Set(["full", "minimal"]));
    const code = [
      "import json, sys",
      "from verify_webhook import verify, WebhookVerificationError",
      "def verdict(d):",
      "    try:",
      "        return verify(d['secret'], d['headers'], d['body'].encode('utf-8'))['id'] == d['headers']['webhook-id']",
      "    except WebhookVerificationError as error:",
      "        return str(error)",
      "print(json.dumps([verdict(d) for d in json.loads(sys.stdin.read())]))",
    ].join("\n");
    const result = run(["-c", code], JSON.stringify(deliveries));
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual(deliveries.map(() => true));
  });

  it("canonicalizes 400 random webhook bodies exactly as the signer does, whatever their layout", () => {
    const samples = fc.sample(fc.tuple(webhookBody, fc.constantFrom(undefined, 2, "\t")), { numRuns: 400, seed: 16 });
    const wire = samples.map(([body, indent]) => JSON.stringify(body, null, indent));
    const results = pythonCanonical(wire);
    samples.forEach(([body], i) => {
      const [dumps, canonical] = results[i]!;
      expect(canonical).toBe(canonicalJson(body));
      // For these bodies (no numbers, ASCII keys) json.dumps is JCS unless a string holds a lone surrogate.
      expect(dumps === canonical).toBe(!stringsOf(body).some((s) => LONE_SURROGATE.test(s)));
    });
    expect(samples.filter(([body]) => stringsOf(body).some((s) => LONE_SURROGATE.test(s))).length).toBeGreaterThan(20);
  });

  it("canonicalizes arbitrary JSON and numbers in any notation as `canonicalize` (npm) does; json.dumps only where the README says", () => {
    const key = fc.string({ unit: fc.constantFrom("a", "b", "é", "\u007f", "\u2028", "\ue000", "\uffff", "\u{10000}", "\u{1f600}", "\ud800", "\udc00", "\u0000", "\u001f", '"', "\\", "/"), maxLength: 3 });
    const values: unknown[] = [
      ...fc.sample(fc.jsonValue({ stringUnit: "binary", maxDepth: 3 }), { numRuns: 1500, seed: 8785 }),
      ...fc.sample(fc.dictionary(key, fc.oneof(key, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))), { numRuns: 1500, seed: 8786 }),
    ];
    const doubles = fc.sample(
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer().map((i) => i / 1000),
        fc.constantFrom(0, -0, 1, 1e-4, 9.99e-5, 1e-6, 1e-7, 1e-9, 9.9e-10, 1e16, 2 ** 53, 2 ** 53 + 2, 9.99e20, 1e21, 5e-324, Number.MAX_VALUE),
      ),
      { numRuns: 1500, seed: 754 },
    );
    const tokens = doubles.flatMap((x) => [
      JSON.stringify(x),
      x.toExponential(),
      x.toExponential().toUpperCase(),
      ...(Number.isInteger(x) && Math.abs(x) < 1e21 ? [x.toFixed(1), BigInt(x).toString()] : []),
    ]);
    tokens.push("12345678901234567890", "100000000000000000000", "-9007199254740993", "1" + "0".repeat(25), "-0", "-0.0", "1.000", "1E2");
    const texts = [...values.map((v) => JSON.stringify(v)), ...tokens];
    const results = pythonCanonical(texts);
    texts.forEach((wireText, i) => {
      const [dumps, canonical] = results[i]!;
      const jcs = canonicalize(JSON.parse(wireText));
      expect(canonical, wireText).toBe(jcs);
      const agrees = i < values.length ? stdlibDumpsIsJcs(values[i]) : numberTokenAgrees(wireText);
      expect(dumps === jcs, `json.dumps of ${wireText}: ${dumps}`).toBe(agrees);
    });
  });
});
