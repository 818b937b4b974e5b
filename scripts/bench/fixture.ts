import { createDecipheriv, createHash, createHmac } from "node:crypto";
import { TrustConfig, dataKeyEncryptionContext, newSigningKey, sealEventFields, type EncryptedField, type PlatformEvent } from "@trust-callbacks/schemas";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";
import { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";
import { generateEvents } from "../lib/event-generator.ts";

/** A deployment the benchmark runs against: how many trusts, and endpoints per trust (1-3). */
export interface Scenario {
  name: string;
  trusts: number;
  endpointsPerTrust: 1 | 2 | 3;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: "10 trusts × 2 endpoints", trusts: 10, endpointsPerTrust: 2 },
  { name: "1,000 trusts × 3 endpoints", trusts: 1000, endpointsPerTrust: 3 },
];

const ALL_TYPES = ["conversation.created", "message.created", "message.read", "response.sent", "conversation.closed"];
// A full-profile EHR feed, a minimal bleep feed of messages and responses, a minimal audit feed of everything.
const ENDPOINTS = [
  { id: "ehr", eventTypes: ALL_TYPES, payloadProfile: "full" },
  { id: "bleep", eventTypes: ["message.created", "response.sent", "message.read"], payloadProfile: "minimal" },
  { id: "audit", eventTypes: ALL_TYPES, payloadProfile: "minimal" },
] as const;

/** ODS-like codes: R plus two characters, as NHS trust codes are (RX1, RYJ, R0A…). */
const odsCode = (index: number) => `R${index.toString(36).toUpperCase().padStart(2, "0")}`;

export interface BenchFixture {
  trusts: TrustConfig[];
  keyProvider: LocalKeyProvider;
  /** Subscription documents by S3 key, and the deployed index over them. */
  documents: Map<string, string>;
  indexKey: string;
  index: string;
  /** Signing secret values by secret name. */
  signingSecrets: Map<string, string>;
  /** The next batch of ~1 KB records, as the platform writes them. */
  makeBatch: () => PipeKinesisRecord[];
  /** A batch of one record per trust (up to `size`): every lookup of a new container at once. */
  makeColdBatch: (size: number) => PipeKinesisRecord[];
  /** Batches of `message.created` records, one per trust, which every endpoint receives: they fill every cache. */
  makeEveryTrustBatches: () => PipeKinesisRecord[][];
  /** The unavoidable work on `records`: decode, parse, decrypt, then HMAC and serialize per endpoint. */
  floor: (records: PipeKinesisRecord[]) => number;
}

