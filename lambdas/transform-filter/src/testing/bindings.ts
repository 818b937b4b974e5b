import { createHash } from "node:crypto";
import type { TrustConfig } from "@trust-callbacks/schemas";
import {
  conversationKey,
  type ConversationBinding,
  type ConversationBindingStore,
  type ConversationKey,
  type SubscriptionLookup,
  type SubscriptionSource,
  type SubscriptionVersionSource,
} from "../core/ports.ts";
import { failed, found, notFound, type Result } from "@trust-callbacks/runtime";

/** Throws the error a fault hook returns for an operation, if any (a TransientError or PermanentError, as adapters throw). */
export type FaultHook = (operation: string, key: string) => Error | undefined;

/**
 * Stands in for the DynamoDB bindings table with the same semantics: the first binding of a conversation wins
 * (a later one replaces it only once it has expired), reads answer what is stored, expired or not, until
 * `sweepExpired()` runs (DynamoDB's TTL deletes late, possibly days late), and the clock is the caller's.
 */
export class LocalConversationBindings implements ConversationBindingStore {
  readonly items = new Map<string, ConversationBinding>();
  readonly calls = { getMany: 0, bind: 0 };
  fault: FaultHook = () => undefined;

  constructor(private readonly clock: () => number = Date.now) {}

  async getMany(keys: readonly ConversationKey[]): Promise<Map<string, Result<ConversationBinding>>> {
    this.calls.getMany += 1;
    const answers = new Map<string, Result<ConversationBinding>>();
    for (const key of keys) {
      const id = conversationKey(key);
      const error = this.fault("read", id);
      if (error) throw error;
      const item = this.items.get(id);
      answers.set(id, item ? found(item) : notFound("no binding"));
    }
    return answers;
  }

  async bind(binding: ConversationBinding): Promise<Result<ConversationBinding>> {
    this.calls.bind += 1;
    const id = conversationKey(binding);
    const error = this.fault("write", id);
    if (error) throw error;
    const existing = this.items.get(id);
    if (existing && existing.expiresAt > this.clock()) return found(existing);
    this.items.set(id, binding);
    return found(binding);
  }

  /** What DynamoDB's TTL process does, some time after expiry: deletes expired items. */
  sweepExpired(): number {
    let deleted = 0;
    for (const [id, item] of this.items) {
      if (item.expiresAt <= this.clock()) {
        this.items.delete(id);
        deleted += 1;
      }
    }
    return deleted;
  }
}

interface StoredVersion {
  config: TrustConfig;
  version: string;
  digest: string;
}

/**
 * Stands in for the versioned subscription bucket: `put` uploads a new version of a trust's document (the current
 * one from then on); `get` answers the current version with its id and digest; `getVersion` any version still kept.
 */
export class VersionedSubscriptions implements SubscriptionSource, SubscriptionVersionSource {
  private readonly history = new Map<string, StoredVersion[]>();
  private readonly removed = new Set<string>();
  private uploads = 0;
  readonly calls = { get: 0, getVersion: 0 };
  fault: FaultHook = () => undefined;

  constructor(configs: readonly TrustConfig[] = []) {
    for (const config of configs) this.put(config);
  }

  /** Uploads `config` as the trust's current document; answers its version id. */
  put(config: TrustConfig): string {
    const text = JSON.stringify(config);
    this.uploads += 1;
    const stored = { config, version: `v${this.uploads}`, digest: createHash("sha256").update(text).digest("hex") };
    this.history.set(config.trustId, [...(this.history.get(config.trustId) ?? []), stored]);
    this.removed.delete(config.trustId);
    return stored.version;
  }

  /** The trust's current document, as the Lambda would read it now. */
  current(trustId: string): TrustConfig | undefined {
    return this.removed.has(trustId) ? undefined : this.history.get(trustId)?.at(-1)?.config;
  }

  /** Deletes an old version, as the bucket's lifecycle rule does after config_noncurrent_version_days. */
  expireVersion(trustId: string, version: string): void {
    this.history.set(trustId, (this.history.get(trustId) ?? []).filter((stored) => stored.version !== version));
  }

  async get(trustId: string): Promise<SubscriptionLookup> {
    this.calls.get += 1;
    const error = this.fault("get", trustId);
    if (error) throw error;
    const stored = this.removed.has(trustId) ? undefined : this.history.get(trustId)?.at(-1);
    return stored ? found({ config: stored.config, version: stored.version, digest: stored.digest }) : notFound("no subscription document");
  }

  async getVersion(trustId: string, version: string, digest: string): Promise<SubscriptionLookup> {
    this.calls.getVersion += 1;
    const error = this.fault("getVersion", `${trustId}#${version}`);
    if (error) throw error;
    const stored = this.history.get(trustId)?.find((candidate) => candidate.version === version);
    if (!stored) return notFound(`no version ${version} of trust ${trustId}'s document`);
    if (stored.digest !== digest) return failed("never", `version ${version} of trust ${trustId}'s document is not the bound one (digest differs)`);
    return found({ config: stored.config, version: stored.version, digest: stored.digest });
  }
}
