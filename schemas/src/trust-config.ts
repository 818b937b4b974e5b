import { z } from "zod";
import { EndpointId, Identifier, OdsCode } from "./common.ts";
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
    tokenUrl: EndpointUrl.describe("The trust's OAuth 2.0 token URL (client credentials grant); the same rules as `url`."),
    scopes: z.array(z.string().min(1).max(256)).max(20).default([]).describe("Scopes asked for with each token."),
    credentialsSecret: SecretName.describe('Secrets Manager secret `<app>/<env>/credentials/<ODS>/<endpoint id>` (this endpoint\'s own) holding `{"client_id","client_secret"}`.'),
  }),
  z.strictObject({
    type: z.literal("basic"),
    credentialsSecret: SecretName.describe('Secrets Manager secret `<app>/<env>/credentials/<ODS>/<endpoint id>` (this endpoint\'s own) holding `{"username","password"}`.'),
  }),
  z.strictObject({
    type: z.literal("api_key"),
    headerName: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name")
      .refine((name) => !isReservedHeader(name), "must not be a header the webhook or HTTP sets (webhook-*, ce-*, Host, Content-Type, Content-Length, ...)")
      .describe("The request header that carries the API key (docs/guarantees.md 4.3)."),
    credentialsSecret: SecretName.describe('Secrets Manager secret `<app>/<env>/credentials/<ODS>/<endpoint id>` (this endpoint\'s own) holding `{"api_key"}`.'),
  }),
]);
export type EndpointAuth = z.infer<typeof EndpointAuth>;
export const AUTH_TYPES = ["oauth2_client_credentials", "basic", "api_key"] as const;

export const EndpointConditions = z.strictObject({
  site: z.array(z.string().min(1).max(64)).min(1).optional().describe("The event's `site` must be one of these."),
  priority: z.array(z.enum(["routine", "urgent", "emergency"])).min(1).optional().describe("The event's `priority` must be one of these."),
  specialty: z.array(z.string().min(1).max(64)).min(1).optional().describe("The event's `specialty` must be one of these."),
});

/** An endpoint's id, as the trust file and the webhook body (`endpointid`) carry it. */
export { EndpointId };

export const Endpoint = z.strictObject({
  id: EndpointId.describe("Stable id, unique within the trust; names the endpoint's AWS resources, so never rename it."),
  description: z.string().max(256).optional().describe("Free text for people."),
  enabled: z.boolean().default(true).describe("Per-endpoint switch; the trust's `enabled` switches off all of its endpoints."),
  url: EndpointUrl.describe(
    "Where the webhooks go: `https://` to a public DNS name, with no user information, IP address, `localhost`, single-label or `.local`/`.internal`-style host; plain `http://` only to loopback, for the local pipeline (docs/guarantees.md 4.1, 4.2).",
  ),
  eventTypes: z
    .array(EventType)
    .min(1)
    .refine((types) => new Set(types).size === types.length, "must not repeat an event type")
    .describe("The event types this endpoint receives."),
  conditions: EndpointConditions.default({}).describe("Every listed attribute must be present in the event with one of the listed values."),
  payloadProfile: z.enum(["full", "minimal"]).describe("`full`: decrypted message text and names; `minimal`: identifiers only."),
  auth: EndpointAuth.describe("How each call authenticates to the endpoint (an EventBridge connection); the credentials are in the secret `credentialsSecret` names, never in this file."),
  signingSecret: SecretName.describe(
    'Secrets Manager secret `<app>/<env>/signing/<ODS>/<endpoint id>` (this endpoint\'s own: IAM tells signing keys and credentials apart by the third segment) holding the endpoint\'s Standard Webhooks key `whsec_<base64>` (share it with the trust), or during a rotation a key set `{"version":1,"keys":[{"key","createdAt","notAfter"}]}` written by `rotate-signing-key`.',
  ),
  rateLimitPerSecond: z.int().min(1).max(300).default(10).describe("Most calls per second to this endpoint (its API destination's invocation rate limit)."),
  drainRatePerSecond: z
    .int()
    .min(1)
    .max(300)
    .optional()
    .describe("How fast a hold's deliveries are sent when it ends (per second); at most `rateLimitPerSecond`, so new deliveries keep room. Unset: half the rate limit, at least 1."),
  holds: HoldWindows.default([]).describe("Planned windows when this endpoint's deliveries are held (kept in order, sent when the window ends); the trust's `holds` hold it too."),
  retryPolicy: z
    .strictObject({
      maximumEventAgeSeconds: z.int().min(60).max(86400).default(86400).describe("A delivery still failing this long after its event goes to the trust's DLQ."),
      maximumRetryAttempts: z.int().min(0).max(185).default(185).describe("A delivery still failing after this many retries goes to the trust's DLQ."),
    })
    .default({ maximumEventAgeSeconds: 86400, maximumRetryAttempts: 185 })
    .describe("EventBridge's retries of a failed call before the delivery goes to the trust's DLQ."),
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
  $schema: z.string().optional().describe("Path or URL of `schemas/json/trust-config.schema.json`, for editor completion."),
  trustId: OdsCode.describe("The trust's ODS code, its id everywhere; the file is `<trustId>.json`."),
  name: z.string().min(1).max(200).describe("The trust's name, for people."),
  enabled: z.boolean().describe("The trust's kill switch: `false` filters out all its events (on purpose) and disables its rules."),
  contact: Identifier.optional().describe("Where alarms for this trust's DLQ go; not used by the Lambda."),
  contacts: z
    .array(z.email().max(254))
    .max(10)
    .refine((emails) => new Set(emails.map((email) => email.toLowerCase())).size === emails.length, "must not repeat an address")
    .default([])
    .describe("Email addresses of the trust's integration team, each subscribed to the trust's notification topic (each must confirm the email AWS sends). They are told when deliveries start failing or recover, and of holds and signing-key rotations; never content or secrets."),
  holds: HoldWindows.default([]).describe("Planned windows when every endpoint of this trust is held: deliveries kept in order and sent when the window ends (at most 13 days, in order, not overlapping; a window that has ended is refused at deploy)."),
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
    })
    .describe("Where this trust's webhooks go; each endpoint `id` once."),
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
