/** The AWS adapters, for the Lambda's wiring and for tools that talk to a deployed environment (the redrive tool). */
export { EventBridgePublisher, retryForPutEventsError, putEventsEntryFailure } from "./adapters/eventbridge-publisher.ts";
export { SIGNING_SECRET_PATTERN, SecretsManagerSigningSecrets } from "./adapters/secrets-manager-signing-secrets.ts";
export { CachingDataKeyUnwrapper, KmsDataKeyUnwrapper } from "./adapters/kms-data-keys.ts";
export { S3SubscriptionSource, readSubscriptionDocument } from "./adapters/s3-subscriptions.ts";
export { S3IndexedSubscriptionSource } from "./adapters/s3-subscription-index.ts";
export { S3QuarantineSink, quarantineKey } from "./adapters/s3-quarantine.ts";
export { DynamoDbConversationBindings, MAX_KEYS_PER_BATCH_GET } from "./adapters/dynamodb-bindings.ts";
export { S3SubscriptionVersions } from "./adapters/s3-subscription-versions.ts";
export { DynamoDbHoldStates, HOLD_KEY_ATTRIBUTE, type DynamoDbHoldStatesOptions } from "./adapters/dynamodb-hold-states.ts";
export {
  MAX_HOLD_MESSAGE_BYTES,
  SqsHoldStore,
  holdDeduplicationId,
  retryForHoldStoreError,
  type SqsHoldStoreOptions,
} from "./adapters/sqs-hold-store.ts";
