import { describe, expect, it } from "vitest";
import { progressLine } from "./progress.ts";

describe("progressLine: a total, a percentage and an estimate from the pace so far", () => {
  it.each<[number, number, number, string]>([
    [0, 300, 0, "0 of 300 (0%)"],
    [40, 300, 2_000, "40 of 300 (13%), about 13 s left"],
    [100, 1000, 60_000, "100 of 1000 (10%), about 9 min left"],
    [300, 300, 9_000, "300 of 300 (100%)"],
    [7, 0, 1_000, "7"],
  ])("%i done of %i after %i ms → %s", (done, total, elapsedMs, expected) => {
    expect(progressLine(done, total, 1_000_000, 1_000_000 + elapsedMs)).toBe(expected);
  });
});
