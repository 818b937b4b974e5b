import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { TransientError, failureOf, found, type Result } from "@trust-callbacks/runtime";
import { classifyAwsError } from "@trust-callbacks/runtime/aws";
import type { NoticeMessage, TopicPublisher } from "../core/ports.ts";

/**
 * Publishes a rendered notice to a trust's topic (SNS Publish with `Subject` and a plain-text `Message`). The topics
 * are SSE-KMS encrypted with the environment's notices key: a publisher needs `kms:GenerateDataKey*` and `kms:Decrypt`
 * on it besides `sns:Publish` (Amazon SNS Developer Guide, "Managing Amazon SNS encryption keys and costs",
 * https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html), so a key or policy refusal is our own
 * configuration: transient, the notice stays unsent and is tried again. Publish's errors by name (Amazon SNS API
 * Reference, Publish, Errors: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors).
 * AWS messages are not passed on (`quoteAws: false`): a Publish error may quote the request, which holds the message.
 */
const OWN_CONFIGURATION = new Set([
  "AuthorizationErrorException",
  "KMSAccessDeniedException",
  "KMSDisabledException",
  "KMSInvalidStateException",
  "KMSNotFoundException",
  "KMSOptInRequired",
  "KMSThrottlingException",
  "ThrottledException",
  "InternalErrorException",
  // The topic is missing: not deployed yet, or the trust was removed while a notice waited. Tried again until the
  // notice's TTL; the error log names it.
  "NotFoundException",
]);

export class SnsTopicPublisher implements TopicPublisher {
  constructor(private readonly client: SNSClient) {}

  async publish(topicArn: string, message: NoticeMessage): Promise<Result<string>> {
    try {
      const answer = await this.client.send(new PublishCommand({ TopicArn: topicArn, Subject: message.subject, Message: message.body }));
      return found(answer.MessageId ?? "");
    } catch (error) {
      const name = (error as { name?: string } | undefined)?.name ?? "";
      const what = `SNS Publish ${topicArn}`;
      if (OWN_CONFIGURATION.has(name)) return failureOf(new TransientError(`${what}: ${name}`));
      return failureOf(classifyAwsError(error, what, { quoteAws: false, ownConfiguration: true }));
    }
  }
}
