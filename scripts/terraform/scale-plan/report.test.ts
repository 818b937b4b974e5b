import { describe, expect, it } from "vitest";
import {
  busCountFor,
  formatTable,
  medianPlan,
  overRatio,
  parseTimeLine,
  plannedResources,
  scaleRows,
  type EnvironmentMeasurement,
  type PartMeasurement,
} from "./report.ts";

const part = (name: string, resources: number, cpuSeconds: number | null, wallSeconds = 10): PartMeasurement => ({
  part: name,
  resources,
  wallSeconds,
  cpuSeconds,
  peakMb: cpuSeconds === null ? null : 300 + resources / 10,
});

/** An environment whose bus parts cost `fixed` seconds each plus `msPerResource` per resource. */
const environment = (trusts: number, busResources: number[], fixed: number, msPerResource: number): EnvironmentMeasurement => ({
  trusts,
  endpoints: trusts * 2,
  busCount: busResources.length,
  wallSeconds: 60,
  pipeline: part("pipeline", 60, 6),
  emptyBus: part(`bus-${busResources.length}`, 0, fixed),
  buses: busResources.map((resources, index) => part(`bus-${index}`, resources, fixed + (resources * msPerResource) / 1000)),
});

describe("scale plan figures", () => {
  it("count the resources of every plan terraform test printed; a plan with no changes has none", () => {
    expect(plannedResources("...\nPlan: 165 to add, 0 to change, 0 to destroy.\n...\nSuccess! 1 passed, 0 failed.")).toBe(165);
    expect(plannedResources("Plan: 3 to add, 2 to change, 1 to destroy.\nPlan: 4 to add, 0 to change, 0 to destroy.")).toBe(9);
    expect(plannedResources("No changes. Your infrastructure matches the configuration.\nSuccess! 1 passed, 0 failed.")).toBe(0);
    expect(plannedResources("Changes to Outputs:\n  + trusts = {}\n\nSuccess! 1 passed, 0 failed.")).toBe(0);
    expect(plannedResources("Success! 1 passed, 0 failed.")).toBeNull();
  });

  it("read GNU time's line: wall, user + system CPU, peak memory in MB", () => {
    expect(parseTimeLine("Success!\nscale-plan-time 12.50 9.25 0.75 409600\n")).toEqual({ wallSeconds: 12.5, cpuSeconds: 10, peakMb: 400 });
    expect(parseTimeLine("Command exited with non-zero status 1")).toBeNull();
  });

  it("time trust resources beyond each part's fixed cost, as a ratio to the smallest count", () => {
    const rows = scaleRows([environment(10, [200], 5, 10), environment(300, [1200, 1000, 1400], 5.5, 12), environment(1000, [1300, 1250, 1200, 1250, 1300, 1350, 1300, 1250], 6, 25)]);
    expect(rows.map((row) => row.msPerResource)).toEqual([10, 12, 25].map((ms) => expect.closeTo(ms, 9)));
    expect(rows.map((row) => row.ratio)).toEqual([1, 1.2, 2.5].map((ratio) => expect.closeTo(ratio, 9)));
    expect(rows.map((row) => row.fixedPerPart)).toEqual([5, 5.5, 6]);
    expect(overRatio(rows, 2).map((row) => row.trusts)).toEqual([1000]);
    expect(overRatio(rows, 3)).toEqual([]);
  });

  it("add up every part's resources and time; the largest bus part is what one state grows to", () => {
    const [row] = scaleRows([environment(300, [1200, 1000, 1400], 5, 10)]);
    expect(row).toMatchObject({ busCount: 3, resources: 60 + 3600, largestPart: 1400, peakMb: 300 + 140 });
    expect(row!.cpuSeconds).toBeCloseTo(6 + (5 + 12) + (5 + 10) + (5 + 14), 9);
  });

  it("never count a bus part as cheaper than the fixed cost (noise), and fall back to wall time where CPU was not measured", () => {
    const noisy = { ...environment(10, [100, 100], 5, 10), emptyBus: part("bus-2", 0, 6.5) };
    expect(scaleRows([noisy])[0]!.msPerResource).toBeCloseTo(0, 9);
    const wall = { ...environment(10, [], 5, 10), emptyBus: part("bus-1", 0, null, 4), buses: [part("bus-0", 500, null, 9)] };
    expect(scaleRows([wall])[0]!.msPerResource).toBe(10);
  });

  it("keep the median of repeated plans of one part", () => {
    expect(medianPlan([part("bus-0", 130, 9), part("bus-0", 130, 6), part("bus-0", 130, 7)]).cpuSeconds).toBe(7);
    expect(medianPlan([part("bus-0", 130, null, 8), part("bus-0", 130, null, 6)]).wallSeconds).toBe(6);
    expect(() => medianPlan([])).toThrow("no plan");
  });

  it("give an environment as many buses as prod would: the average bus holds at most the given trusts", () => {
    expect([0, 10, 84, 85, 300, 1000].map((trusts) => busCountFor(trusts, 84))).toEqual([1, 1, 1, 2, 4, 12]);
  });

  it("print one aligned row per count", () => {
    const table = formatTable(scaleRows([environment(10, [200], 5, 10)]));
    expect(table.split("\n")).toEqual([
      "trusts  endpoints  buses  resources  largest part  wall s  cpu s  fixed s/part  ms/resource  peak MB  ratio",
      "    10         20      1        260           200    60.0   13.0           5.0        10.00      320  1.00x",
    ]);
  });
});
