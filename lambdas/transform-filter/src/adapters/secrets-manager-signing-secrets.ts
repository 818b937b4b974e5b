import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SIGNING_KEY_PATTERN, parseSigningSecret, type SigningSecret } from "@trust-callbacks/schemas";
import { LRUCache } from "lru-cache";
import { PermanentError } from "../core/errors.ts";
import type { SigningSecretSource } from "../core/ports.ts";
import { classifyAwsError } from "./aws-errors.ts";

/** A Standard Webhooks signing key: `whsec_` then base64 of at least 24 bytes (the single-key secret format). */
export const SIGNING_SECRET_PATTERN = SIGNING_KEY_PATTERN;

export interface SigningSecretsOptions {
  /** How long a secret is kept: a rotated secret is read again, and its new key signs, at most this long after the change. */
  ttlMs: number;
  maxSecrets?: number;
  /** The cache's clock (milliseconds, monotonic); tests pass their own. Default `performance`. */
  clock?: { now(): number };
}

/**
 * Signing secrets from Secrets Manager (`AWSCURRENT` version), in either format (`parseSigningSecret`), parsed
 * once and cached for `ttlMs` so warm batches make no call. Which keys are active is decided at signing time, so a
 * previous key stops signing at its `notAfter` even while its secret is cached.
 */
export class SecretsManagerSigningSecrets implements SigningSecretSource {
  private readonly cache: LRUCache<string, SigningSecret>;

  constructor(secretsManager: SecretsManagerClient, options: SigningSecretsOptions) {
    this.cache = new LRUCache<string, SigningSecret>({
      max: options.maxSecrets ?? 500,
      ttl: options.ttlMs,
      ...(options.clock ? { perf: options.clock } : {}),
      fetchMethod: async (secretId) => {
        let value: string | undefined;
        try {
          ({ SecretString: value } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId })));
        } catch (error) {
          throw classifyAwsError(error, `Secrets Manager GetSecretValue ${secretId}`);
        }
        const parsed = value ? parseSigningSecret(value) : undefined;
        if (parsed?.status !== "valid") {
          // The reason never quotes the value.
          throw new PermanentError(`secret ${secretId} ${parsed?.message ?? "has no SecretString"}`);
        }
        return parsed.secret;
      },
    });
  }

  async get(secretName: string): Promise<SigningSecret> {
    const value = await this.cache.fetch(secretName);
    if (!value) throw new PermanentError(`secret ${secretName} has no value`);
    return value;
  }
}
