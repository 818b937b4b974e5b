import canonicalize from "canonicalize";
import { timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";

export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
}

export interface VerifyOptions {
  /**
   * How old a `webhook-timestamp` may be. EventBridge retries resend the same headers for up to the
   * endpoint's maximumEventAgeSeconds (default 24 h), so allow that plus clock skew, not 5 minutes.
   */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Verifies a trust-callbacks webhook as a receiver should: the signature is Standard Webhooks
 * (HMAC-SHA256, `v1,<base64>`) over `${webhook-id}.${webhook-timestamp}.${RFC 8785 canonical JSON of the body}`.
 * Returns the parsed CloudEvent. Deduplicate on `webhook-id` (the CloudEvent id) for replay protection.
 *
 * `webhook-signature` may carry several signatures (`v1,<sig1> v1,<sig2>`: during a signing-key rotation the service
 * signs with the old and the new key); the delivery is authentic when any one matches. A receiver switching keys
 * may pass both of its keys: any match with either is accepted.
 *
 * @example
 *   const event = verifyWebhook(process.env.SIGNING_SECRET!, req.headers, rawBody);
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: Record<string, string | string[] | undefined>,
  body: string,
  options: VerifyOptions = {},
): Record<string, unknown> {
  const header = (name: string) => {
    const value = headers[name] ?? headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signatures = header("webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature");
  const seconds = Number(timestamp);
  if (!Number.isInteger(seconds)) throw new WebhookVerificationError("webhook-timestamp is not unix seconds");
  const tolerance = options.toleranceSeconds ?? 86400 + 300;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (now - seconds > tolerance) throw new WebhookVerificationError("webhook-timestamp is too old");
  if (seconds - now > 300) throw new WebhookVerificationError("webhook-timestamp is in the future");

  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new WebhookVerificationError("body is not JSON");
  }
  const canonical = canonicalize(parsed) ?? "";
  // The library computes the signature; its own verify() caps the age at 5 minutes, too short for EventBridge retries.
  const expected = (typeof secret === "string" ? [secret] : secret).map((key) =>
    Buffer.from(new Webhook(key).sign(id, new Date(seconds * 1000), canonical).split(",")[1]!),
  );
  const match = signatures.split(" ").some((candidate) => {
    const [version, signature] = candidate.split(",");
    const given = Buffer.from(signature ?? "");
    return version === "v1" && expected.some((key) => given.length === key.length && timingSafeEqual(given, key));
  });
  if (!match) throw new WebhookVerificationError("no matching signature");
  return parsed as Record<string, unknown>;
}
