/** Pure parts of the scale plan: reading terraform's and time's output, per-resource figures, the table. */

/** One mock plan of one part (the pipeline stack, or bus-<i>: the trusts stack of bus i) over generated trust files. */
export interface PartMeasurement {
  part: string;
  /** Resources in the plan (terraform test -verbose prints "Plan: N to add, ..."; "No changes." is 0). */
  resources: number;
  wallSeconds: number;
  /** User + system CPU of terraform and its provider processes; null without /usr/bin/time. */
  cpuSeconds: number | null;
  peakMb: number | null;
}

/** Every part of one generated environment, planned as `make plan` plans it (two at a time). */
export interface EnvironmentMeasurement {
  trusts: number;
  endpoints: number;
  /** event_buses.count: one bus part each. */
  busCount: number;
  /** From the first plan started to the last one finished. */
  wallSeconds: number;
  pipeline: PartMeasurement;
  /** A bus part with no trusts of its own (a bus index past the count) over the same trust files: what every part pays. */
  emptyBus: PartMeasurement;
  buses: PartMeasurement[];
}

export interface ScaleRow {
  trusts: number;
  endpoints: number;
  busCount: number;
  /** Resources planned by every part together. */
  resources: number;
  /** Resources of the largest bus part (what one state grows to). */
  largestPart: number;
  wallSeconds: number;
  /** CPU (else wall) seconds of every part together: the pipeline stack and every bus's trusts stack. */
  cpuSeconds: number;
  /** CPU (else wall) seconds of a bus part with no trusts: provider start, configuration, reading every trust file. */
  fixedPerPart: number;
  /**
   * Milliseconds per trust resource: the bus parts' time beyond the fixed cost of each part, over the resources they
   * plan. The fixed cost is per part (per bus, not per trust), so it is reported beside it, not spread over trusts.
   */
  msPerResource: number;
  peakMb: number | null;
  /** msPerResource over that of the smallest count. */
  ratio: number;
}

/**
 * The planned resource count of `terraform test -verbose` output: the sum of its "Plan: N to add" lines; 0 for a
 * plan with no resource changes ("No changes.", or only output changes).
 */
export function plannedResources(output: string): number | null {
  const counts = [...output.matchAll(/^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/gm)];
  if (counts.length === 0) return /^(No changes\.|Changes to Outputs:)/m.test(output) ? 0 : null;
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

const seconds = (part: PartMeasurement) => part.cpuSeconds ?? part.wallSeconds;

/** One row per environment, ascending by trusts; the ratio is to the first (smallest) environment's ms per resource. */
export function scaleRows(environments: readonly EnvironmentMeasurement[]): ScaleRow[] {
  const rows = environments.map((environment): Omit<ScaleRow, "ratio"> => {
    const fixedPerPart = seconds(environment.emptyBus);
    const busResources = environment.buses.reduce((sum, bus) => sum + bus.resources, 0);
    const beyondFixed = environment.buses.reduce((sum, bus) => sum + Math.max(0, seconds(bus) - fixedPerPart), 0);
    const all = [environment.pipeline, ...environment.buses];
    const peaks = [...all, environment.emptyBus].map((part) => part.peakMb).filter((peak): peak is number => peak !== null);
    return {
      trusts: environment.trusts,
      endpoints: environment.endpoints,
      busCount: environment.busCount,
      resources: all.reduce((sum, part) => sum + part.resources, 0),
      largestPart: Math.max(0, ...environment.buses.map((bus) => bus.resources)),
      wallSeconds: environment.wallSeconds,
      cpuSeconds: all.reduce((sum, part) => sum + seconds(part), 0),
      fixedPerPart,
      msPerResource: busResources > 0 ? (beyondFixed * 1000) / busResources : 0,
      peakMb: peaks.length > 0 ? Math.max(...peaks) : null,
    };
  });
  const base = rows[0]?.msPerResource ?? 0;
  return rows.map((row) => ({ ...row, ratio: base > 0 ? row.msPerResource / base : 0 }));
}

/** Of several plans of the same part, the one with the median time (CPU where measured). */
export function medianPlan(runs: readonly PartMeasurement[]): PartMeasurement {
  const sorted = [...runs].sort((a, b) => seconds(a) - seconds(b));
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error("no plan to take the median of");
  return median;
}

/** The counts whose ratio exceeds `maxRatio` (none: the plan grows linearly within the bound). */
export function overRatio(rows: readonly ScaleRow[], maxRatio: number): ScaleRow[] {
  return rows.filter((row) => row.ratio > maxRatio);
}

/** How many buses (bus parts) a generated environment of `trusts` trusts gets: at most `trustsPerBus` on average. */
export function busCountFor(trusts: number, trustsPerBus: number): number {
  return Math.max(1, Math.ceil(trusts / trustsPerBus));
}

const fixed = (value: number | null, digits: number) => (value === null ? "-" : value.toFixed(digits));

/** The table the script prints: one row per count. */
export function formatTable(rows: readonly ScaleRow[]): string {
  const header = ["trusts", "endpoints", "buses", "resources", "largest part", "wall s", "cpu s", "fixed s/part", "ms/resource", "peak MB", "ratio"];
  const body = rows.map((row) => [
    String(row.trusts),
    String(row.endpoints),
    String(row.busCount),
    String(row.resources),
    String(row.largestPart),
    row.wallSeconds.toFixed(1),
    row.cpuSeconds.toFixed(1),
    row.fixedPerPart.toFixed(1),
    row.msPerResource.toFixed(2),
    fixed(row.peakMb, 0),
    `${row.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column]!.length)));
  const render = (cells: string[]) => cells.map((cell, column) => cell.padStart(widths[column]!)).join("  ");
  return [render(header), ...body.map(render)].join("\n");
}
