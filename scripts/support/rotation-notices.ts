import type { Notice } from "@trust-callbacks/schemas";
import type { RotationResult } from "./commands/rotate-signing-key.ts";

/**
 * What a signing-key rotation tells the trust (docs/guarantees.md 10.35): a rotation that was written records
 * `signing-key-rotation-started` (with `until`, the overlap's end) and `signing-key-overlap-ended`, due when the old
 * key stops signing, so the notifier sends it then; `--end-overlap` records the overlap's end now. Dry runs and
 * "no overlap to end" tell nothing. Each notice's occurrence is its time (the rotation's start, the instant the old
 * key stops), so running the command again records a new change, and a repeated record of one change is one notice.
 * Keys and fingerprints are never in a notice.
 */
export function rotationNotices(result: Pick<RotationResult, "trustId" | "endpointId" | "outcome" | "overlapEndsAt">, now: Date): Notice[] {
  const at = now.toISOString();
  const { trustId, endpointId } = result;
  const ended = (when: string, due?: string): Notice => ({
    id: `signing-key-overlap-ended#${trustId}#${endpointId}#${when}`,
    kind: "signing-key-overlap-ended",
    trustId,
    endpointId,
    at: when,
    ...(due ? { due } : {}),
  });
  if (result.outcome === "rotated") {
    const until = result.overlapEndsAt;
    return [
      { id: `signing-key-rotation-started#${trustId}#${endpointId}#${at}`, kind: "signing-key-rotation-started", trustId, endpointId, at, ...(until ? { until } : {}) },
      until ? ended(until, until) : ended(at),
    ];
  }
  if (result.outcome === "overlap-ended") return [ended(at)];
  return [];
}
