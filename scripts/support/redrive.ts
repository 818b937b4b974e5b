import { DeadLetterBody, cloudEventOfDeadLetter, type CallbackCloudEvent, type TrustConfig } from "@trust-callbacks/schemas";
import type { DeadLetterMessage, DeadLetterQueue } from "../lib/dead-letter-queue.ts";
import { newCorrelationId, type SupportSigner } from "./support-signer.ts";

/** One failed delivery, as support staff see it: no message content. */
export interface FailedDelivery {
  messageId: string;
  trustId: string;
  endpointId: string;
  eventType: string;
  cloudEventId: string;
  errorCode: string;
  errorMessage: string;
  exhaustedCondition?: string;
  retryAttempts: number;
  firstFailedAt: string;
  ruleArn: string;
}

/** What a redrive needs of a dead letter: the CloudEvent, and the bus `Source` it was published with, if the body says. */
interface DeadLetterContent {
  event: CallbackCloudEvent;
  busSource?: string;
}

/**
 * Reads a DLQ message EventBridge wrote for a callback, or says why it is not one. The body is either
 * shape of `DeadLetterBody` (the original event, or the bare CloudEvent): a redrive re-signs anyway.
 */
export function describeMessage(message: DeadLetterMessage): { ok: true; failed: FailedDelivery; content: DeadLetterContent } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(message.body);
  } catch {
    return { ok: false, reason: "body is not JSON" };
  }
  const body = DeadLetterBody.safeParse(json);
  if (!body.success) return { ok: false, reason: "body is not a callback event" };
  const event = cloudEventOfDeadLetter(body.data);
  // The rule name ends with <trust>-<endpoint>: a message must name the same endpoint twice to be redriven.
  const rule = message.attributes.RULE_ARN ?? "";
  if (!rule.endsWith(`-${event.trustid}-${event.endpointid}`)) {
    return { ok: false, reason: `RULE_ARN ${rule} does not belong to ${event.trustid}/${event.endpointid}` };
  }
  return {
    ok: true,
    content: { event, ...("detail" in body.data && typeof body.data.source === "string" ? { busSource: body.data.source } : {}) },
    failed: {
      messageId: message.messageId,
      trustId: event.trustid,
      endpointId: event.endpointid,
      eventType: event.type,
      cloudEventId: event.id,
      errorCode: message.attributes.ERROR_CODE,
      errorMessage: message.attributes.ERROR_MESSAGE,
      ...(message.attributes.EXHAUSTED_RETRY_CONDITION ? { exhaustedCondition: message.attributes.EXHAUSTED_RETRY_CONDITION } : {}),
      retryAttempts: Number(message.attributes.RETRY_ATTEMPTS ?? 0),
      firstFailedAt: new Date(message.sentTimestamp).toISOString(),
      ruleArn: rule,
    },
  };
}

export interface Selection {
  endpointId?: string;
  errorCode?: string;
  since?: Date;
  until?: Date;
  limit?: number;
}

export const selects = (failed: FailedDelivery, sel: Selection): boolean =>
  (!sel.endpointId || failed.endpointId === sel.endpointId) &&
  (!sel.errorCode || failed.errorCode === sel.errorCode) &&
  (!sel.since || Date.parse(failed.firstFailedAt) >= sel.since.getTime()) &&
  (!sel.until || Date.parse(failed.firstFailedAt) <= sel.until.getTime());

/** What a redrive's row and audit line say when the endpoint is held: deleted from the DLQ, not yet delivered. */
export const HELD_DETAIL = "held: the endpoint is held; its drain sends it when the hold ends";

export interface AuditLine {
  at: string;
  operator: string;
  action: "redrive" | "purge" | "show-content" | "replay-quarantine" | "replay" | "hold" | "resume";
  trustId: string;
  endpointId?: string;
  cloudEventId?: string;
  messageId?: string;
  outcome:
    | "redriven" | "would-redrive" | "failed" | "skipped" | "filtered" | "purged" | "would-purge" | "shown" | "replayed" | "would-replay"
    // hold, resume (docs/guarantees.md 10.22)
    | "held" | "would-hold" | "resumed" | "would-resume" | "refused" | "not-held" | "lost-race";
  /** redrive, replay: the PutEvents `EventId` of the re-published entry (joins the bus logs' steps to the delivery). */
  busEventId?: string;
  /** replay-quarantine: the quarantined object; replay: the platform event. */
  quarantineKey?: string;
  sourceEventId?: string;
  detail?: string;
  /** hold: why, and when it ends by itself (unset: at `resume`). */
  reason?: string;
  until?: string;
}

export interface RedriveOptions {
  trust: TrustConfig;
  selection: Selection;
  /**
   * Re-signs and publishes (docs/guarantees.md 5.20): the support signer function on AWS, the same code in-process
   * locally. The operator's own credentials never read a signing key.
   */
  signer: SupportSigner;
  dryRun: boolean;
  ratePerSecond: number;
  operator: string;
  audit: (line: AuditLine) => void;
  progress?: (done: number, selected: number) => void;
  /** Aborting stops before the next message; nothing is left half-done. */
  signal?: AbortSignal;
  now?: () => Date;
}

export interface RedriveSummary {
  selected: number;
  redriven: number;
  failed: number;
  skipped: number;
  leftInQueue: number;
  stoppedEarly: boolean;
}

