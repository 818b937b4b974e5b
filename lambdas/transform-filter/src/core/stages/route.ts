import type pLimit from "p-limit";
import type { PlatformEvent, TrustConfig } from "@trust-callbacks/schemas";
import { boundConfig, matchEndpoints, type EndpointMatch } from "../filter.ts";
import {
  conversationKey,
  type ConversationBinding,
  type ConversationBindingStore,
  type ConversationKey,
  type SubscriptionLookup,
  type SubscriptionSource,
  type SubscriptionVersionSource,
} from "../ports.ts";
import type { PrefetchingSigningSecrets } from "../prefetching-secrets.ts";
import { failed, failureOf, notFound, type Failed, type Result } from "@trust-callbacks/runtime";
import { decide, lookupEach, type EventRecord, type RoutedRecord, type StageResult } from "./batch.ts";

/** Bindings expire this long after they are made unless the environment says otherwise (BINDING_TTL_DAYS). */
export const DEFAULT_BINDING_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** What the route stage needs to keep each conversation on the document it started with. */
export interface RouteBindings {
  store: ConversationBindingStore;
  versions: SubscriptionVersionSource;
  /** How long a binding counts after it is made. */
  ttlMs: number;
  now: () => Date;
}

/**
 * What a conversation's records are filtered with: `bound` (the bound version `config`, or the current document when
 * that is the bound one), `unbound` (no binding in force: the current document), or failed (hand them back).
 */
type Resolution = { status: "bound"; config?: TrustConfig } | { status: "unbound" } | Failed;

export interface RouteResult extends StageResult<RoutedRecord> {
  /** Later events of conversations with no binding in force (none, expired, version gone): filtered with the current document. */
  unbound: number;
}

/**
 * Route: each record's trust's subscription document, and the endpoints in it that subscribe. Unknown
 * trust or invalid document: bound for quarantine. Document unavailable: retry. No endpoint subscribes,
 * or the trust is switched off: filtered.
 *
 * With `bindings`: a `conversation.created` binds its conversation to the current document's version (the first
 * binding wins); every other event is filtered with its conversation's bound version (`boundConfig`: kill switches,
 * removed endpoints and signing keys still follow the current document), or with the current document when there is
 * no binding in force (counted in `unbound`). A binding that cannot be read or written hands the record back.
 * The documents and the binding reads are looked up in parallel; the writes wait for the documents.
 *
 * `secrets` is told to prefetch each record's endpoints' signing secrets under its trust's current document as soon
 * as that document arrives, before the other documents and the bindings (`PrefetchingSigningSecrets`).
 */
export async function route(
  records: readonly EventRecord[],
  subscriptions: SubscriptionSource,
  limit: ReturnType<typeof pLimit>,
  bindings?: RouteBindings,
  secrets?: Pick<PrefetchingSigningSecrets, "prefetch">,
): Promise<RouteResult> {
  const recordsOfTrust = new Map<string, EventRecord[]>();
  for (const record of records) {
    const ofTrust = recordsOfTrust.get(record.event.trustId);
    if (ofTrust) ofTrust.push(record);
    else recordsOfTrust.set(record.event.trustId, [record]);
  }
  // A document that had to be fetched: its records are matched against it the moment it arrives (a document the
  // source had at hand is matched below, with no prefetch: its secrets are as likely at hand).
  const currentMatch = new Map<EventRecord, EndpointMatch>();
  const documentsLookup = lookupEach(
    recordsOfTrust.keys(),
    limit,
    async (trustId) => {
      const document = await subscriptions.get(trustId);
      if (document.status === "found") {
        for (const record of recordsOfTrust.get(trustId)!) {
          const match = matchEndpoints(record.event, document.value.config);
          currentMatch.set(record, match);
          if (match.status === "found") secrets?.prefetch(match.value);
        }
      }
      return document;
    },
    subscriptions.cached && ((trustId) => subscriptions.cached!(trustId)),
  );
  const [documents, bound] = await Promise.all([
    documentsLookup,
    bindings ? resolveBindings(records, documentsLookup, bindings, limit) : undefined,
  ]);
  const result: RouteResult = { decided: [], next: [], unbound: 0 };
  for (const record of records) {
    const { trustId } = record.event;
    const document = documents.get(trustId)!;
    if (document.status === "not-found") {
      result.decided.push(decide(record, "quarantined", `unknown trust ${trustId}: no subscription document`));
      continue;
    }
    if (document.status === "failed") {
      result.decided.push(
        document.retry === "never"
          ? decide(record, "quarantined", `subscription document of trust ${trustId} is invalid: ${document.reason}`)
          : decide(record, "retry", `subscription document unavailable: ${document.reason}`),
      );
      continue;
    }
    let match: EndpointMatch | undefined;
    if (bound) {
      const conversation = bound.get(conversationKey(record.event))!;
      if (conversation.status === "failed") {
        result.decided.push(decide(record, "retry", conversation.reason));
        continue;
      }
      if (conversation.status === "bound") {
        if (conversation.config) match = matchEndpoints(record.event, boundConfig(conversation.config, document.value.config));
      } else if (record.event.type !== "conversation.created") result.unbound += 1;
    }
    // Unbound, or bound to the current document: its match, made when the document arrived or made now.
    match ??= currentMatch.get(record) ?? matchEndpoints(record.event, document.value.config);
    const { eventBus } = document.value;
    if (match.status !== "found") {
      result.decided.push(decide(record, "filtered", match.reason));
      continue;
    }
    // Field by field, not spreads: once per record on the hot path.
    const routed: RoutedRecord = { position: record.position, recordId: record.recordId, record: record.record, event: record.event, endpoints: match.value };
    if (eventBus) routed.eventBus = eventBus;
    result.next.push(routed);
  }
  return result;
}

