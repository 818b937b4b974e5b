import type pLimit from "p-limit";
import type { PlatformEvent, TrustConfig } from "@trust-callbacks/schemas";
import {
  conversationKey,
  type ConversationBinding,
  type ConversationBindingStore,
  type ConversationKey,
  type SubscriptionLookup,
  type SubscriptionVersionSource,
} from "../ports.ts";
import { failed, failureOf, notFound, type Failed, type Result } from "@trust-callbacks/runtime";
import { lookupEach, type EventRecord } from "./batch.ts";

/*
 * The route stage's conversation bindings: a `conversation.created` binds its conversation to the current document's
 * version (the first binding wins); every other event is filtered with its conversation's bound version, or with the
 * current document when no binding is in force. `route` calls `resolveBindings` beside its document lookups
 * (`core/bindings.test.ts`, `core/bindings.property.test.ts`).
 */

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
export type Resolution = { status: "bound"; config?: TrustConfig } | { status: "unbound" } | Failed;

/** Per conversation (by `conversationKey`): what its records are filtered with. */
export async function resolveBindings(
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
