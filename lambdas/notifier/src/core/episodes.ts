import type { Notice } from "@trust-callbacks/schemas";
import { failed, found, type Result } from "@trust-callbacks/runtime";
import type { Cause, Episode, Observation } from "./model.ts";
import type { EpisodeStore, NoticeRecorder } from "./ports.ts";

/**
 * Observations → notices, a trust told of changes only (docs/guarantees.md 10.30, 10.31). One episode per (endpoint,
 * cause); `stepEpisode` is the one pure decision, `recordObservation` applies it with a conditional write.
 */

const occurrence = (cause: Cause, since: string) => `${cause}@${since}`;

export const failingNotice = (episode: Pick<Episode, "trustId" | "endpointId" | "cause" | "since">, deadLetters?: number): Notice => ({
  id: `deliveries-failing#${episode.trustId}#${episode.endpointId}#${occurrence(episode.cause, episode.since)}`,
  kind: "deliveries-failing",
  trustId: episode.trustId,
  endpointId: episode.endpointId,
  at: episode.since,
  cause: episode.cause,
  ...(deadLetters === undefined ? {} : { counts: { deadLetters } }),
});

export const recoveredNotice = (episode: Pick<Episode, "trustId" | "endpointId" | "cause" | "since" | "changedAt">): Notice => ({
  id: `deliveries-recovered#${episode.trustId}#${episode.endpointId}#${occurrence(episode.cause, episode.since)}`,
  kind: "deliveries-recovered",
  trustId: episode.trustId,
  endpointId: episode.endpointId,
  at: episode.changedAt,
  cause: episode.cause,
});

/** What one observation does to an episode: the episode to write (conditional on `expectedVersion`) and the notice. */
export interface EpisodeStep {
  write?: Episode;
  /** The version the write is conditional on; `undefined`: the episode must not exist yet. */
  expectedVersion?: number;
  notice?: Notice;
  /** Why nothing is told (logged). */
  why?: string;
}

/**
 * The decision. A change of phase writes the episode and tells the trust; the same observation again (a redelivered
 * event, a retry after a crash between the write and the notice) records the same notice again, which the notices
 * table keeps once; anything else tells nothing.
 */
export function stepEpisode(episode: Episode | undefined, observation: Observation): EpisodeStep {
  const { trustId, endpointId, cause, at } = observation;
  const ms = Date.parse(at);
  if (observation.health === "failing") {
    if (episode?.phase === "failing") {
      if (at !== episode.since) return { why: `failing since ${episode.since} already` };
      return episode.told ? { notice: failingNotice(episode, observation.deadLetters) } : { why: "deauthorized before it was ever authorized" };
    }
    if (episode && ms <= Date.parse(episode.changedAt)) return { why: `older than the recovery at ${episode.changedAt}` };
    const write: Episode = { trustId, endpointId, cause, phase: "failing", since: at, changedAt: at, told: true, version: (episode?.version ?? -1) + 1 };
    // A connection never seen authorized is a new endpoint's, created with placeholder credentials until
    // connection-sync authorizes it (modules/trust-endpoint): not a failure to tell the trust of.
    if (!episode && cause === "connection-deauthorized") return { write: { ...write, told: false }, expectedVersion: undefined, why: "deauthorized before it was ever authorized" };
    return { write, expectedVersion: episode?.version, notice: failingNotice(write, observation.deadLetters) };
  }
  if (!episode) {
    if (cause !== "connection-deauthorized") return { why: "healthy, and never told it was failing" };
    const write: Episode = { trustId, endpointId, cause, phase: "healthy", since: at, changedAt: at, told: false, version: 0 };
    return { write, expectedVersion: undefined, why: "first seen authorized" };
  }
  if (episode.phase === "healthy") {
    return at === episode.changedAt && episode.told ? { notice: recoveredNotice(episode) } : { why: `healthy since ${episode.changedAt} already` };
  }
  if (ms < Date.parse(episode.since)) return { why: `older than the failure at ${episode.since}` };
  const write: Episode = { ...episode, phase: "healthy", changedAt: at, version: episode.version + 1 };
  return episode.told ? { write, expectedVersion: episode.version, notice: recoveredNotice(write) } : { write, expectedVersion: episode.version, why: "authorized for the first time" };
}

export interface RecordedObservation {
  notice?: Notice;
  why?: string;
}

/**
 * Applies an observation: reads the episode, steps it, writes it (conditional), then records the notice. A lost race
 * (another invocation wrote the episode first) reads again and steps again, at most `attempts` times. The episode is
 * written before the notice so two racing invocations never record two notices of one change; a crash between the
 * two is mended by the event's retry, which finds the episode written and records the same notice.
 */
export async function recordObservation(
  observation: Observation,
  deps: { episodes: EpisodeStore; notices: NoticeRecorder; attempts?: number },
): Promise<Result<RecordedObservation>> {
  const attempts = deps.attempts ?? 3;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await deps.episodes.get(observation);
    if (current.status === "failed") return current;
    const step = stepEpisode(current.status === "found" ? current.value : undefined, observation);
    if (step.write) {
      const written = await deps.episodes.put(step.write, step.expectedVersion);
      if (written.status === "failed") return written;
      if (written.status === "not-found") continue; // someone else wrote first: read again
    }
    if (!step.notice) return found({ why: step.why ?? "nothing changed" });
    const recorded = await deps.notices.record(step.notice);
    if (recorded.status !== "found") return recorded.status === "failed" ? recorded : failed("now", recorded.reason);
    return found({ notice: recorded.value });
  }
  return failed("now", `episode of ${observation.trustId}/${observation.endpointId} (${observation.cause}) changed under ${attempts} attempts`);
}
