import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { LRUCache } from "lru-cache";
import { PermanentError } from "../core/errors.ts";
import type { SigningSecretSource } from "../core/ports.ts";
import { classifyAwsError } from "./aws-errors.ts";
import { refreshingCache } from "./refreshing-cache.ts";

/** A Standard Webhooks signing key: `whsec_` then base64 of at least 24 bytes. */
export const SIGNING_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

/**
 * Signing secrets from Secrets Manager, cached for a jittered `ttlMs` and refreshed in the background, so warm
 * batches make no call. `maxSecrets` is sized from the deployment's endpoint count (Terraform sets it).
 */
export class SecretsManagerSigningSecrets implements SigningSecretSource {
  private readonly cache: LRUCache<string, string>;

  constructor(secretsManager: SecretsManagerClient, options: { ttlMs: number; maxSecrets: number; random?: () => number }) {
    this.cache = refreshingCache<string>({
      max: options.maxSecrets,
      ttlMs: options.ttlMs,
      ...(options.random ? { random: options.random } : {}),
      load: async (secretId) => {
        let value: string | undefined;
        try {
          ({ SecretString: value } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretId })));
        } catch (error) {
          throw classifyAwsError(error, `Secrets Manager GetSecretValue ${secretId}`);
        }
        if (!value || !SIGNING_SECRET_PATTERN.test(value)) {
          throw new PermanentError(`secret ${secretId} is not a whsec_ signing key`);
        }
        return value;
      },
    });
  }

  async get(secretName: string): Promise<string> {
    const value = await this.cache.fetch(secretName);
    if (!value) throw new PermanentError(`secret ${secretName} has no value`);
    return value;
  }
}
