import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { found, notFound, type Result } from "@trust-callbacks/runtime";
import type { SecretVersion } from "../core/model.ts";
import type { SecretsPort } from "../core/ports.ts";
import { classifyAwsError, isNotFound } from "./aws-errors.ts";

/**
 * Credentials secrets from Secrets Manager: GetSecretValue of the AWSCURRENT version, with its VersionId and the
 * version's CreatedDate (Secrets Manager API Reference, GetSecretValue:
 * https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html). No cache: a sync run
 * reads each secret once, and the next run must see the next version.
 */
export class SecretsManagerSecrets implements SecretsPort {
  constructor(private readonly client: SecretsManagerClient) {}

  async get(secretName: string): Promise<Result<SecretVersion>> {
    try {
      const output = await this.client.send(new GetSecretValueCommand({ SecretId: secretName }));
      return found({
        value: output.SecretString ?? "",
        ...(output.VersionId ? { versionId: output.VersionId } : {}),
        ...(output.CreatedDate ? { createdAt: output.CreatedDate } : {}),
      });
    } catch (error) {
      if (isNotFound(error)) return notFound("ResourceNotFoundException");
      throw classifyAwsError(error, `Secrets Manager GetSecretValue ${secretName}`);
    }
  }
}
