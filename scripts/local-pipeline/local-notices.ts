import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { InMemoryEpisodes, episodeKey, recordObservation, type Episode, type EpisodeStore } from "@trust-callbacks/notifier";
import { FileNoticeOutbox } from "../lib/local-holds.ts";
import { writePrivateFile } from "../lib/private-files.ts";

/**
 * The episodes kept between runs (`notice-episodes.json` beside the outbox), as the notices table keeps them between
 * the notifier's invocations: an endpoint still failing in the next run is not told again. Loaded once per run,
 * written after every change; one pipeline at a time, which is how the local pipeline runs.
 */
class FileEpisodes implements EpisodeStore {
  private readonly memory = new InMemoryEpisodes();
  constructor(private readonly file: string) {
    if (existsSync(file)) for (const episode of JSON.parse(readFileSync(file, "utf8")) as Episode[]) this.memory.episodes.set(episodeKey(episode), episode);
  }
  get(key: Parameters<EpisodeStore["get"]>[0]) {
    return this.memory.get(key);
  }
  async put(episode: Episode, expectedVersion: number | undefined) {
    const written = await this.memory.put(episode, expectedVersion);
    if (written.status === "found") writePrivateFile(this.file, `${JSON.stringify([...this.memory.episodes.values()], null, 2)}\n`);
    return written;
  }
}

/**
 * The local pipeline's notices of deliveries (docs/guarantees.md 10.36): the API destination stand-in reports each
 * dead letter (failing) and each accepted delivery (healthy); the notifier's own core decides what the trust is told
 * (one episode per endpoint, a change makes one notice) and the outbox file is what the notifier would publish.
 * On AWS the dead-letter alarm says the same (ALARM from OK, OK from ALARM: lambdas/notifier/src/core/observe.ts).
 * Reports are applied one at a time, in the order they happen, off the delivery path; `idle()` waits for them.
 */
export class LocalDeliveryNotices {
  readonly outbox: FileNoticeOutbox;
  private readonly episodes: FileEpisodes;
  private queue: Promise<void> = Promise.resolve();
  /** Reports that could not be recorded (the outbox could not be written): the run reports them, never drops them silently. */
  readonly failures: string[] = [];

  constructor(file: string) {
    this.outbox = new FileNoticeOutbox(file);
    this.episodes = new FileEpisodes(join(dirname(file), "notice-episodes.json"));
  }

  report(trustId: string, endpointId: string, health: "failing" | "healthy", at: Date = new Date()): void {
    const observation = { trustId, endpointId, cause: "dead-letters" as const, health, at: at.toISOString() };
    this.queue = this.queue.then(async () => {
      try {
        const recorded = await recordObservation(observation, { episodes: this.episodes, notices: this.outbox });
        if (recorded.status !== "found") this.failures.push(`${trustId}/${endpointId} ${health}: ${recorded.reason}`);
      } catch (error) {
        this.failures.push(`${trustId}/${endpointId} ${health}: ${(error as Error).message}`);
      }
    });
  }

  async idle(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.queue;
      await seen;
    } while (seen !== this.queue);
  }
}