export function benchFixture(scenario: Scenario, batchSize: number, seed = 1): BenchFixture {
  const trusts = Array.from({ length: scenario.trusts }, (_v, i) => {
    const trustId = odsCode(i + 36); // from "R10"
    return TrustConfig.parse({
      trustId,
      name: `Bench Trust ${trustId}`,
      enabled: true,
      endpoints: ENDPOINTS.slice(0, scenario.endpointsPerTrust).map((endpoint) => ({
        ...endpoint,
        eventTypes: [...endpoint.eventTypes],
        url: `https://${endpoint.id}.${trustId.toLowerCase()}.example.nhs.uk/callbacks/trust-callbacks`,
        auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: `trust-callbacks/bench/credentials/${trustId}/${endpoint.id}` },
        signingSecret: `trust-callbacks/bench/signing/${trustId}/${endpoint.id}`,
      })),
    });
  });
  const signingSecrets = new Map(
    trusts.flatMap((trust) => trust.endpoints.map((endpoint) => [endpoint.signingSecret, newSigningKey()] as const)),
  );
  const documents = new Map(trusts.map((trust) => [`subscriptions/${trust.trustId}.json`, JSON.stringify(trust)]));
  const indexKey = "subscriptions/index.json";
  const index = JSON.stringify({
    version: 1,
    trusts: Object.fromEntries(
      trusts.map((trust) => {
        const key = `subscriptions/${trust.trustId}.json`;
        return [trust.trustId, { key, sha256: createHash("sha256").update(documents.get(key)!).digest("hex"), eventBus: "trust-callbacks-bench-callbacks-0" }];
      }),
    ),
  });

  const keyProvider = new LocalKeyProvider();
  const dataKeys = new Map(trusts.map((t) => [t.trustId, keyProvider.generateDataKey(dataKeyEncryptionContext(t.trustId))]));
  const padText = (text: string) => `${text} ${"Obs: HR 88, BP 124/78, RR 16, SpO2 97% on air, temp 37.2. ".repeat(8)}`.slice(0, 560);
  const generator = generateEvents({ trusts, seed, keyProvider });
  let sequence = 0;
  /** Generated events arrive sealed under the generator's keys; replace ciphertexts by clear stand-ins to re-seal. */
  const stripEncryption = (event: PlatformEvent): PlatformEvent =>
    JSON.parse(JSON.stringify(event), (_k, v) => (v && typeof v === "object" && v.alg === "AES-256-GCM" ? "Dr Bench Example" : v));
  const toRecord = (generated: PlatformEvent): PipeKinesisRecord => {
    // Re-sealed with the per-trust bench key and longer text, so records are ~1 KB, as on the platform.
    const plain = stripEncryption(generated);
    const raw = {
      ...plain,
      data: Object.fromEntries(Object.entries(plain.data as Record<string, unknown>).map(([k, v]) => [k, k === "text" ? padText("Patient update") : v])),
    } as PlatformEvent;
    const key = dataKeys.get(raw.trustId)!;
    const sealed = sealEventFields(raw, key.dataKey, key.wrappedKey);
    sequence += 1;
    return {
      eventID: `shardId-000000000000:${String(sequence).padStart(20, "0")}`,
      data: Buffer.from(JSON.stringify(sealed)).toString("base64"),
      partitionKey: sealed.conversationId,
      sequenceNumber: String(sequence),
    };
  };
  const makeBatch = () => Array.from({ length: batchSize }, () => toRecord(generator.next().value as PlatformEvent));
  const makeColdBatch = (size: number) => {
    const seen = new Set<string>();
    const records: PipeKinesisRecord[] = [];
    while (records.length < Math.min(size, trusts.length)) {
      const event = generator.next().value as PlatformEvent;
      if (seen.has(event.trustId)) continue;
      seen.add(event.trustId);
      records.push(toRecord(event));
    }
    return records;
  };

  const makeEveryTrustBatches = () => {
    const records: PipeKinesisRecord[] = [];
    for (const trust of trusts) {
      let event = generator.next().value as PlatformEvent;
      while (event.type !== "message.created") event = generator.next().value as PlatformEvent;
      records.push(toRecord({ ...event, trustId: trust.trustId }));
    }
    return Array.from({ length: Math.ceil(records.length / batchSize) }, (_v, i) => records.slice(i * batchSize, (i + 1) * batchSize));
  };

  const endpointsPerRecord = scenario.endpointsPerTrust;
  const floorKey = (wrapped: string, trustId: string) => {
    const key = dataKeys.get(trustId);
    if (key?.wrappedKey !== wrapped) throw new Error("unknown key");
    return key.dataKey;
  };
  const floor = (records: PipeKinesisRecord[]): number => {
    let bytes = 0;
    for (const record of records) {
      const event = JSON.parse(Buffer.from(record.data, "base64").toString("utf8"));
      const aad = Buffer.from(`trust-callbacks/v1/${event.trustId}/${event.eventId}`);
      const open = (field: EncryptedField) => {
        const d = createDecipheriv("aes-256-gcm", floorKey(field.wrappedKey, event.trustId), Buffer.from(field.iv, "base64"));
        d.setAAD(aad);
        d.setAuthTag(Buffer.from(field.tag, "base64"));
        return Buffer.concat([d.update(Buffer.from(field.ciphertext, "base64")), d.final()]).toString();
      };
      // Every encrypted field opened, the rest copied as is.
      const openAll = (value: unknown): unknown => {
        if (value === null || typeof value !== "object") return value;
        if (Array.isArray(value)) return value.map(openAll);
        if ((value as { alg?: unknown }).alg) return open(value as EncryptedField);
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openAll(v)]));
      };
      const data = openAll(event.data);
      for (let endpoint = 0; endpoint < endpointsPerRecord; endpoint++) {
        const body = JSON.stringify({ ...event, data });
        const signature = createHmac("sha256", "k").update(`id.1.${body}`).digest("base64");
        bytes += `{"webhook":{"signature":"${signature}"},"event":${body}}`.length;
      }
    }
    return bytes;
  };

  return { trusts, keyProvider, documents, indexKey, index, signingSecrets, makeBatch, makeColdBatch, makeEveryTrustBatches, floor };
}
