/**
 * The subset of EventBridge event-pattern matching the callbacks rules use: nested objects whose
 * leaves are arrays of allowed exact values. Anything else in a pattern is refused, not guessed at.
 */
export type EventPattern = { [key: string]: EventPattern | (string | number | boolean | null)[] };

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (event === null || typeof event !== "object") return false;
  return Object.entries(pattern).every(([key, expected]) => {
    const actual = (event as Record<string, unknown>)[key];
    if (Array.isArray(expected)) {
      if (expected.some((value) => value !== null && typeof value === "object")) {
        throw new Error(`unsupported content filter in pattern at ${key}`);
      }
      return Array.isArray(actual) ? actual.some((v) => expected.includes(v as never)) : expected.includes(actual as never);
    }
    return matchesPattern(expected, actual);
  });
}
