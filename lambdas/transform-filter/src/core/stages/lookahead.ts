import pLimit from "p-limit";
import type { Endpoint } from "@trust-callbacks/schemas";
import { wrappedKeysOf } from "../decrypt.ts";
import type { DataKeyUnwrapper, SigningSecretSource, SigningSecretValue } from "../ports.ts";
import type { DecodedRecord } from "./batch.ts";

/**
 * The cold path's pipelining. A new container knows no signing secret and no data key. Asking for them only once
 * every document of the batch is in (and every binding written) puts the lookups phase after phase; instead the route
 * stage tells `matched` a record's endpoints as soon as its trust's current document arrives, and the secrets and
 * data keys those endpoints need are asked for at once. The decrypt and sign stages then read through the same
 * ports, so each secret and key is asked for once per batch, whoever asks first, at most `concurrency` at a time
 * per kind (the ports own the limit: a stage waiting for a lookup already under way holds no slot).
 *
 * What is asked for early can turn out unneeded (a bound conversation filtered with an older document): one lookup
 * the next event of that trust would make anyway. Warm, the adapters' caches answer and this is a map entry per key.
 */
export class Lookahead {
  readonly secrets: SigningSecretSource;
  readonly keys: DataKeyUnwrapper;

  constructor(secrets: SigningSecretSource, keys: DataKeyUnwrapper, concurrency: number) {
    const secretsAsked = new Map<string, Promise<SigningSecretValue>>();
    const limitSecrets = pLimit(concurrency);
    this.secrets = { get: (name) => once(secretsAsked, name, () => limitSecrets(() => secrets.get(name))) };
    const keysAsked = new Map<string, Promise<Buffer>>();
    const limitKeys = pLimit(concurrency);
    this.keys = {
      unwrap: (wrappedKey, encryptionContext) =>
        once(keysAsked, `${wrappedKey}\u0000${JSON.stringify(encryptionContext)}`, () =>
          limitKeys(() => keys.unwrap(wrappedKey, encryptionContext)),
        ),
    };
  }

  /** `record` goes to `endpoints` under its trust's current document: ask for what signing and decrypting will need. */
  matched(record: DecodedRecord, endpoints: readonly Endpoint[]): void {
    for (const endpoint of endpoints) void this.secrets.get(endpoint.signingSecret).catch(ignore);
    if (!endpoints.some((endpoint) => endpoint.payloadProfile === "full")) return;
    for (const request of wrappedKeysOf(record.event)) void this.keys.unwrap(request.wrappedKey, request.encryptionContext).catch(ignore);
  }
}

// A lookup asked for early may fail before any stage reads it: the stage that reads it gets the same rejection.
const ignore = () => {};

function once<T>(asked: Map<string, Promise<T>>, key: string, ask: () => Promise<T>): Promise<T> {
  let answer = asked.get(key);
  if (!answer) {
    answer = ask();
    asked.set(key, answer);
  }
  return answer;
}
