import { describe, expect, it } from "vitest";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { InMemorySecrets, InMemorySubscriptions, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, plainMessageCreated, trustConfig } from "../testing/fixtures.ts";
import type { Endpoint } from "@trust-callbacks/schemas";
import type { SigningSecretSource, SigningSecretValue, SubscriptionLookup } from "./ports.ts";
import { PrefetchingSigningSecrets } from "./prefetching-secrets.ts";
import { processBatch, type ProcessorDeps } from "./process-batch.ts";

/** Two trusts: RA1's document answers at once, RB2's only when the test releases it. */
function twoTrusts() {
  const ready = trustConfig("RA1", [{}, { payloadProfile: "minimal" }]);
  const held = trustConfig("RB2", [{}]);
  const keyProvider = new LocalKeyProvider();
  const unwrapped: string[] = [];
  const keys = {
    unwrap: (wrappedKey: string, context: Record<string, string>) => {
      unwrapped.push(context.trustId ?? JSON.stringify(context));
      return keyProvider.unwrap(wrappedKey, context);
    },
  };
  const secrets = new InMemorySecrets();
  for (const endpoint of [...ready.endpoints, ...held.endpoints]) secrets.values.set(endpoint.signingSecret, newSigningSecret());
  const documents = new InMemorySubscriptions([ready, held]);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const subscriptions = {
    get: async (trustId: string): Promise<SubscriptionLookup> => {
      if (trustId === "RB2") await released;
      return documents.get(trustId);
    },
  };
  const sealer = new EventSealer(keyProvider);
  const records = [kinesisRecord(sealer.seal(plainMessageCreated("RA1"))), kinesisRecord(sealer.seal(plainMessageCreated("RB2")))];
  const deps: ProcessorDeps = {
    keys,
    subscriptions,
    secrets,
    publisher: new RecordingPublisher(),
    quarantine: new MemoryQuarantine(),
    logger: silentLogger(),
    sleep: async () => {},
  };
  return { ready, held, secrets, unwrapped, release, records, deps };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("prefetch: signing secrets asked for as each document arrives", () => {
  it("asks for a trust's signing secrets before the other documents are in, and each once per batch", async () => {
    // Prepare
    const { ready, held, secrets, unwrapped, release, records, deps } = twoTrusts();

    // Act: RB2's document is still out.
    const batch = processBatch(records, deps, TEST_SETTINGS);
    await settle();
    const askedBeforeRelease = { secrets: secrets.calls, keys: [...unwrapped] };
    release();
    const result = await batch;

    // Assess: RA1's two secrets were asked for while RB2's document was pending (its data key waits for the
    // routing: fewer of them, and they are in before the secrets); nothing twice.
    expect(askedBeforeRelease).toEqual({ secrets: ready.endpoints.length, keys: [] });
    expect(secrets.calls).toBe(ready.endpoints.length + held.endpoints.length);
    expect(unwrapped.sort()).toEqual(["RA1", "RB2"]);
    expect(result.batchItemFailures).toEqual([]);
  });

  it("hands a record back when its secret, asked for early, failed: the sign stage reads the same answer", async () => {
    // Prepare: RA1's full endpoint's secret is throttled.
    const { ready, secrets, release, records, deps } = twoTrusts();
    secrets.faults.set(ready.endpoints[0]!.signingSecret, "transient");
    release();

    // Act
    const result = await processBatch(records, deps, TEST_SETTINGS);

    // Assess: RA1's record is retried (asked once, not again by the stage), RB2's published.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.eventID }]);
    expect(secrets.calls).toBe(3);
    expect((deps.publisher as RecordingPublisher).calls.flat()).toHaveLength(1);
  });

  it("asks for nothing a record does not need: no data key when only minimal endpoints receive it", async () => {
    // Prepare: a trust whose only endpoint is minimal.
    const { secrets, unwrapped, deps } = twoTrusts();
    const minimalOnly = trustConfig("RC3", [{ payloadProfile: "minimal" }]);
    secrets.values.set(minimalOnly.endpoints[0]!.signingSecret, newSigningSecret());
    deps.subscriptions = new InMemorySubscriptions([minimalOnly]);
    const record = kinesisRecord(new EventSealer().seal(plainMessageCreated("RC3")));

    // Act
    const result = await processBatch([record], deps, TEST_SETTINGS);

    // Assess
    expect(result.batchItemFailures).toEqual([]);
    expect(unwrapped).toEqual([]);
    expect(secrets.calls).toBe(1);
  });
});

/** A source whose answers the test releases, counting the asks in flight and per name. */
function heldSource(cachedNames: readonly string[] = []) {
  const asks = new Map<string, number>();
  let inFlight = 0;
  let mostInFlight = 0;
  const pending: (() => void)[] = [];
  const source: SigningSecretSource = {
    get: (name) => {
      asks.set(name, (asks.get(name) ?? 0) + 1);
      inFlight += 1;
      mostInFlight = Math.max(mostInFlight, inFlight);
      return new Promise<SigningSecretValue>((resolve, reject) =>
        pending.push(() => {
          inFlight -= 1;
          if (name.startsWith("down")) reject(new Error(`${name} throttled`));
          else resolve(`secret of ${name}`);
        }),
      );
    },
    cached: (name) => (cachedNames.includes(name) ? `cached ${name}` : undefined),
  };
  /** Answers every ask made so far, then lets the answers' continuations run. */
  const answerAll = async () => {
    await settle();
    while (pending.length > 0) {
      for (const answer of pending.splice(0)) answer();
      await settle();
    }
  };
  return { source, asks, answerAll, mostInFlight: () => mostInFlight };
}

const endpointsFor = (names: readonly string[]) => names.map((signingSecret) => ({ signingSecret }) as Endpoint);

describe("PrefetchingSigningSecrets: each secret once per batch, at most `concurrency` asks at a time", () => {
  it("asks each secret once, whoever asks first, never more than `concurrency` at a time", async () => {
    // Prepare: 10 secrets, a limit of 3.
    const { source, asks, answerAll, mostInFlight } = heldSource();
    const secrets = new PrefetchingSigningSecrets(source, 3);
    const names = Array.from({ length: 10 }, (_v, i) => `s${i}`);

    // Act: the route stage prefetches every secret (twice over), then the sign stage reads them all.
    secrets.prefetch(endpointsFor(names));
    secrets.prefetch(endpointsFor(names));
    await settle();
    const inFlightBeforeAnswers = mostInFlight();
    const read = Promise.all(names.map((name) => secrets.get(name)));
    await answerAll();

    // Assess
    expect(inFlightBeforeAnswers).toBe(3);
    expect(mostInFlight()).toBe(3);
    expect([...asks.entries()]).toEqual(names.map((name) => [name, 1]));
    expect(await read).toEqual(names.map((name) => `secret of ${name}`));
  });

  it("prefetches nothing the source has at hand, and reads it from the source's cache", async () => {
    // Prepare
    const { source, asks, answerAll } = heldSource(["warm"]);
    const secrets = new PrefetchingSigningSecrets(source, 3);

    // Act
    secrets.prefetch(endpointsFor(["warm", "cold"]));
    await answerAll();

    // Assess
    expect([...asks.keys()]).toEqual(["cold"]);
    expect(secrets.cached?.("warm")).toBe("cached warm");
    expect(secrets.cached?.("cold")).toBeUndefined();
  });

  it("hands a prefetched secret's failure to the reader, asked once, and never as an unhandled rejection", async () => {
    // Prepare
    const { source, asks, answerAll } = heldSource();
    const secrets = new PrefetchingSigningSecrets(source, 3);

    // Act: the prefetch fails before anyone reads it.
    secrets.prefetch(endpointsFor(["down-1"]));
    await answerAll();
    const read = secrets.get("down-1");

    // Assess
    await expect(read).rejects.toThrow("down-1 throttled");
    expect(asks.get("down-1")).toBe(1);
  });
});
