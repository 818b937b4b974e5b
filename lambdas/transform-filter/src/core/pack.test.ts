import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entrySize, packEntries } from "./pack.ts";

describe("packEntries", () => {
  it("keeps order and never exceeds 10 entries or the byte cap per call", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1000 }), { maxLength: 200 }), fc.integer({ min: 1000, max: 5000 }), (sizes, maxBytes) => {
        const items = sizes.map((size, index) => ({ size, index }));
        const calls = packEntries(items, maxBytes);
        expect(calls.flat().map((i) => i.index)).toEqual(items.map((i) => i.index));
        for (const call of calls) {
          expect(call.length).toBeGreaterThan(0);
          expect(call.length).toBeLessThanOrEqual(10);
          expect(call.reduce((sum, i) => sum + i.size, 0)).toBeLessThanOrEqual(maxBytes);
        }
      }),
    );
  });

  it("uses the minimum number of calls when entries are small", () => {
    expect(packEntries(Array.from({ length: 95 }, () => ({ size: 1200 })), 256 * 1024)).toHaveLength(10);
  });

  it("refuses an entry that can never fit", () => {
    expect(() => packEntries([{ size: 11 }], 10)).toThrow(RangeError);
  });

  it("counts UTF-8 bytes of Source, DetailType and Detail", () => {
    expect(entrySize({ Source: "ab", DetailType: "c", Detail: '"é"', EventBusName: "ignored" })).toBe(2 + 1 + 4);
  });
});
