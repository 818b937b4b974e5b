import { BatchGetItemCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { DecryptCommand, KMSClient } from "@aws-sdk/client-kms";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from "@aws-sdk/client-sqs";
import { createHash } from "node:crypto";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { LocalKeyProvider } from "./adapters/local-key-provider.ts";
import { createHandler, createRuntime } from "./handler.ts";
import { EventSealer, captureLogs, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "./testing/fixtures.ts";
import { s3Object } from "./testing/sdk-faults.ts";

/**
 * Promises 1.2, 1.3, 2.1 and 2.2 (docs/guarantees.md): one fault of one AWS call, as the SDK reports it after its own
 * retries, and the one state every record of the batch must end in. Written from the promises: a refusal of our
 * own configuration or an outage is a retry; only a fault of the record (or of the trust's document) is a quarantine;
 * only a corrupt or foreign ciphertext is delivered with fields marked undecryptable.
 * The hold rows (10.2, 10.3, 10.6): the endpoint is in a window of its trust file; the holds table (DynamoDB) and its
 * hold store (SQS FIFO) fail as the SDK reports it; `held` is published to the store and not to the bus.
 */

type Service =
  | "kms"
  | "s3-document"
  | "s3-index"
  | "s3-indexed-document"
  | "secrets"
  | "putevents-call"
  | "putevents-entry"
  | "s3-quarantine"
  | "holds-read"
  | "holds-write"
  | "hold-store-call"
  | "hold-store-entry";
type Expected = "retry" | "quarantined" | "published" | "published-undecryptable" | "held";

interface Row {
  service: Service;
  fault: string;
  /** The SDK error (name, HTTP status, fault), or for PutEvents entries the entry's ErrorCode. */
  error: { name: string; status?: number; fault?: "client" | "server" };
  expected: Expected;
}

const client = (name: string, status = 400): Row["error"] => ({ name, status, fault: "client" });
const server = (name: string, status = 500): Row["error"] => ({ name, status, fault: "server" });
const noAnswer = (name: string): Row["error"] => ({ name });

const TABLE: Row[] = [
  // KMS Decrypt of the data key (a full-profile endpoint needs it).
  { service: "kms", fault: "access denied (IAM or key policy)", error: client("AccessDeniedException"), expected: "retry" },
  { service: "kms", fault: "key disabled", error: client("DisabledException"), expected: "retry" },
  { service: "kms", fault: "key pending deletion / pending import", error: client("KMSInvalidStateException", 409), expected: "retry" },
  { service: "kms", fault: "key unavailable", error: server("KeyUnavailableException"), expected: "retry" },
  { service: "kms", fault: "key not found", error: client("NotFoundException"), expected: "retry" },
  { service: "kms", fault: "throttled", error: client("ThrottlingException"), expected: "retry" },
  { service: "kms", fault: "internal error", error: server("KMSInternalException"), expected: "retry" },
  { service: "kms", fault: "timeout (no answer)", error: noAnswer("TimeoutError"), expected: "retry" },
  { service: "kms", fault: "corrupt ciphertext or wrong encryption context", error: client("InvalidCiphertextException"), expected: "published-undecryptable" },
  { service: "kms", fault: "ciphertext of another key", error: client("IncorrectKeyException"), expected: "published-undecryptable" },
  // S3 GetObject of the trust's document, without an index.
  { service: "s3-document", fault: "access denied", error: client("AccessDenied", 403), expected: "retry" },
  { service: "s3-document", fault: "slow down", error: server("SlowDown", 503), expected: "retry" },
  { service: "s3-document", fault: "internal error", error: server("InternalError"), expected: "retry" },
  { service: "s3-document", fault: "no such key (unknown trust)", error: client("NoSuchKey", 404), expected: "quarantined" },
  // S3 GetObject of the subscription index, and of a document it lists.
  { service: "s3-index", fault: "access denied", error: client("AccessDenied", 403), expected: "retry" },
  { service: "s3-index", fault: "slow down", error: server("SlowDown", 503), expected: "retry" },
  { service: "s3-indexed-document", fault: "access denied", error: client("AccessDenied", 403), expected: "retry" },
  { service: "s3-indexed-document", fault: "listed but missing", error: client("NoSuchKey", 404), expected: "retry" },
  // Secrets Manager GetSecretValue of the endpoint's signing secret.
  { service: "secrets", fault: "access denied (IAM or resource policy)", error: client("AccessDeniedException"), expected: "retry" },
  { service: "secrets", fault: "secret's KMS key refused", error: client("DecryptionFailure"), expected: "retry" },
  { service: "secrets", fault: "throttled", error: client("ThrottlingException"), expected: "retry" },
  { service: "secrets", fault: "internal error", error: server("InternalServiceError"), expected: "retry" },
  { service: "secrets", fault: "timeout (no answer)", error: noAnswer("TimeoutError"), expected: "retry" },
  { service: "secrets", fault: "no such secret (the trust file names one that does not exist)", error: client("ResourceNotFoundException"), expected: "quarantined" },
  // EventBridge PutEvents: the whole call, or every entry answered with an error code.
  { service: "putevents-call", fault: "access denied", error: client("AccessDeniedException"), expected: "retry" },
  { service: "putevents-call", fault: "throttled", error: client("ThrottlingException"), expected: "retry" },
  { service: "putevents-entry", fault: "access denied", error: { name: "AccessDeniedException" }, expected: "retry" },
  { service: "putevents-entry", fault: "throttled on every attempt", error: { name: "ThrottlingException" }, expected: "retry" },
  { service: "putevents-entry", fault: "internal failure on every attempt", error: { name: "InternalFailure" }, expected: "retry" },
  { service: "putevents-entry", fault: "malformed detail", error: { name: "MalformedDetail" }, expected: "quarantined" },
  // S3 PutObject of a quarantine entry (the record is bound for quarantine: its document is unknown).
  { service: "s3-quarantine", fault: "access denied", error: client("AccessDenied", 403), expected: "retry" },
  // DynamoDB BatchGetItem of the endpoints' hold states (10.6: nothing sent on a guess).
  { service: "holds-read", fault: "access denied", error: client("AccessDeniedException"), expected: "retry" },
  { service: "holds-read", fault: "throughput exceeded", error: client("ProvisionedThroughputExceededException"), expected: "retry" },
  { service: "holds-read", fault: "internal error", error: server("InternalServerError"), expected: "retry" },
  { service: "holds-read", fault: "timeout (no answer)", error: noAnswer("TimeoutError"), expected: "retry" },
  { service: "holds-read", fault: "table missing", error: client("ResourceNotFoundException"), expected: "retry" },
  // DynamoDB PutItem of the window's hold state (10.3).
  { service: "holds-write", fault: "access denied", error: client("AccessDeniedException"), expected: "retry" },
  { service: "holds-write", fault: "throttled", error: client("ThrottlingException"), expected: "retry" },
  { service: "holds-write", fault: "another writer first (condition failed)", error: client("ConditionalCheckFailedException"), expected: "held" },
  // SQS SendMessageBatch to the endpoint's hold store: the whole call, or every entry refused (10.2).
  { service: "hold-store-call", fault: "access denied", error: client("AccessDeniedException"), expected: "retry" },
  { service: "hold-store-call", fault: "throttled", error: client("RequestThrottled"), expected: "retry" },
  { service: "hold-store-call", fault: "queue missing", error: client("QueueDoesNotExist"), expected: "retry" },
  { service: "hold-store-call", fault: "queue's KMS key disabled", error: client("KmsDisabled"), expected: "retry" },
  { service: "hold-store-entry", fault: "KMS access denied", error: { name: "KmsAccessDenied" }, expected: "retry" },
  { service: "hold-store-entry", fault: "throttled on every attempt", error: { name: "RequestThrottled" }, expected: "retry" },
  { service: "hold-store-entry", fault: "internal error on every attempt", error: { name: "InternalError" }, expected: "retry" },
  { service: "hold-store-entry", fault: "invalid message contents", error: { name: "InvalidMessageContents" }, expected: "quarantined" },
];
const HOLD_SERVICES: readonly Service[] = ["holds-read", "holds-write", "hold-store-call", "hold-store-entry"];

const sdkError = ({ name, status, fault }: Row["error"]) =>
  Object.assign(new Error(`injected ${name}`), { name, ...(fault ? { $fault: fault } : {}), ...(status ? { $metadata: { httpStatusCode: status } } : { $metadata: {} }) });

const mocks = {
  kms: mockClient(KMSClient),
  s3: mockClient(S3Client),
  sm: mockClient(SecretsManagerClient),
  eb: mockClient(EventBridgeClient),
  ddb: mockClient(DynamoDBClient),
  sqs: mockClient(SQSClient),
};
afterEach(() => Object.values(mocks).forEach((mock) => mock.reset()));

async function run(row: Row) {
  const { kms, s3, sm, eb, ddb, sqs } = mocks;
  const keyProvider = new LocalKeyProvider();
  const sealer = new EventSealer(keyProvider);
  const holding = HOLD_SERVICES.includes(row.service);
  // A hold row: the endpoint is in a window of its trust file now.
  const window = { from: new Date(Date.now() - 3_600_000).toISOString(), until: new Date(Date.now() + 3_600_000).toISOString(), reason: "EPR upgrade" };
  const config = trustConfig("RX1", [{ payloadProfile: "full", ...(holding ? { holds: [window] } : {}) }]);
  const documentText = JSON.stringify(config);
  const indexed = row.service === "s3-index" || row.service === "s3-indexed-document";
  const fail = () => {
    throw sdkError(row.error);
  };

  kms.on(DecryptCommand).callsFake(async (input: { CiphertextBlob: Uint8Array; EncryptionContext: Record<string, string> }) => {
    if (row.service === "kms") fail();
    return { Plaintext: await keyProvider.unwrap(Buffer.from(input.CiphertextBlob).toString("base64"), input.EncryptionContext) };
  });
  const index = { version: 1, trusts: { RX1: { key: "subscriptions/RX1.json", sha256: createHash("sha256").update(documentText).digest("hex"), eventBus: "bus-0" } } };
  s3.on(GetObjectCommand, { Key: "subscriptions/index.json" }).callsFake(() => (row.service === "s3-index" ? fail() : s3Object(JSON.stringify(index), '"i1"')));
  s3.on(GetObjectCommand, { Key: "subscriptions/RX1.json" }).callsFake(() =>
    row.service === "s3-document" || row.service === "s3-indexed-document" ? fail() : s3Object(documentText, '"d1"'),
  );
  const quarantined: { eventID: string; reason: string }[] = [];
  s3.on(PutObjectCommand).callsFake((input: { Body: string }) => {
    if (row.service === "s3-quarantine") fail();
    quarantined.push(JSON.parse(input.Body));
    return {};
  });
  sm.on(GetSecretValueCommand).callsFake(() => (row.service === "secrets" ? fail() : { SecretString: newSigningSecret() }));
  const accepted: string[] = [];
  eb.on(PutEventsCommand).callsFake((input: { Entries: { Detail: string }[] }) => {
    if (row.service === "putevents-call") fail();
    return {
      Entries: input.Entries.map((entry, i) => {
        if (row.service === "putevents-entry") return { ErrorCode: row.error.name, ErrorMessage: "injected" };
        accepted.push(entry.Detail);
        return { EventId: `e-${i}` };
      }),
    };
  });

  ddb.on(BatchGetItemCommand).callsFake(() => (row.service === "holds-read" ? fail() : { Responses: { holds: [] } }));
  ddb.on(PutItemCommand).callsFake(() => (row.service === "holds-write" ? fail() : {}));
  const held: string[] = [];
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => {
    if (row.service === "hold-store-call") fail();
    if (row.service === "hold-store-entry") {
      return { Successful: [], Failed: input.Entries!.map((entry) => ({ Id: entry.Id, Code: row.error.name, SenderFault: true, Message: "injected" })) };
    }
    held.push(...input.Entries!.map((entry) => entry.MessageBody!));
    return { Successful: input.Entries!.map((entry) => ({ Id: entry.Id, MessageId: `m-${entry.Id}`, MD5OfMessageBody: "" })) };
  });

  const logs = captureLogs();
  const handler = createHandler(
    createRuntime(
      {
        ENVIRONMENT: "test",
        EVENT_BUS_NAME: "bus",
        SUBSCRIPTIONS_BUCKET: "c",
        QUARANTINE_BUCKET: "q",
        PUBLISH_ATTEMPTS: "2",
        LOG_LEVEL: "debug",
        ...(indexed ? { SUBSCRIPTION_INDEX_KEYS: "subscriptions/index.json" } : {}),
        ...(holding
          ? { HOLDS_TABLE_NAME: "holds", HOLD_QUEUE_URL_BASE: "https://sqs.eu-west-2.amazonaws.com/123456789012/", NAME_PREFIX: "trust-callbacks-test" }
          : {}),
      },
      {
        kms: kms as unknown as KMSClient,
        s3: s3 as unknown as S3Client,
        secretsManager: sm as unknown as SecretsManagerClient,
        eventBridge: eb as unknown as EventBridgeClient,
        dynamoDb: ddb as unknown as DynamoDBClient,
        sqs: sqs as unknown as SQSClient,
        logDestination: logs.destination,
      },
    ),
  );
  // The quarantine row needs a record bound for quarantine: an event of a trust with no document.
  const trustOfEvents = row.service === "s3-quarantine" ? "ZZZ9" : "RX1";
  if (trustOfEvents === "ZZZ9") s3.on(GetObjectCommand, { Key: "subscriptions/ZZZ9.json" }).rejects(sdkError(client("NoSuchKey", 404)));
  const events = [sealer.seal(plainMessageCreated(trustOfEvents)), sealer.seal(plainMessageCreated(trustOfEvents))];
  const records = events.map((event) => kinesisRecord(event));
  const response = await handler(records, { awsRequestId: "r", getRemainingTimeInMillis: () => 60_000 });
  const lines = logs.lines.map((line) => JSON.parse(line) as { eventID?: string; state?: string; reason?: string });
  const outcomes = records.map((record) => lines.filter((line) => line.eventID === record.eventID && line.state));
  const bodies = accepted.map((detail) => JSON.parse(detail).event as { data: { sourceEventId: string; text: unknown; undecryptableFields?: string[] } });
  const heldBodies = held.map((body) => JSON.parse(body) as { data: { sourceEventId: string } });
  return { records, events, response, outcomes, quarantined, bodies, heldBodies, logs: logs.lines };
}

describe("the one state each AWS fault leads to (promises 1.2, 1.3, 2.1, 2.2)", () => {
  it.each(TABLE)("$service: $fault → $expected", async (row) => {
    const { records, events, response, outcomes, quarantined, bodies, heldBodies } = await run(row);
    const state = row.expected === "published-undecryptable" || row.expected === "held" ? "published" : row.expected;
    records.forEach((record, i) => {
      // One outcome line per record, in the expected state, with a reason unless published.
      expect(outcomes[i], JSON.stringify(outcomes[i])).toHaveLength(1);
      expect(outcomes[i]![0]!.state).toBe(state);
      if (state !== "published") expect(outcomes[i]![0]!.reason).toMatch(/\w/);
      const published = bodies.filter((body) => body.data.sourceEventId === events[i]!.eventId);
      const inStore = heldBodies.filter((body) => body.data.sourceEventId === events[i]!.eventId);
      const inQuarantine = quarantined.filter((entry) => entry.eventID === record.eventID);
      expect(published).toHaveLength(state === "published" && row.expected !== "held" ? 1 : 0);
      expect(inStore).toHaveLength(row.expected === "held" ? 1 : 0);
      expect(inQuarantine).toHaveLength(state === "quarantined" ? 1 : 0);
      if (state === "quarantined") expect(inQuarantine[0]!.reason).toMatch(/\w/);
      if (row.expected === "published") expect(published[0]!.data.undecryptableFields).toBeUndefined();
      if (row.expected === "published-undecryptable") {
        expect(published[0]!.data).toMatchObject({ text: null, undecryptableFields: ["data.sender.displayName", "data.text"] });
      }
    });
    expect(response.batchItemFailures).toEqual(state === "retry" ? records.map((r) => ({ itemIdentifier: r.eventID })) : []);
  }, 20_000);

  it("counts undecryptable fields in the decryptFailures metric (the alarmed one)", async () => {
    const { logs } = await run({ service: "kms", fault: "corrupt", error: client("InvalidCiphertextException"), expected: "published-undecryptable" });
    const batch = logs.map((line) => JSON.parse(line)).find((line) => line.message === "batch processed");
    expect(batch.counts.decryptFailures).toBe(4);
  });
});
