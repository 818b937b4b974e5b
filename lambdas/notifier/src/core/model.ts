import type { Notice } from "@trust-callbacks/schemas";

/** Why deliveries to an endpoint fail (a notice's `cause`). */
export type Cause = NonNullable<Notice["cause"]>;

/**
 * What one AWS event says about one endpoint's deliveries: failing or healthy again, for one cause, at a time.
 * `at` is an ISO 8601 instant in UTC.
 */
export interface Observation {
  trustId: string;
  endpointId: string;
  cause: Cause;
  health: "failing" | "healthy";
  at: string;
  /** Dead letters waiting in the endpoint's DLQ when the alarm changed, when the alarm's event says. */
  deadLetters?: number;
}

/** An event turned into an observation, or why it tells nothing (logged, never a failure). */
export type Observed = { observation: Observation } | { ignored: string };

/**
 * One (endpoint, cause)'s last known state, kept so that a trust is told of changes only: `since` is when the last
 * failing period began (the failing and the recovered notice of that period both name it), `changedAt` when the
 * phase last changed. Writes are conditional on `version` (0: the first write).
 */
export interface Episode {
  trustId: string;
  endpointId: string;
  cause: Cause;
  phase: "failing" | "healthy";
  since: string;
  changedAt: string;
  /**
   * Whether the trust was told of the current phase. False for a connection deauthorized before it was ever seen
   * authorized (created with placeholder credentials, 10.31) and for the authorization that ends it; items written
   * before this field existed read as told.
   */
  told: boolean;
  version: number;
}

export const episodeKey = (e: { trustId: string; endpointId: string; cause: Cause }): string => `episode#${e.trustId}#${e.endpointId}#${e.cause}`;

/** The trust's notification topic: `NOTICE_TOPIC_ARN_PREFIX` (`arn:aws:sns:<region>:<account>:<prefix>-`) + `<ODS>-notices`. */
export const noticeTopicArn = (topicArnPrefix: string, trustId: string): string => `${topicArnPrefix}${trustId}-notices`;
