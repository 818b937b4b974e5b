import type { Notice } from "@trust-callbacks/schemas";
import type { Result } from "@trust-callbacks/runtime";
import type { Cause, Episode } from "./model.ts";

/**
 * The notifier's ports. Answers are the one `Result` of `@trust-callbacks/runtime`; adapters classify AWS errors
 * (`failed` with `retry`), the core never sees an AWS name.
 */

/** Where producers record notices: the notices table, first write of an id wins (`NoticeLog` of the hold ports). */
export interface NoticeRecorder {
  record(notice: Notice): Promise<Result<Notice>>;
}

/** The episodes (one per endpoint and cause). `put` is conditional on the version read and answers `not-found` when it lost. */
export interface EpisodeStore {
  get(key: { trustId: string; endpointId: string; cause: Cause }): Promise<Result<Episode>>;
  put(episode: Episode, expectedVersion: number | undefined): Promise<Result<Episode>>;
}

/** A notice due and not yet sent, as the table holds it. */
export interface DueNotice {
  notice: Notice;
}

/**
 * The notices table as the sweep uses it. `due` lists notices due by `now`, not sent and not claimed (oldest due
 * first, at most `limit`). `claim` marks one as being published until `until` and answers `not-found` when it is sent
 * or claimed already; `markSent` writes `sentAt` once (`not-found`: it was already); `release` gives a claim back.
 */
export interface NoticeTable {
  due(now: Date, limit: number): Promise<Result<DueNotice[]>>;
  claim(id: string, now: Date, until: Date): Promise<Result<string>>;
  markSent(id: string, at: Date): Promise<Result<string>>;
  release(id: string): Promise<Result<string>>;
}

/** A rendered message. */
export interface NoticeMessage {
  subject: string;
  body: string;
}

/** The trusts' topics. `publish` answers the message id. */
export interface TopicPublisher {
  publish(topicArn: string, message: NoticeMessage): Promise<Result<string>>;
}
