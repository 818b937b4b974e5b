import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { failed, found, type Result } from "@trust-callbacks/runtime";
import { parseConnectionCredentialsMap } from "../core/deployment-map.ts";
import type { ExpectedCredentials } from "../core/model.ts";
import type { DeploymentPort } from "../core/ports.ts";
import { classifyAwsError } from "./aws-errors.ts";

/** The connection credentials map Terraform writes to the config bucket (read once per run: it is small). */
export class S3Deployment implements DeploymentPort {
  constructor(
    private readonly client: S3Client,
    private readonly location: { bucket: string; key: string },
  ) {}

  async expected(): Promise<Result<ExpectedCredentials[]>> {
    let text: string;
    try {
      const output = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.location.key }));
      text = (await output.Body?.transformToString("utf8")) ?? "";
    } catch (error) {
      throw classifyAwsError(error, `S3 GetObject s3://${this.location.bucket}/${this.location.key}`);
    }
    const parsed = parseConnectionCredentialsMap(text);
    return parsed.ok ? found(parsed.expected) : failed("never", `s3://${this.location.bucket}/${this.location.key}: ${parsed.problem}`);
  }
}
