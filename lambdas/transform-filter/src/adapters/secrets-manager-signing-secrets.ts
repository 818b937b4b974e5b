import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { LRUCache } from "lru-cache";
import { PermanentError } from "../core/errors.ts";
import type { SigningSecretSource } from "../core/ports.ts";
import { classifyAwsError } from "./aws-errors.ts";

/** A Standard Webhooks signing key: `whsec_` then base64 of at least 24 bytes. */
export const SIGNING_SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

/** Signing secrets from Secrets Manager, cached for `ttlMs` so warm batches make no call. */
export class SecretsManagerSigningSecrets implements SigningSecretSource {
  private readonly cache: LRUCache<string, string>;

  constructor(secretsManager: SecretsManagerClient, options: { ttlMs: number; maxSecrets?: number }) {
    this.cache = new LRUCache<string, string>({
      max: options.maxSecrets ?? 500,
      ttl: options.ttlMs,
      fetchMethod: async (secretId) => {
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
