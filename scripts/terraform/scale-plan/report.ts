/** Pure parts of the scale plan: reading terraform's and time's output, per-resource figures, the table. */

/** One mock plan of the root over `trusts` generated trust files. */
export interface PlanMeasurement {
  trusts: number;
  endpoints: number;
  /** Resources in the plan (terraform test -verbose prints "Plan: N to add, ..."). */
  resources: number;
  wallSeconds: number;
  /** User + system CPU of terraform and its provider processes; null without /usr/bin/time. */
  cpuSeconds: number | null;
  peakMb: number | null;
}

export interface ScaleRow extends PlanMeasurement {
  /** Milliseconds per resource beyond the empty environment's plan (the fixed cost: pipeline, provider start). */
  msPerResource: number;
  /** msPerResource over that of the smallest count. */
  ratio: number;
}

/** The planned resource count of `terraform test -verbose` output: the sum of its "Plan: N to add" lines. */
export function plannedResources(output: string): number | null {
  const counts = [...output.matchAll(/^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/gm)];
  if (counts.length === 0) return null;
  return counts.reduce((sum, match) => sum + Number(match[1]) + Number(match[2]), 0);
}

/** GNU time's line written with `-f "scale-plan-time %e %U %S %M"`: wall, user, system seconds and peak KB. */
export const TIME_FORMAT = "scale-plan-time %e %U %S %M";

export function parseTimeLine(output: string): { wallSeconds: number; cpuSeconds: number; peakMb: number } | null {
  const match = /^scale-plan-time ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$/m.exec(output);
  if (!match) return null;
  return {
    wallSeconds: Number(match[1]),
    cpuSeconds: Number(match[2]) + Number(match[3]),
    peakMb: Math.round(Number(match[4]) / 1024),
  };
}

/**
 * Per-resource figures of each count, beyond `empty` (the same plan with no trust files: what every plan pays
 * whatever its size), by CPU time where measured, else wall time; the ratio is to the smallest count's.
 */
export function scaleRows(empty: PlanMeasurement, plans: readonly PlanMeasurement[]): ScaleRow[] {
  const seconds = (plan: PlanMeasurement) => plan.cpuSeconds ?? plan.wallSeconds;
  const perResource = plans.map((plan) => {
    const added = plan.resources - empty.resources;
    return added > 0 ? (Math.max(0, seconds(plan) - seconds(empty)) * 1000) / added : 0;
  });
  const base = perResource[0] ?? 0;
  return plans.map((plan, index) => ({
    ...plan,
    msPerResource: perResource[index]!,
    ratio: base > 0 ? perResource[index]! / base : 0,
  }));
}

/** Of several plans of the same count, the one with the median time (CPU where measured). */
export function medianPlan(runs: readonly PlanMeasurement[]): PlanMeasurement {
  const sorted = [...runs].sort((a, b) => (a.cpuSeconds ?? a.wallSeconds) - (b.cpuSeconds ?? b.wallSeconds));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error("no plan to take the median of");
  return median;
}

/** The counts whose ratio exceeds `maxRatio` (none: the plan grows linearly within the bound). */
export function overRatio(rows: readonly ScaleRow[], maxRatio: number): ScaleRow[] {
  return rows.filter((row) => row.ratio > maxRatio);
}

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));

/** The table the script prints: the empty plan first, then one row per count. */
export function formatTable(empty: PlanMeasurement, rows: readonly ScaleRow[]): string {
  const header = ["trusts", "endpoints", "resources", "wall s", "cpu s", "ms/resource", "peak MB", "ratio"];
  const line = (plan: PlanMeasurement, perResource: string, ratio: string) => [
    String(plan.trusts),
    String(plan.endpoints),
    String(plan.resources),
    plan.wallSeconds.toFixed(1),
    fixed(plan.cpuSeconds, 1),
    perResource,
    fixed(plan.peakMb, 0),
    ratio,
  ];
  const body = [line(empty, "(fixed)", "-"), ...rows.map((row) => line(row, row.msPerResource.toFixed(2), `${row.ratio.toFixed(2)}x`))];
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join("  ");
  return [render(header), ...body.map(render)].join("\n");
}
