import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SIGNING_KEY_PATTERN, parseSigningSecret, type SigningSecret } from "@trust-callbacks/schemas";
import type { LRUCache } from "lru-cache";
import { PermanentError } from "@trust-callbacks/runtime";
import type { SigningSecretSource } from "../core/ports.ts";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import { freshValue, refreshingCache } from "./refreshing-cache.ts";

/** A Standard Webhooks signing key: `whsec_` then base64 of at least 24 bytes (the single-key secret format). */
export const SIGNING_SECRET_PATTERN = SIGNING_KEY_PATTERN;

/**
 * Signing secrets from Secrets Manager (`AWSCURRENT` version), in either format (`parseSigningSecret`), parsed
 * once, cached for a jittered `ttlMs` and refreshed in the background, so warm batches make no call: a rotated
 * secret's new key signs at most about `ttlMs` (+20% jitter) after the change. Which keys are active is decided at
 * signing time, so a previous key stops signing at its `notAfter` even while its secret is cached. `maxSecrets` is
 * sized from the deployment's endpoint count (Terraform sets it).
 */
export class SecretsManagerSigningSecrets implements SigningSecretSource {
  private readonly cache: LRUCache<string, SigningSecret>;

  constructor(
    secretsManager: SecretsManagerClient,
    options: { ttlMs: number; maxSecrets: number; random?: () => number; now?: () => number },
  ) {
    this.cache = refreshingCache<SigningSecret>({
      max: options.maxSecrets,
      ttlMs: options.ttlMs,
      ...(options.random ? { random: options.random } : {}),
      ...(options.now ? { now: options.now } : {}),
      load: async (secretId) => {
        let value: string | undefined;
        try {
          ({ SecretString: value } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId })));
        } catch (error) {
          throw classifyAwsError(error, `Secrets Manager GetSecretValue ${secretId}`, { ownConfiguration: true });
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

  cached(secretName: string): SigningSecret | undefined {
    return freshValue(this.cache, secretName);
  }

  async get(secretName: string): Promise<SigningSecret> {
    const value = await this.cache.fetch(secretName);
    if (!value) throw new PermanentError(`secret ${secretName} has no value`);
    return value;
  }
}
