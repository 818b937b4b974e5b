import { z } from "zod";
import { Identifier, OdsCode } from "./common.ts";
import { EventType } from "./events.ts";
import { HoldWindows, MAX_HOLD_MS, heldSpans } from "./holds.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * A host a webhook may be sent to: a DNS name of two or more labels ending in an alphabetic (or punycode) top-level
 * domain, as the WHATWG URL parser writes it (lower case, IPv4 in dotted decimal). So no IP literal in any spelling,
 * no `localhost`, no single-label name (docs/guarantees.md 4.2). Terraform's check (modules/trust-endpoint) is the same.
 */
export const PUBLIC_HOST_PATTERN = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
/** Suffixes of names that resolve only inside a network (RFC 6761, 6762, 8375, ICANN's `.internal`, common private ones). */
export const INTERNAL_HOST_SUFFIXES = ["local", "localhost", "localdomain", "internal", "intranet", "lan", "corp", "private", "home.arpa"] as const;

/**
 * Why `value` cannot be an endpoint URL or OAuth token URL, or undefined. https:// to a public DNS name; plain http://
 * only to this machine (the local pipeline's receivers; `httpsOnly` refuses it for files that are deployed). Never
 * user information (a password in a committed file, and on the API destination). Messages never quote the value.
 */
export function endpointUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be a URL";
  }
  if (url.username || url.password) return "must not carry user information (a name or password before @): credentials belong in the credentials secret";
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  if (url.protocol !== "https:") return "must be an https:// URL (http:// is accepted only for 127.0.0.1/localhost in the local pipeline)";
  const host = url.hostname;
  if (!PUBLIC_HOST_PATTERN.test(host)) {
    return "must name its host by a public DNS name (no IP address, no localhost or single-label host): it could reach an internal address";
  }
  const suffix = INTERNAL_HOST_SUFFIXES.find((end) => host.endsWith(`.${end}`));
  if (suffix) return `must not be a name under .${suffix}: it resolves only inside a network (an internal address)`;
  return undefined;
}

const EndpointUrl = z.url().superRefine((value, ctx) => {
  if (!URL.canParse(value)) return; // z.url() said so
  const problem = endpointUrlProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

/** Header names an API key may not take: the webhook's own (Standard Webhooks, CloudEvents) and HTTP's (docs/guarantees.md 4.3). */
export const RESERVED_HEADER_NAMES = ["host", "content-type", "content-length", "content-encoding", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive"] as const;
export const RESERVED_HEADER_PREFIXES = ["webhook-", "ce-", "proxy-", "x-amz-", "x-amzn-"] as const;
const isReservedHeader = (name: string): boolean => {
  const lower = name.toLowerCase();
  return (RESERVED_HEADER_NAMES as readonly string[]).includes(lower) || RESERVED_HEADER_PREFIXES.some((prefix) => lower.startsWith(prefix));
};

/** A Secrets Manager secret name. Its shape (`<app>/<env>/signing|credentials/<trustId>/<endpoint id>`) is checked by TrustConfig. */
const SecretName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9/_+=.@:-]+$/, "must be a Secrets Manager secret name");

/** One segment of a secret name's `<app>` or `<env>`. */
const SECRET_NAME_SEGMENT = "[A-Za-z0-9_+=.@-]+";
export type SecretKind = "signing" | "credentials";
/**
 * The one name an endpoint's secret of `kind` may have: `<app>/<env>/<kind>/<trustId>/<endpoint id>`. Signing keys and
 * credentials differ in the third segment, so IAM can grant each reader one kind only; the trust and endpoint ids make
 * every secret belong to one endpoint (docs/guarantees.md 4.4).
 */
export const secretNamePattern = (kind: SecretKind, trustId: string, endpointId: string): RegExp =>
  new RegExp(`^${SECRET_NAME_SEGMENT}/${SECRET_NAME_SEGMENT}/${kind}/${trustId}/${endpointId}$`);
/** `<prefix><kind>/<trustId>/<endpoint id>`, where `prefix` is `<app>/<env>/` (e.g. `trust-callbacks/prod/`). */
export const endpointSecretName = (prefix: string, kind: SecretKind, trustId: string, endpointId: string): string =>
  `${prefix.endsWith("/") ? prefix : `${prefix}/`}${kind}/${trustId}/${endpointId}`;

export const EndpointAuth = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("oauth2_client_credentials"),
    tokenUrl: EndpointUrl,
    scopes: z.array(z.string().min(1).max(256)).max(20).default([]),
    /** Secret JSON: {"client_id": "...", "client_secret": "..."}; named `<app>/<env>/credentials/<trustId>/<endpoint id>`. */
    credentialsSecret: SecretName,
  }),
  z.strictObject({
    type: z.literal("basic"),
    /** Secret JSON: {"username": "...", "password": "..."} */
    credentialsSecret: SecretName,
  }),
  z.strictObject({
    type: z.literal("api_key"),
    headerName: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name")
      .refine((name) => !isReservedHeader(name), "must not be a header the webhook or HTTP sets (webhook-*, ce-*, Host, Content-Type, Content-Length, ...)"),
    /** Secret JSON: {"api_key": "..."} */
    credentialsSecret: SecretName,
  }),
]);
export type EndpointAuth = z.infer<typeof EndpointAuth>;
export const AUTH_TYPES = ["oauth2_client_credentials", "basic", "api_key"] as const;

export const EndpointConditions = z.strictObject({
  site: z.array(z.string().min(1).max(64)).min(1).optional(),
  priority: z.array(z.enum(["routine", "urgent", "emergency"])).min(1).optional(),
  specialty: z.array(z.string().min(1).max(64)).min(1).optional(),
});

