import type { BusEvent, Endpoint, EndpointAuth } from "@trust-callbacks/schemas";
import type { BusLogRecord } from "../lib/call-history.ts";
import type { DeadLetterAttributes, FileDeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { basicAuthorization } from "../lib/http-auth.ts";
import type { ConnectionSecret } from "../lib/local-secrets.ts";

export type ConnectionCredentials =
  | { type: "oauth2_client_credentials"; tokenUrl: string; scopes: string[]; clientId: string; clientSecret: string }
  | { type: "basic"; username: string; password: string }
  | { type: "api_key"; headerName: string; value: string };

/** A connection's credentials: the endpoint's auth settings with its credentials secret's values. */
export function connectionCredentials(auth: EndpointAuth, secret: ConnectionSecret): ConnectionCredentials {
  if (auth.type === "oauth2_client_credentials" && secret.type === auth.type) {
    return { type: auth.type, tokenUrl: auth.tokenUrl, scopes: auth.scopes, clientId: secret.client_id, clientSecret: secret.client_secret };
  }
  if (auth.type === "basic" && secret.type === auth.type) return { type: auth.type, username: secret.username, password: secret.password };
  if (auth.type === "api_key" && secret.type === auth.type) return { type: auth.type, headerName: auth.headerName, value: secret.api_key };
  throw new Error(`credentials of type ${secret.type} for ${auth.type} auth`);
}

export interface DestinationStats {
  delivered: number;
  retries: number;
  deadLettered: number;
  tokenFetches: number;
  latenciesMs: number[];
}

export interface LocalApiDestinationOptions {
  trustId: string;
  endpoint: Endpoint;
  credentials: ConnectionCredentials;
  ruleArn: string;
  targetArn: string;
  dlq: FileDeadLetterQueue;
  /** Maps a configured URL to where it is served on this machine (embedded receivers use ephemeral ports). */
  resolveUrl: (url: string) => string;
  /** Backoff scale: EventBridge's own is minutes; locally milliseconds keep a run short. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** EventBridge gives up on a request after 5 s; not configurable there. */
  timeoutMs?: number;
  random?: () => number;
  /** Told of each step as the bus's logs would record it (attempts with their HTTP status, the DLQ): the call history. */
  onLog?: (record: BusLogRecord) => void;
  /** Told of each delivery's end: `failing` when it was dead-lettered, `healthy` when the endpoint accepted it (notices, 10.36). */
  onHealth?: (health: "failing" | "healthy", at: Date) => void;
}

type Attempt = { ok: true; status: number } | { ok: false; retryable: boolean; code: string; message: string; status?: number; retryAfterMs?: number };

/** What became of one delivery (one CloudEvent to this endpoint), for `trigger` to report. */
export interface DeliveryResult {
  cloudEventId: string;
  state: "delivered" | "dead-lettered";
  /** HTTP requests made (1 + retries). */
  attempts: number;
  /** The endpoint's last HTTP status, when it answered. */
  status?: number;
  /** Why it was dead-lettered: the DLQ message's ERROR_CODE, ERROR_MESSAGE and EXHAUSTED_RETRY_CONDITION. */
  errorCode?: string;
  errorMessage?: string;
  exhaustedRetryCondition?: string;
}

const RETRYABLE_STATUS = (status: number) => status === 401 || status === 407 || status === 409 || status === 429 || status >= 500;

/**
 * A stand-in for one EventBridge API destination and its target: delivers the CloudEvent
 * (`$.detail.event`) over HTTP with the connection's auth and the signature headers, at most
 * `rateLimitPerSecond`, retries 401/407/409/429/5xx/timeouts with exponential backoff and full jitter
 * within the endpoint's retry policy, and dead-letters what it gives up on, with EventBridge's attributes.
 */
export class LocalApiDestination {
  readonly stats: DestinationStats = { delivered: 0, retries: 0, deadLettered: 0, tokenFetches: 0, latenciesMs: [] };
  /** The final result of each delivery, by CloudEvent id (a repeat of an id overwrites it). */
  readonly results = new Map<string, DeliveryResult>();
  private readonly inFlight = new Set<Promise<void>>();
  private nextSlot = 0;
  private token?: Promise<{ value: string; expiresAt: number }>;

  constructor(private readonly options: LocalApiDestinationOptions) {}

  enqueue(event: BusEvent, publishedAt = Date.now()): void {
    const task = this.deliver(event, publishedAt).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  get pending(): number {
    return this.inFlight.size;
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private async rateLimit(): Promise<void> {
    const interval = 1000 / this.options.endpoint.rateLimitPerSecond;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }

  private async deliver(event: BusEvent, publishedAt: number): Promise<void> {
    const { retryPolicy } = this.options.endpoint;
    const base = this.options.backoffBaseMs ?? 50;
    const cap = this.options.backoffMaxMs ?? 2000;
    const random = this.options.random ?? Math.random;
    for (let attempt = 1; ; attempt++) {
      await this.rateLimit();
      const result = await this.attempt(event);
      this.log(event, result);
      if (result.ok) {
        this.stats.delivered += 1;
        this.stats.latenciesMs.push(Date.now() - publishedAt);
        this.results.set(event.detail.event.id, { cloudEventId: event.detail.event.id, state: "delivered", attempts: attempt, status: result.status });
        this.options.onHealth?.("healthy", new Date());
        return;
      }
      const retriesSoFar = attempt - 1;
      if (!result.retryable) return this.deadLetter(event, result, retriesSoFar);
      if (retriesSoFar >= retryPolicy.maximumRetryAttempts) return this.deadLetter(event, result, retriesSoFar, "MaximumRetryAttempts");
      const delay = result.retryAfterMs ?? random() * Math.min(cap, base * 2 ** retriesSoFar);
      if (Date.now() + delay - publishedAt > retryPolicy.maximumEventAgeSeconds * 1000) {
        return this.deadLetter(event, result, retriesSoFar, "MaximumEventAgeInSeconds");
      }
      this.stats.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  private deadLetter(event: BusEvent, failure: Attempt & { ok: false }, retries: number, exhausted?: string): void {
    const attributes: DeadLetterAttributes = {
      ERROR_CODE: failure.code,
      ERROR_MESSAGE: failure.message,
      ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: exhausted } : {}),
      RETRY_ATTEMPTS: String(retries),
      RULE_ARN: this.options.ruleArn,
      TARGET_ARN: this.options.targetArn,
    };
    this.options.dlq.send(JSON.stringify(event), attributes);
    this.options.onLog?.({ event_id: event.id ?? "", message_type: "INVOCATION_DLQ", message_timestamp_ms: Date.now() });
    this.stats.deadLettered += 1;
    this.options.onHealth?.("failing", new Date());
    this.results.set(event.detail.event.id, {
      cloudEventId: event.detail.event.id,
      state: "dead-lettered",
      attempts: retries + 1,
      ...(failure.status !== undefined ? { status: failure.status } : {}),
      errorCode: failure.code,
      errorMessage: failure.message,
      ...(exhausted ? { exhaustedRetryCondition: exhausted } : {}),
    });
  }

  /** The bus log record of one attempt (message types of the EventBridge event bus log schema). */
  private log(event: BusEvent, result: Attempt): void {
    if (!this.options.onLog) return;
    const type = result.ok ? "INVOCATION_ATTEMPT_SUCCESS" : result.retryable ? "INVOCATION_ATTEMPT_RETRYABLE_FAILURE" : "INVOCATION_ATTEMPT_PERMANENT_FAILURE";
    this.options.onLog({
      event_id: event.id ?? "",
      message_type: type,
      message_timestamp_ms: Date.now(),
      // EventBridge's record carries `error.http_status_code` for a failed step only; the local record also keeps a
      // success's status (BusLogRecord.http_status_code), which a local history shows and an AWS one cannot.
      ...(result.ok
        ? { http_status_code: result.status }
        : { error: { error_message: result.message, ...(result.status !== undefined ? { http_status_code: result.status } : {}) } }),
    });
  }

  /** The auth headers, and the token request they came from (so a 401 invalidates only that token). */
  private async authorization(): Promise<{ headers: Record<string, string>; token?: LocalApiDestination["token"] }> {
    const credentials = this.options.credentials;
    if (credentials.type === "basic") {
      return { headers: { authorization: basicAuthorization(credentials.username, credentials.password) } };
    }
    if (credentials.type === "api_key") return { headers: { [credentials.headerName]: credentials.value } };
    let current = this.token;
    let token = current ? await current.catch(() => undefined) : undefined;
    if (!token || token.expiresAt - 60_000 < Date.now()) {
      // One refresh shared by every delivery waiting on it, as EventBridge keeps one token per connection.
      if (this.token === current) this.token = this.fetchToken(credentials);
      current = this.token!;
      token = await current;
    }
    return { headers: { authorization: `Bearer ${token.value}` }, token: current };
  }

  private async fetchToken(credentials: ConnectionCredentials & { type: "oauth2_client_credentials" }) {
    this.stats.tokenFetches += 1;
    const body = new URLSearchParams({ grant_type: "client_credentials" });
    if (credentials.scopes.length > 0) body.set("scope", credentials.scopes.join(" "));
    const response = await fetch(this.options.resolveUrl(credentials.tokenUrl), {
      method: "POST",
      headers: {
        authorization: basicAuthorization(credentials.clientId, credentials.clientSecret),
        "content-type": "application/x-www-form-urlencoded",
      },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    const json = (await response.json()) as { access_token: string; expires_in?: number };
    return { value: json.access_token, expiresAt: Date.now() + (json.expires_in ?? 3600) * 1000 };
  }

  private async attempt(event: BusEvent): Promise<Attempt> {
    let auth: Awaited<ReturnType<LocalApiDestination["authorization"]>>;
    try {
      auth = await this.authorization();
    } catch (error) {
      this.token = undefined;
      return { ok: false, retryable: true, code: "CONNECTION_FAILURE", message: `OAuth token request failed: ${(error as Error).message}` };
    }
    const { webhook, event: cloudEvent } = event.detail;
    try {
      const response = await fetch(this.options.resolveUrl(this.options.endpoint.url), {
        method: "POST",
        headers: {
          // Structured mode of the CloudEvents HTTP binding, as the Terraform target's header_parameters set it.
          "content-type": "application/cloudevents+json; charset=utf-8",
          "webhook-id": webhook.id,
          "webhook-timestamp": webhook.timestamp,
          "webhook-signature": webhook.signature,
          ...auth.headers,
        },
        body: JSON.stringify(cloudEvent),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      await response.arrayBuffer();
      if (response.ok) return { ok: true, status: response.status };
      // Refresh the token, as EventBridge does on 401/407, unless another delivery already has.
      if ((response.status === 401 || response.status === 407) && auth.token && this.token === auth.token) this.token = undefined;
      const retryAfter = Number(response.headers.get("retry-after"));
      return {
        ok: false,
        retryable: RETRYABLE_STATUS(response.status),
        code: "ERROR_FROM_TARGET",
        message: `Received a response with status code ${response.status} from the endpoint`,
        status: response.status,
        ...(Number.isFinite(retryAfter) && response.headers.has("retry-after") ? { retryAfterMs: retryAfter * 1000 } : {}),
      };
    } catch (error) {
      const timedOut = (error as Error).name === "TimeoutError";
      return {
        ok: false,
        retryable: true,
        code: timedOut ? "TIMEOUT" : "CONNECTION_FAILURE",
        message: timedOut ? "the endpoint did not answer within 5 seconds" : `could not connect: ${(error as Error).message}`,
      };
    }
  }
}
