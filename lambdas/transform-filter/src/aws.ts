/** The AWS adapters, for tools that talk to the deployed environment (the redrive tool). */
export { EventBridgePublisher } from "./adapters/eventbridge-publisher.ts";
export { SecretsManagerSigningSecrets } from "./adapters/secrets-manager-signing-secrets.ts";
export { awsClientConfig } from "./adapters/aws-clients.ts";