/**
 * Re-publishes selected dead letters of one trust so that only the endpoint that failed receives them:
 * same detail (same CloudEvent id, so receivers dedupe), fresh signature timestamp, signed by the support signer.
 * A message is deleted only after the signer answered its CloudEvent accepted (docs/guarantees.md 7.40); any other
 * answer, or none, leaves it in the queue.
 */
export async function redrive(queue: DeadLetterQueue, options: RedriveOptions): Promise<RedriveSummary> {
  const now = options.now ?? (() => new Date());
  const summary: RedriveSummary = { selected: 0, redriven: 0, failed: 0, skipped: 0, leftInQueue: 0, stoppedEarly: false };
  const seen = new Set<string>();
  const limit = options.selection.limit ?? Infinity;
  const interval = 1000 / options.ratePerSecond;
  let nextSlot = 0;
  const audit = (line: Omit<AuditLine, "at" | "operator" | "action" | "trustId">) =>
    options.audit({ at: now().toISOString(), operator: options.operator, action: "redrive", trustId: queue.trustId, ...line });

  // Messages not redriven (not selected, skipped, failed, dry run, stopped) stay hidden while the run
  // scans the queue, so none is received twice, and are made visible again when it ends.
  const leftover: DeadLetterMessage[] = [];
  try {
    while (summary.selected < limit) {
      if (options.signal?.aborted) {
        summary.stoppedEarly = true;
        break;
      }
      const batch = (await queue.receive(10, 120)).filter((m) => !seen.has(m.messageId));
      if (batch.length === 0) break;
      for (const message of batch) {
        seen.add(message.messageId);
        if (options.signal?.aborted || summary.selected >= limit) {
          summary.stoppedEarly = Boolean(options.signal?.aborted);
          leftover.push(message);
          continue;
        }
        const described = describeMessage(message);
        if (!described.ok) {
          summary.skipped += 1;
          audit({ messageId: message.messageId, outcome: "skipped", detail: described.reason });
          leftover.push(message);
          continue;
        }
        const { failed, content } = described;
        if (failed.trustId !== queue.trustId || !selects(failed, options.selection)) {
          leftover.push(message);
          continue;
        }
        summary.selected += 1;
        const context = { endpointId: failed.endpointId, cloudEventId: failed.cloudEventId, messageId: failed.messageId };
        const endpoint = options.trust.endpoints.find((e) => e.id === failed.endpointId);
        if (!endpoint) {
          summary.failed += 1;
          audit({ ...context, outcome: "failed", detail: `endpoint ${failed.endpointId} is no longer in the trust config` });
          leftover.push(message);
          continue;
        }
        if (options.dryRun) {
          audit({ ...context, outcome: "would-redrive" });
          options.progress?.(summary.selected, summary.selected);
          leftover.push(message);
          continue;
        }
        const wait = nextSlot - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        nextSlot = Math.max(Date.now(), nextSlot) + interval;
        let busEventId: string;
        let held = false;
        try {
          const answer = await options.signer.sign({
            kind: "redrive",
            trustId: queue.trustId,
            endpointId: failed.endpointId,
            // The body was parsed loosely and is re-signed as it is: every attribute it carries is kept.
            cloudEvents: [content.event],
            operator: options.operator,
            correlationId: newCorrelationId(),
          });
          if (answer.kind === "refused") throw new Error(`the support signer refused: ${answer.reason}`);
          const delivery = answer.deliveries.find((d) => d.cloudEventId === failed.cloudEventId);
          if (delivery?.status !== "accepted") throw new Error(delivery ? `${delivery.reason} (retry: ${delivery.retry})` : "the support signer did not answer for it");
          busEventId = delivery.busEventId;
          held = delivery.held === true;
        } catch (error) {
          summary.failed += 1;
          audit({ ...context, outcome: "failed", detail: (error as Error).message });
          leftover.push(message);
          continue;
        }
        await queue.delete(message);
        summary.redriven += 1;
        // A redrive to a held endpoint is kept in its hold store and sent by the drain when the hold ends (10.8).
        audit({ ...context, outcome: "redriven", busEventId, ...(held ? { detail: HELD_DETAIL } : {}) });
        options.progress?.(summary.redriven + summary.failed, summary.selected);
      }
    }
  } finally {
    await Promise.all(leftover.map((message) => queue.release(message)));
  }
  summary.leftInQueue = (await queue.stats()).depth;
  return summary;
}

/**
 * Lists a trust's failed deliveries (up to `max`), leaving them in the queue. With `withContent`, each also
 * carries the CloudEvent `data` (for full-profile endpoints: decrypted clinical content), for the caller to audit.
 */
export async function listFailed(
  queue: DeadLetterQueue,
  selection: Selection,
  max = 1000,
  withContent = false,
): Promise<(FailedDelivery & { content?: unknown })[]> {
  const looked: DeadLetterMessage[] = [];
  const found: (FailedDelivery & { content?: unknown })[] = [];
  try {
    // Received messages stay hidden while we scan (so none comes back twice), and are released at the end.
    while (found.length < max) {
      const batch = (await queue.receive(10, 60)).filter((m) => !looked.some((l) => l.messageId === m.messageId));
      if (batch.length === 0) break;
      looked.push(...batch);
      for (const message of batch) {
        const described = describeMessage(message);
        if (!described.ok || !selects(described.failed, selection)) continue;
        found.push(withContent ? { ...described.failed, content: described.content.event.data } : described.failed);
        if (found.length >= max) break;
      }
    }
  } finally {
    // Only looked at: visible again for the next command (a redrive straight after `show` must find them).
    await Promise.all(looked.map((message) => queue.release(message)));
  }
  return found;
}
