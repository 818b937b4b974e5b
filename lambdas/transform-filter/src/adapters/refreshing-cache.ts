import { LRUCache } from "lru-cache";

/** A TTL spread over ±20% so entries loaded together (a cold start) do not all expire in the same minute. */
export const jitteredTtl = (ttlMs: number, random: () => number = Math.random): number => Math.round(ttlMs * (0.8 + 0.4 * random()));

export interface RefreshingCacheOptions<V extends object | string, C> {
  /** Entries kept; size it from the deployment (Terraform sets it from the trust and endpoint counts). */
  max: number;
  ttlMs: number;
  load: (key: string, context: C) => Promise<V>;
  /** Called when an entry leaves the cache (evicted, expired, replaced or deleted). */
  dispose?: (value: V) => void;
  random?: () => number;
  /** Milliseconds clock (tests pass their own). */
  now?: () => number;
}

/**
 * A bounded cache that loads on a miss, shares one in-flight load between callers, gives each entry a
 * jittered TTL, and past it answers with the stale value while it reloads in the background
 * (stale-while-revalidate), so a warm batch never waits for a refresh. A failed reload drops the entry:
 * the next caller waits for a fresh load and sees its error, so a revoked secret or key is not served on.
 */
export function refreshingCache<V extends object | string, C = unknown>(options: RefreshingCacheOptions<V, C>): LRUCache<string, V, C> {
  const random = options.random ?? Math.random;
  return new LRUCache<string, V, C>({
    max: options.max,
    ttl: options.ttlMs,
    allowStale: true,
    noDeleteOnStaleGet: true,
    ...(options.dispose ? { dispose: options.dispose } : {}),
    ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    fetchMethod: (key, _stale, { options: entry, context }) => {
      entry.ttl = jitteredTtl(options.ttlMs, random);
      return options.load(key, context);
    },
  });
}

/**
 * The value for `key` if its entry is fresh, else undefined (missing, or past its TTL: `fetch` then answers with
 * the stale value and revalidates it). A `get`, so a hit counts as a use for the LRU order, as `fetch` does.
 */
export const freshValue = <V extends object | string, C>(cache: LRUCache<string, V, C>, key: string): V | undefined =>
  cache.get(key, { allowStale: false });
