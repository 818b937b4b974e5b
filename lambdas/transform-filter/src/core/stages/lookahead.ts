import pLimit from "p-limit";
import type { Endpoint } from "@trust-callbacks/schemas";
import type { SigningSecretSource, SigningSecretValue } from "../ports.ts";

/**
 * The cold path's pipelining. A new container knows no signing secret, and a batch over 100 trusts × 3 endpoints
 * needs 300 of them: asking only once every document of the batch is in (and every binding written) puts them
 * after the documents, phase after phase. Instead the route stage tells `matched` a record's endpoints as soon as
 * its trust's current document arrives, and their secrets are asked for at once. The sign stage then reads
 * through the same port, so each secret is asked for once per batch, whoever asks first, at most `concurrency`
 * at a time (the port owns the limit: a stage waiting for a lookup already under way holds no slot).
 *
 * Data keys are not looked ahead: there are fewer of them (one per trust's data key, not per endpoint) and they are
 * in before the secrets are, so looking ahead would only cost the warm path a second pass over each record's fields.
 * A secret asked for early can turn out unneeded (a bound conversation filtered with an older document): one
 * lookup the trust's next event would make anyway. Warm, the adapter's cache answers and this is a map entry.
 */
export class Lookahead {
  readonly secrets: SigningSecretSource;
  private readonly asked = new Map<string, Promise<SigningSecretValue>>();

  constructor(private readonly source: SigningSecretSource, concurrency: number) {
    const limit = pLimit(concurrency);
    this.secrets = {
      // A secret the source has at hand is read from it, never asked for (see `lookupEach`).
      ...(source.cached ? { cached: (name: string) => source.cached!(name) } : {}),
      get: (name) => {
        let answer = this.asked.get(name);
        if (!answer) {
          answer = limit(() => source.get(name));
          // Asked early, it may fail before the sign stage reads it; the stage still gets the rejection.
          answer.catch(() => {});
          this.asked.set(name, answer);
        }
        return answer;
      },
    };
  }

  /** A record goes to `endpoints` under its trust's current document: ask for their signing secrets now. */
  matched(endpoints: readonly Endpoint[]): void {
    for (const { signingSecret } of endpoints) {
      if (!this.asked.has(signingSecret) && this.source.cached?.(signingSecret) === undefined) void this.secrets.get(signingSecret);
    }
  }
}
