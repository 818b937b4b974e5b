import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Endpoint } from "@trust-callbacks/schemas";
import { FileDeadLetterQueue } from "../lib/dead-letter-queue.ts";
import type { BusEvent } from "@trust-callbacks/schemas";
import { LocalApiDestination } from "./api-destination.ts";

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A loopback endpoint answering with `answer(attempt)`; records when each request arrived. */
async function endpointServer(answer: (attempt: number, req: IncomingMessage, res: ServerResponse) => void) {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(Date.now());
    req.resume();
    req.on("end", () => answer(arrivals.length, req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals };
}

function destination(url: string, overrides: Record<string, unknown> = {}, timeoutMs = 5000) {
  const endpoint = Endpoint.parse({
    id: "ep",
    url,
    eventTypes: ["message.created"],
    payloadProfile: "minimal",
    auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "s" },
    signingSecret: "s",
    rateLimitPerSecond: 300,
    ...overrides,
  });
  const dlq = new FileDeadLetterQueue(mkdtempSync(join(tmpdir(), "dest-")), "RX1");
  const target = new LocalApiDestination({
    trustId: "RX1",
    endpoint,
    credentials: { type: "api_key", headerName: "x-api-key", value: "k" },
    ruleArn: "arn:rule",
    targetArn: "arn:target",
    dlq,
    resolveUrl: (u) => u,
    backoffBaseMs: 5,
    backoffMaxMs: 20,
    timeoutMs,
  });
  return { target, dlq };
}

const event = (): BusEvent => ({
  version: "0",
  id: "e",
  "detail-type": "t",
  source: "trust-callbacks",
  account: "0",
  time: "",
  region: "local",
  resources: [],
  detail: { webhook: { id: "w", timestamp: "1", signature: "v1,x" }, event: { specversion: "1.0", id: "w", type: "t", trustid: "RX1", endpointid: "ep" } },
});

describe("LocalApiDestination", () => {
  it("does not retry a 400 and dead-letters it at once", async () => {
    const server = await endpointServer((_n, _req, res) => res.writeHead(400).end());
    const { target, dlq } = destination(server.url);
    target.enqueue(event());
    await target.idle();
    expect(server.arrivals).toHaveLength(1);
    const [message] = await dlq.receive(10);
    expect(message!.attributes).toEqual({
      ERROR_CODE: "ERROR_FROM_TARGET",
      ERROR_MESSAGE: "Received a response with status code 400 from the endpoint",
      RETRY_ATTEMPTS: "0",
      RULE_ARN: "arn:rule",
      TARGET_ARN: "arn:target",
    });
  });

  it("gives up on a slow request at the timeout and retries it as TIMEOUT", async () => {
    const server = await endpointServer((n, _req, res) => (n <= 2 ? setTimeout(() => res.writeHead(200).end(), 500) : res.writeHead(200).end()));
    const { target, dlq } = destination(server.url, {}, 100);
    target.enqueue(event());
    await target.idle();
    expect(server.arrivals).toHaveLength(3);
    expect(target.stats).toMatchObject({ delivered: 1, retries: 2, deadLettered: 0 });
    expect(await dlq.receive(10)).toEqual([]);
  });

  it("retries 409, 429 and 5xx until the retry policy's attempts run out", async () => {
    const statuses = [409, 429, 500, 502];
    const server = await endpointServer((n, _req, res) => res.writeHead(statuses[(n - 1) % statuses.length]!).end());
    const { target, dlq } = destination(server.url, { retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeSeconds: 60 } });
    target.enqueue(event());
    await target.idle();
    expect(server.arrivals).toHaveLength(4);
    expect((await dlq.receive(10))[0]!.attributes).toMatchObject({ EXHAUSTED_RETRY_CONDITION: "MaximumRetryAttempts", RETRY_ATTEMPTS: "3" });
  });

  it("stops at the maximum event age even with attempts left", async () => {
    const server = await endpointServer((_n, _req, res) => res.writeHead(503).end());
    const { target, dlq } = destination(server.url, { retryPolicy: { maximumRetryAttempts: 185, maximumEventAgeSeconds: 60 } });
    target.enqueue(event(), Date.now() - 59_990); // published almost a minute ago
    await target.idle();
    expect((await dlq.receive(10))[0]!.attributes).toMatchObject({ EXHAUSTED_RETRY_CONDITION: "MaximumEventAgeInSeconds" });
    expect(server.arrivals.length).toBeLessThan(10);
  });

  it("honours Retry-After", async () => {
    const server = await endpointServer((n, _req, res) => (n === 1 ? res.writeHead(429, { "retry-after": "1" }).end() : res.writeHead(200).end()));
    const { target } = destination(server.url);
    target.enqueue(event());
    await target.idle();
    expect(server.arrivals[1]! - server.arrivals[0]!).toBeGreaterThanOrEqual(950);
  });

  it("sends at most rateLimitPerSecond requests per second", async () => {
    const server = await endpointServer((_n, _req, res) => res.writeHead(200).end());
    const { target } = destination(server.url, { rateLimitPerSecond: 20 });
    const started = Date.now();
    for (let i = 0; i < 11; i++) target.enqueue(event());
    await target.idle();
    expect(server.arrivals).toHaveLength(11);
    // The 11th request cannot leave before 10 intervals of 50 ms. Measured from enqueue, not between arrivals:
    // on a loaded machine the first request's connection can take longer than the later ones', so arrival gaps shrink.
    expect(server.arrivals[10]! - started).toBeGreaterThanOrEqual(10 * 50 - 5);
  });
});
