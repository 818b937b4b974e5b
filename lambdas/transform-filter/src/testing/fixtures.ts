import { Writable } from "node:stream";
import { randomBytes, randomUUID } from "node:crypto";
import {
  TrustConfig,
  dataKeyEncryptionContext,
  newSigningKey,
  sealEventFields,
  type PlatformEvent,
  type TrustConfigInput,
} from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import type { ProcessorSettings } from "../core/process-batch.ts";
import type { PipeKinesisRecord } from "../core/records.ts";

/** A new signing key for a test: the schemas' one generator under the name the tests use. */
export const newSigningSecret = newSigningKey;

/** A valid trust config with one full-profile endpoint per entry of `endpoints` (defaults filled in). */
export function trustConfig(
  trustId: string,
  endpoints: Partial<TrustConfigInput["endpoints"][number]>[] = [{}],
  overrides: Partial<TrustConfigInput> = {},
): TrustConfig {
  return TrustConfig.parse({
    trustId,
    name: `${trustId} NHS Trust`,
    enabled: true,
    endpoints: endpoints.map((endpoint, index) => ({
      id: endpoint.id ?? `ep${index + 1}`,
      url: `https://${trustId.toLowerCase()}.example.nhs.uk/webhooks/${index + 1}`,
      eventTypes: ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"],
      payloadProfile: "full",
      auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: `tc/test/credentials/${trustId}/${endpoint.id ?? `ep${index + 1}`}` },
      signingSecret: `tc/test/signing/${trustId}/${endpoint.id ?? `ep${index + 1}`}`,
      ...endpoint,
    })),
    ...overrides,
  });
}

/**
 * A `message.created` event of `trustId` with its fields in clear (seal it with `EventSealer`); `text`
 * replaces the message text, the other overrides replace top-level fields.
 */
export function plainMessageCreated(
  trustId: string,
  { text = "Patient in bay 4 needs review", ...overrides }: Partial<Omit<PlatformEvent, "type" | "data">> & { text?: string } = {},
): PlatformEvent {
  return {
    eventId: randomUUID(),
    type: "message.created",
    occurredAt: "2026-11-22T09:30:00.000Z",
    trustId,
    conversationId: `conv-${randomBytes(4).toString("hex")}`,
    attributes: { site: "MAIN", priority: "urgent" },
    data: {
      messageId: `msg-${randomBytes(4).toString("hex")}`,
      sender: { userId: "user-17", displayName: "Dr Ada Example" },
      text,
    },
    ...overrides,
  };
}

/** Encrypts events the way the platform does, with one data key per trust. */
export class EventSealer {
  private readonly keys = new Map<string, { dataKey: Buffer; wrappedKey: string }>();
  constructor(readonly keyProvider: LocalKeyProvider = new LocalKeyProvider()) {}

  seal<E extends PlatformEvent>(event: E): E {
    let key = this.keys.get(event.trustId);
    if (!key) {
      key = this.keyProvider.generateDataKey(dataKeyEncryptionContext(event.trustId));
      this.keys.set(event.trustId, key);
    }
    return sealEventFields(event, key.dataKey, key.wrappedKey);
  }
}

let sequence = 0n;
/** A Pipe-shaped Kinesis record carrying `payload` (an object is JSON-encoded; a string is used as the raw data). */
export function kinesisRecord(payload: unknown, options: { rawData?: boolean; shard?: string } = {}): PipeKinesisRecord {
  sequence += 1n;
  // BigInt: a Kinesis sequence number has more digits than a double holds, and every record needs its own.
  const sequenceNumber = (49_600_000_000_000_000_000_000_000_000_000_000_000_000_000n + sequence).toString();
  const data = options.rawData ? String(payload) : Buffer.from(JSON.stringify(payload)).toString("base64");
  const shard = options.shard ?? "shardId-000000000000";
  return {
    kinesisSchemaVersion: "1.0",
    partitionKey: "partition",
    sequenceNumber,
    data,
    approximateArrivalTimestamp: 1_795_000_000.123,
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shard}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::123456789012:role/pipe-role",
    awsRegion: "eu-west-2",
    eventSourceARN: "arn:aws:kinesis:eu-west-2:123456789012:stream/conversation-events",
  };
}

/** Processor settings for tests: no real backoff, small concurrency. */
export const TEST_SETTINGS: ProcessorSettings = {
  eventBusName: "callbacks",
  busSource: "trust-callbacks",
  cloudEventSource: "/trust-callbacks/test",
  maxPutEventsBytes: 256 * 1024,
  publishAttempts: 3,
  backoffBaseMs: 0,
  backoffMaxMs: 0,
  concurrency: 3,
};

/** A pino destination that keeps the JSON lines written to it. */
export function captureLogs(): { lines: string[]; destination: Writable } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}
