import { Notice } from "@trust-callbacks/schemas";
import { failed, found, notFound, type Failed, type Result } from "@trust-callbacks/runtime";
import { episodeKey, type Cause, type Episode } from "./core/model.ts";
import type { DueNotice, EpisodeStore, NoticeMessage, NoticeRecorder, NoticeTable, TopicPublisher } from "./core/ports.ts";

/**
 * In-memory stand-ins of the notifier's ports with fault injection, for the core's tests and the local pipeline: the
 * same semantics as the DynamoDB and SNS adapters (first write of a notice id wins; conditional episode writes; claims).
 */

export class InMemoryEpisodes implements EpisodeStore {
  readonly episodes = new Map<string, Episode>();
  private readonly faults: Failed[] = [];
  /** Runs before the next `put` is applied: a racing writer. */
  beforeNextPut?: () => void;

  failNext(fault: Failed = failed("now", "injected")): this {
    this.faults.push(fault);
    return this;
  }

  async get(key: { trustId: string; endpointId: string; cause: Cause }): Promise<Result<Episode>> {
    const fault = this.faults.shift();
    if (fault) return fault;
    const episode = this.episodes.get(episodeKey(key));
    return episode ? found({ ...episode }) : notFound("no episode");
  }

  async put(episode: Episode, expectedVersion: number | undefined): Promise<Result<Episode>> {
    const race = this.beforeNextPut;
    this.beforeNextPut = undefined;
    race?.();
    const current = this.episodes.get(episodeKey(episode));
    if (current?.version !== expectedVersion) return notFound("episode changed");
    this.episodes.set(episodeKey(episode), { ...episode });
    return found(episode);
  }
}

interface Row {
  notice: Notice;
  sentAt?: string;
  claimedUntil?: number;
}

export class InMemoryNoticeTable implements NoticeTable, NoticeRecorder {
  readonly rows = new Map<string, Row>();
  private readonly faults = new Map<string, Failed[]>();

  /** The next call of `operation` (record, due, claim, markSent, release) fails. */
  failNext(operation: "record" | "due" | "claim" | "markSent" | "release", fault: Failed = failed("now", "injected")): this {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), fault]);
    return this;
  }

  private fault(operation: string): Failed | undefined {
    return this.faults.get(operation)?.shift();
  }

  async record(notice: Notice): Promise<Result<Notice>> {
    const fault = this.fault("record");
    if (fault) return fault;
    const first = this.rows.get(notice.id);
    if (first) return found(first.notice);
    const parsed = Notice.parse(notice);
    this.rows.set(parsed.id, { notice: parsed });
    return found(parsed);
  }

  async due(now: Date, limit: number): Promise<Result<DueNotice[]>> {
    const fault = this.fault("due");
    if (fault) return fault;
    const due = [...this.rows.values()]
      .filter((row) => row.sentAt === undefined && (row.claimedUntil === undefined || row.claimedUntil < now.getTime()))
      .filter((row) => Date.parse(row.notice.due ?? row.notice.at) <= now.getTime())
      .sort((a, b) => Date.parse(a.notice.due ?? a.notice.at) - Date.parse(b.notice.due ?? b.notice.at))
      .slice(0, limit);
    return found(due.map((row) => ({ notice: row.notice })));
  }

  async claim(id: string, now: Date, until: Date): Promise<Result<string>> {
    const fault = this.fault("claim");
    if (fault) return fault;
    const row = this.rows.get(id);
    if (!row || row.sentAt !== undefined || (row.claimedUntil !== undefined && row.claimedUntil >= now.getTime())) return notFound("sent or claimed");
    row.claimedUntil = until.getTime();
    return found(id);
  }

  async markSent(id: string, at: Date): Promise<Result<string>> {
    const fault = this.fault("markSent");
    if (fault) return fault;
    const row = this.rows.get(id);
    if (!row || row.sentAt !== undefined) return notFound("sent already");
    row.sentAt = at.toISOString();
    delete row.claimedUntil;
    return found(id);
  }

  async release(id: string): Promise<Result<string>> {
    const fault = this.fault("release");
    if (fault) return fault;
    const row = this.rows.get(id);
    if (row && row.sentAt === undefined) delete row.claimedUntil;
    return found(id);
  }
}

export class RecordingPublisher implements TopicPublisher {
  readonly published: { topicArn: string; message: NoticeMessage }[] = [];
  private readonly faults: Failed[] = [];

  failNext(fault: Failed = failed("later", "injected")): this {
    this.faults.push(fault);
    return this;
  }

  async publish(topicArn: string, message: NoticeMessage): Promise<Result<string>> {
    const fault = this.faults.shift();
    if (fault) return fault;
    this.published.push({ topicArn, message });
    return found(`message-${this.published.length}`);
  }
}
