import { z } from "zod";
import { EndpointId, Instant, OdsCode } from "./common.ts";

/**
 * What a trust is told on its notification topic (docs/guarantees.md section 10; docs/adr/0002-holds.md): state
 * changes only, each naming trust, endpoint, counts and times; never content, never a secret. Producers (the drain, the
 * notifier's handlers of AWS events, the support CLI for rotations) write a `Notice` into the notices table under its
 * `id`, first write wins, so a repeated observation is one notice; the notifier alone publishes due notices to the
 * trust's topic and marks them sent. The local pipeline writes the same documents, one JSON line each, to its outbox.
 */


export const NOTICE_KINDS = [
  /** First dead letter after a healthy period, or the connection became DEAUTHORIZED (`cause`). */
  "deliveries-failing",
  /** Deliveries succeed again after `deliveries-failing`. */
  "deliveries-recovered",
  "hold-started",
  "hold-ended",
  /** The hold's store is empty: every held delivery was sent; new ones go straight again. */
  "hold-drained",
  /** A new signing key signs beside the old one until `until`. */
  "signing-key-rotation-started",
  /** The old signing key no longer signs. */
  "signing-key-overlap-ended",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const Notice = z.strictObject({
  /**
   * The notice's identity, first write wins: `<kind>#<ODS>#<endpoint or *>#<what makes it one occurrence>` (a hold's
   * `heldAt`, a rotation's start, the failing period's start). Two producers observing one change write one notice.
   */
  id: z.string().min(1).max(512),
  kind: z.enum(NOTICE_KINDS),
  trustId: OdsCode,
  /** Unset: the notice concerns the whole trust. */
  endpointId: EndpointId.optional(),
  /** When the change happened. */
  at: Instant,
  /** When to send it (a rotation's overlap end is known ahead); unset: at once. */
  due: Instant.optional(),
  /** `deliveries-failing`: why. */
  cause: z.enum(["dead-letters", "connection-deauthorized"]).optional(),
  /** Hold: the planned or operator's reason; never event content. */
  reason: z.string().max(200).optional(),
  /** Hold's planned end; a rotation's overlap end. */
  until: Instant.optional(),
  /** Counts, by name, any of `deadLetters`, `held`, `drained` (a partial record: zod 4's `z.record` over an enum needs every key). */
  counts: z.partialRecord(z.enum(["deadLetters", "held", "drained"]), z.int().min(0)).optional(),
});
export type Notice = z.infer<typeof Notice>;

/** SNS email subjects: at most 100 printable ASCII characters (SNS API Reference, Publish Subject). */
export const MAX_NOTICE_SUBJECT_LENGTH = 100;
