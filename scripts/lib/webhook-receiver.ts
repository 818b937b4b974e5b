import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basicAuthorization } from "./http-auth.ts";
import { verifyWebhook } from "./verify-webhook.ts";

export type ReceiverAuth =
  | {
      type: "oauth2_client_credentials";
      clientId: string;
      clientSecret: string;
      tokenTtlSeconds?: number;
      revokeAfterDeliveries?: number;
      /** Where the token endpoint is served (the path of the trust file's tokenUrl); default /oauth2/token. */
      tokenPath?: string;
    }
  | { type: "basic"; username: string; password: string }
  | { type: "api_key"; headerName: string; value: string }
  | { type: "none" };

/** How the receiver answers a correctly authenticated, correctly signed delivery. */
export type ReceiverBehaviour =
  | { kind: "ok" }
  | { kind: "status"; status: number }
  /** Answers attempt n of each delivery (by webhook-id) with statuses[n-1], the last one repeated: [500, 500, 200]. */
  | { kind: "sequence"; statuses: number[] }
  /** Fails the first `failAttempts` attempts of one event in `every` (by webhook-id), alternating 503 and 429. */
  | { kind: "flaky"; every: number; failAttempts: number };

export interface ReceivedDelivery {
  webhookId: string;
  type: string;
  event: Record<string, unknown>;
  receivedAt: number;
}

/** One authenticated, correctly signed request, before it is answered. */
export interface VerifiedAttempt {
  webhookId: string;
  /** 1 for the first request of this webhook-id, 2 for its first retry, ... */
  attempt: number;
  /** The status the receiver answers. */
  status: number;
  contentType: string;
  event: Record<string, unknown>;
}

export interface ReceiverOptions {
  auth: ReceiverAuth;
  signingSecret: string;
  behaviour: ReceiverBehaviour;
  onDelivery?: (delivery: ReceivedDelivery) => void;
  /** Every verified request, whatever the answer (retries and failures included). */
  onAttempt?: (attempt: VerifiedAttempt) => void;
  onRejected?: (reason: string, status: number) => void;
}

const safeEqual = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * A trust's webhook endpoint on this machine: checks the connection's auth and the signature,
 * answers as its behaviour says, and records what it accepted. Serves an OAuth2 client-credentials
 * token endpoint at /oauth2/token when its auth is OAuth.
 */
export class WebhookReceiver {
  readonly deliveries: ReceivedDelivery[] = [];
  readonly rejections: { reason: string; status: number }[] = [];
  tokenRequests = 0;
  attempts = 0;
  private readonly attemptsById = new Map<string, number>();
  private readonly tokens = new Map<string, number>();
  private server?: Server;
  private revoked = false;

  constructor(private readonly options: ReceiverOptions) {}

  /** Answers as `behaviour` from now on: a rehearsal's endpoint going down or coming back. */
  setBehaviour(behaviour: ReceiverBehaviour): void {
    this.options.behaviour = behaviour;
  }

  async start(port = 0, host = "127.0.0.1"): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch(() => this.reply(res, 500, "receiver error"));
    });
    // A port in use is an 'error' event, not a throw: reject so the caller can say so in one line.
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => {
        this.server!.off("error", reject);
        resolve();
      });
    });
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private reply(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) {
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify({ message }));
  }

  private reject(res: ServerResponse, status: number, reason: string) {
    this.rejections.push({ reason, status });
    this.options.onRejected?.(reason, status);
    this.reply(res, status, reason);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const auth = this.options.auth;

    if (auth.type === "oauth2_client_credentials" && new URL(req.url ?? "/", "http://x").pathname === (auth.tokenPath ?? "/oauth2/token")) {
      const basic = (req.headers.authorization ?? "").replace(/^Basic /, "");
      const [id, secret] = Buffer.from(basic, "base64").toString().split(":");
      const form = new URLSearchParams(body);
      const clientId = id || form.get("client_id") || "";
      const clientSecret = secret || form.get("client_secret") || "";
      if (form.get("grant_type") !== "client_credentials" || !safeEqual(clientId, auth.clientId) || !safeEqual(clientSecret, auth.clientSecret)) {
        return this.reject(res, 401, "token request: bad client credentials");
      }
      this.tokenRequests += 1;
      const token = randomBytes(18).toString("base64url");
      const ttl = auth.tokenTtlSeconds ?? 3600;
      this.tokens.set(token, Date.now() + ttl * 1000);
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: ttl }));
    }

    this.attempts += 1;
    const header = (name: string) => String(req.headers[name.toLowerCase()] ?? "");
    if (auth.type === "basic") {
      const expected = basicAuthorization(auth.username, auth.password);
      if (!safeEqual(header("authorization"), expected)) return this.reject(res, 401, "bad basic credentials");
    } else if (auth.type === "api_key") {
      if (!safeEqual(header(auth.headerName), auth.value)) return this.reject(res, 401, "bad api key");
    } else if (auth.type === "oauth2_client_credentials") {
      const token = header("authorization").replace(/^Bearer /, "");
      const expiry = this.tokens.get(token);
      if (!expiry || expiry < Date.now()) return this.reject(res, 401, "unknown or expired bearer token");
      // Rehearse a token revoked by the trust: the sender must fetch a new one and retry.
      if (auth.revokeAfterDeliveries && !this.revoked && this.deliveries.length + 1 >= auth.revokeAfterDeliveries) {
        this.revoked = true;
        this.tokens.delete(token);
        return this.reject(res, 401, "bearer token revoked");
      }
    }

    let event: Record<string, unknown>;
    try {
      event = verifyWebhook(this.options.signingSecret, req.headers as Record<string, string>, body);
    } catch (error) {
      return this.reject(res, 400, `signature: ${(error as Error).message}`);
    }
    const webhookId = header("webhook-id");
    const attempt = (this.attemptsById.get(webhookId) ?? 0) + 1;
    this.attemptsById.set(webhookId, attempt);

    const behaviour = this.options.behaviour;
    const status = answerFor(behaviour, webhookId, attempt);
    this.options.onAttempt?.({ webhookId, attempt, status, contentType: header("content-type"), event });
    if (behaviour.kind === "flaky" && status !== 200) {
      return status === 503 ? this.reply(res, 503, "flaky: try again") : this.reply(res, 429, "flaky: slow down", { "retry-after": "0" });
    }
    if (status < 200 || status > 299) return this.reply(res, status, `answering ${status} as asked`);
    // Receivers deduplicate on webhook-id: a repeat is acknowledged but not recorded twice.
    if (!this.deliveries.some((d) => d.webhookId === webhookId)) {
      const delivery = { webhookId, type: String(event.type), event, receivedAt: Date.now() };
      this.deliveries.push(delivery);
      this.options.onDelivery?.(delivery);
    }
    return this.reply(res, status, "ok");
  }
}

/** The status a behaviour answers to attempt `attempt` of one delivery. */
function answerFor(behaviour: ReceiverBehaviour, webhookId: string, attempt: number): number {
  switch (behaviour.kind) {
    case "ok":
      return 200;
    case "status":
      return behaviour.status;
    case "sequence":
      return behaviour.statuses[Math.min(attempt, behaviour.statuses.length) - 1] ?? 200;
    case "flaky": {
      const unlucky = createHash("sha256").update(webhookId).digest()[0]! % behaviour.every === 0;
      return unlucky && attempt <= behaviour.failAttempts ? (attempt % 2 === 1 ? 503 : 429) : 200;
    }
  }
}