/** Per conversation (by `conversationKey`): what its records are filtered with. */
async function resolveBindings(
  records: readonly EventRecord[],
  documentsLookup: Promise<Map<string, SubscriptionLookup>>,
  bindings: RouteBindings,
  limit: ReturnType<typeof pLimit>,
): Promise<Map<string, Resolution>> {
  const now = bindings.now().getTime();
  const created = new Map<string, PlatformEvent>();
  const others = new Map<string, ConversationKey>();
  for (const { event } of records) {
    const key = conversationKey(event);
    if (event.type === "conversation.created") {
      if (!created.has(key)) created.set(key, event);
    } else others.set(key, event);
  }
  for (const key of created.keys()) others.delete(key); // the batch's own binding decides for them

  const [read, written] = await Promise.all([
    readBindings(bindings.store, [...others.values()]),
    documentsLookup.then((documents) =>
      lookupEach(created.keys(), limit, async (key) => {
        const event = created.get(key)!;
        const document = documents.get(event.trustId)!;
        // Nothing to bind to: the record is decided by its document (unknown, invalid, unavailable), or the source
        // cannot name versions (the current document is used).
        if (document.status !== "found" || !document.value.digest) return notFound("no document version to bind to");
        return bindings.store.bind({
          trustId: event.trustId,
          conversationId: event.conversationId,
          documentVersion: document.value.version,
          documentDigest: document.value.digest,
          createdAt: now,
          expiresAt: now + bindings.ttlMs,
        });
      }),
    ),
  ]);
  const documents = await documentsLookup;

  // The binding in force for each conversation; an expired one is absent, whatever the store still holds.
  const inForce = new Map<string, Result<ConversationBinding>>();
  for (const [key, answer] of [...read, ...written]) {
    inForce.set(key, answer.status === "found" && answer.value.expiresAt <= now ? notFound("binding expired") : answer);
  }
  // Bound versions that are not the current document: read once each (immutable, so sources cache them for good).
  const versionKey = (binding: ConversationBinding) => `${binding.trustId}#${binding.documentVersion}`;
  const needed = new Map<string, ConversationBinding>();
  for (const answer of inForce.values()) {
    if (answer.status !== "found") continue;
    const current = documents.get(answer.value.trustId);
    if (current?.status === "found" && current.value.digest === answer.value.documentDigest) continue;
    needed.set(versionKey(answer.value), answer.value);
  }
  const versions = await lookupEach(needed.keys(), limit, (key) => {
    const binding = needed.get(key)!;
    return bindings.versions.getVersion(binding.trustId, binding.documentVersion, binding.documentDigest);
  });

  const resolved = new Map<string, Resolution>();
  for (const [key, answer] of inForce) {
    if (answer.status === "failed") {
      resolved.set(key, failed(answer.retry, `conversation binding unavailable: ${answer.reason}`));
      continue;
    }
    if (answer.status === "not-found") {
      resolved.set(key, { status: "unbound" });
      continue;
    }
    const version = versions.get(versionKey(answer.value));
    if (!version) {
      resolved.set(key, { status: "bound" }); // same digest: the current document is the bound one
    } else if (version.status === "found") {
      resolved.set(key, { status: "bound", config: version.value.config });
    } else if (version.status === "failed" && version.retry !== "never") {
      resolved.set(key, failed(version.retry, `bound subscription document version unavailable: ${version.reason}`));
    } else {
      // The version is gone or unreadable for good: the documented fallback, the current document (counted unbound).
      resolved.set(key, { status: "unbound" });
    }
  }
  return resolved;
}

/** One read for every conversation of the batch; a read that throws answers every key with its failure. */
async function readBindings(store: ConversationBindingStore, keys: ConversationKey[]): Promise<Map<string, Result<ConversationBinding>>> {
  if (keys.length === 0) return new Map();
  let answers: Map<string, Result<ConversationBinding>>;
  try {
    answers = await store.getMany(keys);
  } catch (error) {
    const failure = failureOf(error);
    return new Map(keys.map((key) => [conversationKey(key), failure]));
  }
  // A key the store did not answer is not known to be unbound: hand it back rather than guess.
  return new Map(keys.map((key) => [conversationKey(key), answers.get(conversationKey(key)) ?? failed("later", "the binding store did not answer")]));
}
