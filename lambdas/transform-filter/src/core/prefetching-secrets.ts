import pLimit from "p-limit";
import type { Endpoint } from "@trust-callbacks/schemas";
import type { SigningSecretSource, SigningSecretValue } from "./ports.ts";

/**
 * The signing secrets of one batch, asked for ahead: a `SigningSecretSource` decorator that asks its source for each
 * secret at most once, at most `concurrency` at a time (it owns the limit, so whoever reads through it holds no
 * slot of its own), and that the route stage tells to `prefetch` a record's endpoints' secrets.
 *
 * Why: a new container knows no signing secret, and a batch over 100 trusts × 3 endpoints needs 300 of them: asking
 * only once every document of the batch is in (and every binding written) puts them after the documents, phase after
 * phase. Instead the route stage prefetches a record's secrets as soon as its trust's current document arrives; the
 * sign stage (`lookupSigningSecrets`) then reads the same answers, each secret asked for once per batch, whoever
 * asks first.
 *
 * Data keys are not prefetched: there are fewer of them (one per trust's data key, not per endpoint) and they are
 * in before the secrets are, so prefetching would only cost the warm path a second pass over each record's fields.
 * A secret prefetched can turn out unneeded (a bound conversation filtered with an older document): one lookup the
 * trust's next event would make anyway. Warm, the source's cache answers and this is a map entry.
 */
export class PrefetchingSigningSecrets implements SigningSecretSource {
  /** A secret the source has at hand is read from it, never asked for (see `lookupEach`). */
  readonly cached?: (secretName: string) => SigningSecretValue | undefined;
  private readonly asked = new Map<string, Promise<SigningSecretValue>>();
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(private readonly source: SigningSecretSource, concurrency: number) {
    this.limit = pLimit(concurrency);
    if (source.cached) this.cached = (secretName) => source.cached!(secretName);
  }

  get(secretName: string): Promise<SigningSecretValue> {
    let answer = this.asked.get(secretName);
    if (!answer) {
      answer = this.limit(() => this.source.get(secretName));
      // Asked early, it may fail before the sign stage reads it; the stage still gets the rejection.
      answer.catch(() => {});
      this.asked.set(secretName, answer);
    }
    return answer;
  }

  /** A record goes to `endpoints` under its trust's current document: ask for their signing secrets now. */
  prefetch(endpoints: readonly Endpoint[]): void {
    for (const { signingSecret } of endpoints) {
      if (!this.asked.has(signingSecret) && this.source.cached?.(signingSecret) === undefined) void this.get(signingSecret);
    }
  }
}
