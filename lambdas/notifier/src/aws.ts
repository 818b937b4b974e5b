/** The notifier's AWS adapters: the notices table (sweep and episodes) and the trusts' topics. */
export { DynamoDbNotices, type DynamoDbNoticesOptions } from "./adapters/dynamodb-notices.ts";
export { SnsTopicPublisher } from "./adapters/sns-publisher.ts";
