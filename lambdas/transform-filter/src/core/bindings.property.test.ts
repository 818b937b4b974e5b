import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, type BuiltCallbackDetail, type EventType, type TrustConfig } from "@trust-callbacks/schemas";
import { LocalKeyProvider } from "../adapters/local-key-provider.ts";
import { LocalConversationBindings, VersionedSubscriptions } from "../testing/bindings.ts";
import { plainConversationEvent } from "../testing/conversations.ts";
import { InMemorySecrets, MemoryQuarantine, RecordingPublisher, silentLogger } from "../testing/fakes.ts";
import { EventSealer, TEST_SETTINGS, kinesisRecord, newSigningSecret, trustConfig } from "../testing/fixtures.ts";
import { TransientError } from "@trust-callbacks/runtime";
import { processBatch } from "./process-batch.ts";
import { signWebhook } from "./signature.ts";

const DAY = 86_400_000;
const TTL_DAYS = 30;
const CONVERSATIONS = ["c0", "c1", "c2", "c3", "c4"];

/** A document of trust RX1: endpoints ep1..ep3, each maybe removed, switched off, with some event types. */
const documentArb = fc.record({
  enabled: fc.constantFrom(true, true, true, false), // mostly on, so deliveries happen
  endpoints: fc.array(
    fc.record({
      present: fc.constantFrom(true, true, true, false),
      enabled: fc.constantFrom(true, true, false),
      eventTypes: fc.subarray([...EVENT_TYPES], { minLength: 1 }),
      secret: fc.constantFrom("a", "b"),
    }),
    { minLength: 3, maxLength: 3 },
  ),
});
type DocumentShape = typeof documentArb extends fc.Arbitrary<infer T> ? T : never;

const toConfig = (shape: DocumentShape): TrustConfig =>
  trustConfig(
    "RX1",
    shape.endpoints.flatMap((e, i) =>
      e.present
        ? [{ id: `ep${i + 1}`, enabled: e.enabled, eventTypes: e.eventTypes, payloadProfile: "minimal" as const, signingSecret: `tc/${e.secret}/signing/RX1/ep${i + 1}` }]
        : [],
    ),
    { enabled: shape.enabled },
  );

const stepArb = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("batch" as const),
      events: fc.array(fc.tuple(fc.constantFrom(...CONVERSATIONS), fc.constantFrom<EventType>(...EVENT_TYPES)), { minLength: 1, maxLength: 12 }),
      readFault: fc.constantFrom(false, false, false, true),
      writeFault: fc.constantFrom(false, false, false, true),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("change" as const), document: documentArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("advance" as const), days: fc.integer({ min: 1, max: 20 }) }) },
);

/** What docs/conversation-bindings.md promises: the endpoints an event reaches, from the bound document (or the current one) and the current one. */
function expectedEndpoints(type: EventType, bound: TrustConfig | undefined, current: TrustConfig): string[] {
  if (!current.enabled) return []; // the trust's kill switch, at once
  return (bound ?? current).endpoints
    .filter((endpoint) => {
      const now = current.endpoints.find((e) => e.id === endpoint.id);
      return now !== undefined && now.enabled && endpoint.eventTypes.includes(type); // removed or switched off: at once
    })
    .map((endpoint) => endpoint.id)
    .sort();
}

