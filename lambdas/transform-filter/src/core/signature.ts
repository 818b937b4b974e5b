import canonicalize from "canonicalize";
import { Webhook } from "standardwebhooks";

/** The Standard Webhooks headers, as they travel in the event detail and are mapped to HTTP headers. */
export interface WebhookHeaders {
  id: string;
  /** Unix seconds, as a string because header values are strings. */
  timestamp: string;
  /** `v1,<base64 HMAC-SHA256>` */
  signature: string;
}

/**
 * RFC 8785 (JCS) canonical JSON of a body. EventBridge re-serializes JSON on the way to the endpoint,
 * so signer and receiver both sign/verify this form, never the bytes on the wire.
 */
export function canonicalJson(body: unknown): string {
  const text = canonicalize(body);
  if (text === undefined) throw new TypeError("body has no JSON representation");
  return text;
}

const webhooks = new Map<string, Webhook>();
const webhookFor = (secret: string): Webhook => {
  let webhook = webhooks.get(secret);
  if (!webhook) {
    webhook = new Webhook(secret);
    webhooks.set(secret, webhook);
  }
  return webhook;
};

/**
 * Standard Webhooks signature over `${id}.${timestamp}.${canonicalJson(body)}` with the endpoint's
 * `whsec_` key. `id` is the CloudEvent id, so retries and redrives keep it.
 */
export function signWebhook(id: string, body: unknown, secret: string, at: Date): WebhookHeaders {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    id,
    timestamp: String(timestamp),
    signature: webhookFor(secret).sign(id, new Date(timestamp * 1000), canonicalJson(body)),
  };
}

/** Forget cached signing keys (after a secret rotation). */
export const clearSigningKeyCache = (): void => webhooks.clear();