export const Endpoint = z.strictObject({
  /** Stable id, unique within the trust; names the AWS resources, so never rename it. */
  id: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/, "must be 1-32 lower-case letters, digits or inner hyphens"),
  description: z.string().max(256).optional(),
  /** Per-endpoint switch; the trust's `enabled` switches off all of its endpoints. */
  enabled: z.boolean().default(true),
  url: EndpointUrl,
  eventTypes: z
    .array(EventType)
    .min(1)
    .refine((types) => new Set(types).size === types.length, "must not repeat an event type"),
  /** Every listed attribute must match one of its values (absent attribute: no match). */
  conditions: EndpointConditions.default({}),
  /** full: decrypted message text and names; minimal: identifiers only. */
  payloadProfile: z.enum(["full", "minimal"]),
  auth: EndpointAuth,
  /** Secret holding this endpoint's Standard Webhooks signing key(s): `<app>/<env>/signing/<trustId>/<endpoint id>`. */
  signingSecret: SecretName,
  rateLimitPerSecond: z.int().min(1).max(300).default(10),
  /**
   * How fast a hold's deliveries are sent when it ends (per second); at most `rateLimitPerSecond`, so new deliveries
   * keep room. Unset: half the rate limit, at least 1 (`drainRateOf`).
   */
  drainRatePerSecond: z.int().min(1).max(300).optional(),
  /** Planned windows when this endpoint's deliveries are held, not sent (its trust's `holds` hold it too). */
  holds: HoldWindows.default([]),
  retryPolicy: z
    .strictObject({
      maximumEventAgeSeconds: z.int().min(60).max(86400).default(86400),
      maximumRetryAttempts: z.int().min(0).max(185).default(185),
    })
    .default({ maximumEventAgeSeconds: 86400, maximumRetryAttempts: 185 }),
}).superRefine((endpoint, ctx) => {
  if (endpoint.drainRatePerSecond !== undefined && endpoint.drainRatePerSecond > endpoint.rateLimitPerSecond) {
    ctx.addIssue({ code: "custom", path: ["drainRatePerSecond"], message: `must be at most rateLimitPerSecond (${endpoint.rateLimitPerSecond}): a drain faster than the endpoint's rate limit only queues at EventBridge` });
  }
});
export type Endpoint = z.infer<typeof Endpoint>;

/** The rate a hold's deliveries are drained at (per second): the endpoint's own, or half its rate limit, at least 1. */
export const drainRateOf = (endpoint: Pick<Endpoint, "drainRatePerSecond" | "rateLimitPerSecond">): number =>
  endpoint.drainRatePerSecond ?? Math.max(1, Math.floor(endpoint.rateLimitPerSecond / 2));

/** One file per trust per environment; Terraform deploys it and uploads it unchanged as the subscription document. */
export const TrustConfig = z.strictObject({
  $schema: z.string().optional(),
  trustId: OdsCode,
  name: z.string().min(1).max(200),
  /** Kill switch: false stops every delivery to this trust (events are filtered out on purpose). */
  enabled: z.boolean(),
  /** Where alarms for this trust's DLQ go; not used by the Lambda. */
  contact: Identifier.optional(),
  /**
   * Email addresses of the trust's integration team: each is subscribed to the trust's notification topic (and must
   * confirm the subscription from the email AWS sends). They are told when deliveries start failing or recover, and
   * of holds and signing-key rotations; never content or secrets.
   */
  contacts: z
    .array(z.email().max(254))
    .max(10)
    .refine((emails) => new Set(emails.map((email) => email.toLowerCase())).size === emails.length, "must not repeat an address")
    .default([]),
  /** Planned windows when every endpoint of this trust is held (deliveries kept in order, sent when the window ends). */
  holds: HoldWindows.default([]),
  endpoints: z
    .array(Endpoint)
    .max(20)
    .superRefine((endpoints, ctx) => {
      const seen = new Set<string>();
      endpoints.forEach((endpoint, index) => {
        if (seen.has(endpoint.id)) {
          ctx.addIssue({ code: "custom", path: [index, "id"], message: `duplicate endpoint id "${endpoint.id}"` });
        }
        seen.add(endpoint.id);
      });
    }),
}).superRefine((config, ctx) => {
  // A trust's windows and an endpoint's own that touch are one hold: the whole of it must fit the store's retention.
  config.endpoints.forEach((endpoint, index) => {
    for (const span of heldSpans(config.holds, endpoint.holds)) {
      if (Date.parse(span.until) - Date.parse(span.from) > MAX_HOLD_MS) {
        ctx.addIssue({
          code: "custom",
          path: ["endpoints", index, "holds"],
          message: `with the trust's holds, endpoint "${endpoint.id}" is held from ${span.from} to ${span.until}: more than 13 days (the hold store keeps a delivery 14 days)`,
        });
      }
    }
  });
  // Each secret's name is this trust's and this endpoint's own (docs/guarantees.md 4.4).
  config.endpoints.forEach((endpoint, index) => {
    const names: [SecretKind, string, (string | number)[]][] = [
      ["signing", endpoint.signingSecret, ["endpoints", index, "signingSecret"]],
      ["credentials", endpoint.auth.credentialsSecret, ["endpoints", index, "auth", "credentialsSecret"]],
    ];
    for (const [kind, name, path] of names) {
      if (!secretNamePattern(kind, config.trustId, endpoint.id).test(name)) {
        ctx.addIssue({ code: "custom", path, message: `must be the name <app>/<env>/${kind}/${config.trustId}/${endpoint.id} (this endpoint's own ${kind} secret)` });
      }
    }
  });
});
export type TrustConfig = z.infer<typeof TrustConfig>;
export type TrustConfigInput = z.input<typeof TrustConfig>;
export { Identifier };