describe("conversation bindings under random conversations, document changes and store faults", () => {
  it("filters each event with its conversation's bound document (or the current one), applies kill switches at once, ends every record in one state", async () => {
    await fc.assert(
      fc.asyncProperty(documentArb, fc.array(stepArb, { minLength: 1, maxLength: 10 }), async (initial, steps) => {
        let clock = Date.parse("2026-11-22T10:00:00Z");
        const keyProvider = new LocalKeyProvider();
        const sealer = new EventSealer(keyProvider);
        const documents = new VersionedSubscriptions([toConfig(initial)]);
        const store = new LocalConversationBindings(() => clock);
        const secrets = new InMemorySecrets();
        for (let i = 1; i <= 3; i++) for (const s of ["a", "b"]) secrets.values.set(`tc/${s}/signing/RX1/ep${i}`, newSigningSecret());
        const publisher = new RecordingPublisher();
        const deps = {
          keys: keyProvider,
          subscriptions: documents,
          bindings: { store, versions: documents },
          secrets,
          publisher,
          quarantine: new MemoryQuarantine(),
          logger: silentLogger(),
          sleep: async () => {},
          now: () => new Date(clock),
        };
        // The model: each conversation's bound document and when the binding stops counting.
        const model = new Map<string, { config: TrustConfig; expiresAt: number }>();

        for (const step of steps) {
          if (step.kind === "change") {
            documents.put(toConfig(step.document));
            continue;
          }
          if (step.kind === "advance") {
            clock += step.days * DAY;
            if (step.days % 3 === 0) store.sweepExpired(); // TTL runs some time after expiry, or not yet
            continue;
          }
          store.fault = (operation) =>
            (operation === "read" && step.readFault) || (operation === "write" && step.writeFault) ? new TransientError(`injected ${operation} fault`) : undefined;
          const current = documents.current("RX1")!;
          const inForce = (c: string) => {
            const bound = model.get(c);
            return bound && bound.expiresAt > clock ? bound : undefined;
          };
          // Conversations created in this batch are bound (first binding wins) before any of their events is filtered.
          const createdHere = new Set(step.events.filter(([, type]) => type === "conversation.created").map(([c]) => c));
          for (const c of createdHere) {
            if (!step.writeFault && !inForce(c)) model.set(c, { config: current, expiresAt: clock + TTL_DAYS * DAY });
          }
          const before = publisher.published.length;
          const records = step.events.map(([c, type]) => kinesisRecord(sealer.seal(plainConversationEvent("RX1", c, type, {}))));
          const result = await processBatch(records, deps, { ...TEST_SETTINGS, bindingTtlMs: TTL_DAYS * DAY });

          expect(result.outcomes).toHaveLength(records.length);
          expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(result.outcomes.filter((o) => o.state === "retry").map((o) => o.recordId));
          let unbound = 0;
          const sent = publisher.published.slice(before).map((entry) => JSON.parse(entry.Detail) as BuiltCallbackDetail).map((d) => ({ ...d.event, webhook: d.webhook }));
          step.events.forEach(([c, type], i) => {
            const outcome = result.outcomes[i]!;
            const failedHere = createdHere.has(c) ? step.writeFault : step.readFault;
            if (failedHere) {
              expect(outcome.state, `${c} ${type}`).toBe("retry");
              expect(sent.filter((e) => (e.data as { sourceEventId: string }).sourceEventId === outcome.sourceEventId)).toEqual([]);
              return;
            }
            const bound = inForce(c);
            if (!bound && type !== "conversation.created") unbound += 1;
            const expected = expectedEndpoints(type, bound?.config, current);
            expect(outcome.state, `${c} ${type}`).toBe(expected.length > 0 ? "published" : "filtered");
            expect(outcome.deliveries.map((d) => d.endpointId).sort()).toEqual(expected);
            // Signed with the key the current document names for the endpoint.
            for (const { webhook, ...event } of sent.filter((e) => (e.data as { sourceEventId: string }).sourceEventId === outcome.sourceEventId)) {
              const secret = secrets.values.get(current.endpoints.find((e) => e.id === event.endpointid)!.signingSecret)!;
              expect(signWebhook(event.id, event, secret, new Date(Number(webhook.timestamp) * 1000))).toEqual(webhook);
            }
          });
          expect(result.counts.unboundEvents).toBe(unbound);
          const counted = result.counts.published + result.counts.filtered + result.counts.quarantined + result.counts.retried;
          expect(counted).toBe(records.length);
        }
      }),
      { numRuns: 120 },
    );
  });
});
