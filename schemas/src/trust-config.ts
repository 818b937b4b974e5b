import { z } from "zod";
import { Identifier, OdsCode } from "./common.ts";
import { EventType } from "./events.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** https anywhere; plain http only to this machine (the local pipeline's receivers). Terraform accepts https only. */
const EndpointUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}, "must be an https:// URL (http:// is accepted only for 127.0.0.1/localhost in the local pipeline)");

/** A Secrets Manager secret name (or ARN). The secret's value never appears in a file of this repo. */
const SecretName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[A-Za-z0-9/_+=.@:-]+$/, "must be a Secrets Manager secret name or ARN");

export const EndpointAuth = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("oauth2_client_credentials"),
    tokenUrl: EndpointUrl,
    scopes: z.array(z.string().min(1).max(256)).max(20).default([]),
    /** Secret JSON: {"client_id": "...", "client_secret": "..."} */
    credentialsSecret: SecretName,
  }),
  z.strictObject({
    type: z.literal("basic"),
    /** Secret JSON: {"username": "...", "password": "..."} */
    credentialsSecret: SecretName,
  }),
  z.strictObject({
    type: z.literal("api_key"),
    headerName: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name"),
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
  /** Secret holding this endpoint's Standard Webhooks signing key, `whsec_<base64>`. */
  signingSecret: SecretName,
  rateLimitPerSecond: z.int().min(1).max(300).default(10),
  retryPolicy: z
    .strictObject({
      maximumEventAgeSeconds: z.int().min(60).max(86400).default(86400),
      maximumRetryAttempts: z.int().min(0).max(185).default(185),
    })
    .default({ maximumEventAgeSeconds: 86400, maximumRetryAttempts: 185 }),
});
export type Endpoint = z.infer<typeof Endpoint>;

/** One file per trust per environment; Terraform deploys it and uploads it unchanged as the subscription document. */
export const TrustConfig = z.strictObject({
  $schema: z.string().optional(),
  trustId: OdsCode,
  name: z.string().min(1).max(200),
  /** Kill switch: false stops every delivery to this trust (events are filtered out on purpose). */
  enabled: z.boolean(),
  /** Where alarms for this trust's DLQ go; not used by the Lambda. */
  contact: Identifier.optional(),
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
});
export type TrustConfig = z.infer<typeof TrustConfig>;
export type TrustConfigInput = z.input<typeof TrustConfig>;
export { Identifier };
