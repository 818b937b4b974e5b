/** The AWS adapters, for the Lambda's wiring and for tools that sync a deployed environment (the support CLI). */
export { EventBridgeConnections } from "./adapters/eventbridge-connections.ts";
export { SecretsManagerSecrets } from "./adapters/secrets-manager-secrets.ts";
export { S3Deployment } from "./adapters/s3-deployment.ts";
export { classifyAwsError } from "./adapters/aws-errors.ts";
