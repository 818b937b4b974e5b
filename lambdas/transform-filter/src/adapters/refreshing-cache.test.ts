import { describe, expect, it } from "vitest";
import { jitteredTtl, refreshingCache } from "./refreshing-cache.ts";

/** A cache over a loader the test answers by hand, on a clock the test moves. */
function harness(options: { ttlMs?: number; random?: () => number } = {}) {
  let clock = 1_000_000; // lru-cache reads a start time of 0 as "no TTL"
  const loads: { key: string; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  const cache = refreshingCache<string>({
    max: 10,
    ttlMs: options.ttlMs ?? 1000,
    now: () => clock,
    ...(options.random ? { random: options.random } : {}),
    load: (key) => new Promise((resolve, reject) => loads.push({ key, resolve, reject })),
  });
  return { cache, loads, advance: (ms: number) => (clock += ms) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("jitteredTtl", () => {
  it("spreads a TTL over ±20%", () => {
    expect(jitteredTtl(1000, () => 0)).toBe(800);
    expect(jitteredTtl(1000, () => 0.5)).toBe(1000);
    expect(jitteredTtl(1000, () => 0.9999)).toBe(1200);
  });
});

describe("refreshingCache", () => {
  it("shares one load between concurrent callers of a missing key", async () => {
    // Prepare
    const { cache, loads } = harness();
    // Act
    const first = cache.fetch("k");
    const second = cache.fetch("k");
    loads[0]!.resolve("v1");
    // Assess
    expect(await Promise.all([first, second])).toEqual(["v1", "v1"]);
    expect(loads).toHaveLength(1);
  });

  it("past the TTL answers at once with the stale value and reloads in the background", async () => {
    // Prepare
    const { cache, loads, advance } = harness({ random: () => 0.5 });
    const loading = cache.fetch("k");
    loads[0]!.resolve("v1");
    await loading;
    advance(1001);
    // Act: nothing answers the reload yet, and the caller is not kept waiting.
    const stale = await cache.fetch("k");
    // Assess
    expect(stale).toBe("v1");
    expect(loads).toHaveLength(2);
    loads[1]!.resolve("v2");
    await settle();
    expect(await cache.fetch("k")).toBe("v2");
    expect(loads).toHaveLength(2);
  });

  it("gives each entry its own jittered TTL", async () => {
    // Prepare: the first entry draws 0.8×, the second 1.2×.
    const draws = [0, 0.9999];
    const { cache, loads, advance } = harness({ random: () => draws.shift()! });
    const a = cache.fetch("a");
    const b = cache.fetch("b");
    loads[0]!.resolve("A");
    loads[1]!.resolve("B");
    await Promise.all([a, b]);
    // Act
    advance(900);
    await cache.fetch("a");
    await cache.fetch("b");
    // Assess: only the shorter-lived entry is reloaded.
    expect(loads.map((load) => load.key)).toEqual(["a", "b", "a"]);
  });

  it("drops an entry whose reload failed, so the next caller waits for a fresh load and sees its error", async () => {
    // Prepare
    const { cache, loads, advance } = harness();
    const loading = cache.fetch("k");
    loads[0]!.resolve("v1");
    await loading;
    advance(2000);
    expect(await cache.fetch("k")).toBe("v1");
    // Act
    loads[1]!.reject(new Error("AccessDenied"));
    await settle();
    const next = cache.fetch("k");
    loads[2]!.reject(new Error("AccessDenied"));
    // Assess
    await expect(next).rejects.toThrow("AccessDenied");
  });
});
