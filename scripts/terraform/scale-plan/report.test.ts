import { describe, expect, it } from "vitest";
import { formatTable, medianPlan, overRatio, parseTimeLine, plannedResources, scaleRows, type PlanMeasurement } from "./report.ts";

const plan = (trusts: number, resources: number, cpuSeconds: number | null, wallSeconds = 10): PlanMeasurement => ({
  trusts,
  endpoints: trusts * 2,
  resources,
  wallSeconds,
  cpuSeconds,
  peakMb: cpuSeconds === null ? null : 300,
});

describe("scale plan figures", () => {
  it("count the resources of every plan terraform test printed", () => {
    expect(plannedResources("...\nPlan: 165 to add, 0 to change, 0 to destroy.\n...\nSuccess! 1 passed, 0 failed.")).toBe(165);
    expect(plannedResources("Plan: 3 to add, 2 to change, 1 to destroy.\nPlan: 4 to add, 0 to change, 0 to destroy.")).toBe(9);
    expect(plannedResources("Success! 1 passed, 0 failed.")).toBeNull();
  });

  it("read GNU time's line: wall, user + system CPU, peak memory in MB", () => {
    expect(parseTimeLine("Success!\nscale-plan-time 12.50 9.25 0.75 409600\n")).toEqual({ wallSeconds: 12.5, cpuSeconds: 10, peakMb: 400 });
    expect(parseTimeLine("Command exited with non-zero status 1")).toBeNull();
  });

  it("time each count per resource beyond the empty plan, as a ratio to the smallest count", () => {
    const rows = scaleRows(plan(0, 50, 5), [plan(10, 130, 6), plan(100, 850, 13), plan(1000, 8050, 165)]);
    expect(rows.map((row) => row.msPerResource)).toEqual([12.5, 10, 20]);
    expect(rows.map((row) => row.ratio)).toEqual([1, 0.8, 1.6]);
    expect(overRatio(rows, 2)).toEqual([]);
    expect(overRatio(rows, 1.5).map((row) => row.trusts)).toEqual([1000]);
  });

  it("keep the median of repeated plans of one count", () => {
    expect(medianPlan([plan(10, 130, 9), plan(10, 130, 6), plan(10, 130, 7)]).cpuSeconds).toBe(7);
    expect(medianPlan([plan(10, 130, null, 8), plan(10, 130, null, 6)]).wallSeconds).toBe(6);
    expect(() => medianPlan([])).toThrow("no plan");
  });

  it("fall back to wall time where CPU time was not measured", () => {
    const rows = scaleRows(plan(0, 50, null, 5), [plan(10, 130, null, 6), plan(300, 2450, null, 125)]);
    expect(rows.map((row) => row.ratio)).toEqual([1, 4]);
  });

  it("print one aligned row per plan, the empty plan marked as the fixed cost", () => {
    const table = formatTable(plan(0, 50, 5), scaleRows(plan(0, 50, 5), [plan(10, 130, 6)]));
    expect(table.split("\n")).toEqual([
      "trusts  endpoints  resources  wall s  cpu s  ms/resource  peak MB  ratio",
      "     0          0         50    10.0    5.0      (fixed)      300      -",
      "    10         20        130    10.0    6.0        12.50      300  1.00x",
    ]);
  });
});
