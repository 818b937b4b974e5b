import { InMemoryEpisodes, recordObservation } from "@trust-callbacks/notifier";
import { FileNoticeOutbox } from "../lib/local-holds.ts";

/**
 * The local pipeline's notices of deliveries (docs/guarantees.md 10.36): the API destination stand-in reports each
 * dead letter (failing) and each accepted delivery (healthy); the notifier's own core decides what the trust is told
 * (one episode per endpoint, a change makes one notice) and the outbox file is what the notifier would publish.
 * On AWS the dead-letter alarm says the same (ALARM from OK, OK from ALARM: lambdas/notifier/src/core/observe.ts).
 * Reports are applied one at a time, in the order they happen, off the delivery path; `idle()` waits for them.
 */
export class LocalDeliveryNotices {
  readonly outbox: FileNoticeOutbox;
  private readonly episodes = new InMemoryEpisodes();
  private queue: Promise<void> = Promise.resolve();
  /** Reports that could not be recorded (the outbox could not be written): the run reports them, never drops them silently. */
  readonly failures: string[] = [];

  constructor(file: string) {
    this.outbox = new FileNoticeOutbox(file);
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
