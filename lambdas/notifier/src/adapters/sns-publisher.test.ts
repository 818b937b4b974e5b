import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { SnsTopicPublisher } from "./sns-publisher.ts";

const TOPIC = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-prod-RX1-notices";

describe("SNS publish, errors classified at the edge (promise 10.33)", () => {
  const client = new SNSClient({ region: "eu-west-2", credentials: { accessKeyId: "x", secretAccessKey: "y" } });
  const sns = mockClient(client);
  beforeEach(() => sns.reset());
  const error = (name: string, status?: number, fault?: "client" | "server") =>
    Object.assign(new Error(`${name}: quoting the request: Subject=[RX1] secret body`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

  it("publishes the subject and the plain-text body to the topic", async () => {
    sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    expect(await new SnsTopicPublisher(client).publish(TOPIC, { subject: "s", body: "b" })).toEqual({ status: "found", value: "m-1" });
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input).toEqual({ TopicArn: TOPIC, Subject: "s", Message: "b" });
  });

  // error → the one answer (every failure leaves the notice unsent; `retry` is what the log says)
  const table: [string, number | undefined, "client" | "server" | undefined, string][] = [
    ["ThrottledException", 400, "client", "now"],
    ["KMSThrottlingException", 400, "client", "now"],
    ["AuthorizationErrorException", 403, "client", "now"],
    ["KMSAccessDeniedException", 400, "client", "now"],
    ["KMSDisabledException", 400, "client", "now"],
    ["KMSInvalidStateException", 400, "client", "now"],
    ["KMSNotFoundException", 400, "client", "now"],
    ["NotFoundException", 404, "client", "now"],
    ["InternalErrorException", 500, "server", "now"],
    ["TimeoutError", undefined, undefined, "now"],
    ["InvalidParameterException", 400, "client", "never"],
  ];
  it.each(table)("%s → retry %s", async (name, status, fault, retry) => {
    sns.on(PublishCommand).rejects(error(name, status, fault));
    const answer = await new SnsTopicPublisher(client).publish(TOPIC, { subject: "s", body: "b" });
    expect(answer).toMatchObject({ status: "failed", retry });
    expect(JSON.stringify(answer)).not.toContain("secret body"); // AWS messages that quote the request are not passed on
  });
});
