import type { Logger } from "pino";
import { noticeTopicArn } from "./model.ts";
import type { NoticeTable, TopicPublisher } from "./ports.ts";
import { renderNotice } from "./render.ts";

/**
 * The notifier's sweep (docs/guarantees.md 10.33), run every minute: due, unsent, unclaimed notices → claim → publish
 * to the trust's topic → mark sent. What cannot be published now stays unsent (its claim given back) and is tried on
 * a later run; a notice marked sent is never listed again; a claim keeps a second sweep from publishing the same
 * notice meanwhile. Between a publish and its mark, a crash may make a trust read one notice twice: never lost.
 */

export interface SweepOptions {
  table: NoticeTable;
  publisher: TopicPublisher;
  topicArnPrefix: string;
  now: () => Date;
  logger?: Logger;
  /** Notices one run publishes at most (email subscriptions take 10 messages a second each). */
  maxNotices?: number;
  /** How long a claim holds: longer than one publish and mark. */
  claimMs?: number;
  /** Stop starting new publishes when this returns true (the invocation's time is nearly up). */
  outOfTime?: () => boolean;
}

export interface SweepReport {
  sent: string[];
  /** Publishes that failed: left unsent for a later run. */
  failed: { id: string; reason: string }[];
  /** Claimed by another sweep, or sent meanwhile. */
  skipped: number;
  /** The table could not be read: nothing was sent. */
  unreadable?: string;
}

export const DEFAULT_CLAIM_MS = 5 * 60_000;

export async function sweepNotices(options: SweepOptions): Promise<SweepReport> {
  const { table, publisher, logger } = options;
  const report: SweepReport = { sent: [], failed: [], skipped: 0 };
  const now = options.now();
  const due = await table.due(now, options.maxNotices ?? 200);
  if (due.status !== "found") {
    report.unreadable = due.reason;
    logger?.error({ reason: report.unreadable }, "notices table could not be read; nothing sent this run");
    return report;
  }
  for (const { notice } of due.value) {
    if (options.outOfTime?.()) break;
    const claimedAt = options.now();
    const claim = await table.claim(notice.id, claimedAt, new Date(claimedAt.getTime() + (options.claimMs ?? DEFAULT_CLAIM_MS)));
    if (claim.status === "not-found") {
      report.skipped++;
      continue;
    }
    if (claim.status === "failed") {
      report.failed.push({ id: notice.id, reason: claim.reason });
      logger?.warn({ noticeId: notice.id, trustId: notice.trustId, reason: claim.reason }, "notice not claimed; tried on a later run");
      continue;
    }
    const published = await publisher.publish(noticeTopicArn(options.topicArnPrefix, notice.trustId), renderNotice(notice));
    if (published.status !== "found") {
      report.failed.push({ id: notice.id, reason: published.reason });
      logger?.error(
        { noticeId: notice.id, kind: notice.kind, trustId: notice.trustId, endpointId: notice.endpointId, reason: published.reason },
        "notice not published; tried on a later run",
      );
      await table.release(notice.id); // a failed release lapses with the claim
      continue;
    }
    const marked = await table.markSent(notice.id, options.now());
    if (marked.status === "failed") {
      // Published, not marked: the claim keeps it from the next runs until it lapses, then it is sent once more.
      logger?.error({ noticeId: notice.id, trustId: notice.trustId, reason: marked.reason }, "notice published but not marked sent");
    }
    report.sent.push(notice.id);
    logger?.info({ noticeId: notice.id, kind: notice.kind, trustId: notice.trustId, endpointId: notice.endpointId, messageId: published.value }, "notice published");
  }
  return report;
}
