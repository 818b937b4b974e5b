import { randomUUID } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { PRIVATE_FILE_MODE, privateDir } from "./private-files.ts";
import { join } from "node:path";
import { ODS_CODE_PATTERN } from "@trust-callbacks/schemas";

/** The SQS message attributes EventBridge sets on a target's dead-letter message. */
export interface DeadLetterAttributes {
  ERROR_CODE: string;
  ERROR_MESSAGE: string;
  EXHAUSTED_RETRY_CONDITION?: string;
  RETRY_ATTEMPTS: string;
  RULE_ARN: string;
  TARGET_ARN: string;
}

export interface DeadLetterMessage {
  messageId: string;
  /** Opaque handle for delete (SQS receipt handle, or the local file name). */
  receiptHandle: string;
  /** The dead-lettered event as JSON text: a `DeadLetterBody` (the original event, or the bare CloudEvent). */
  body: string;
  attributes: DeadLetterAttributes;
  /** Epoch milliseconds when the message was dead-lettered. */
  sentTimestamp: number;
}

/** One trust's dead-letter queue, as the redrive tool sees it (SQS in AWS, files locally). */
export interface DeadLetterQueue {
  readonly trustId: string;
  readonly location: string;
  stats(): Promise<{ depth: number; oldestSentTimestamp?: number }>;
  /** Up to `max` messages, hidden from other readers for `visibilitySeconds`. */
  receive(max: number, visibilitySeconds: number): Promise<DeadLetterMessage[]>;
  delete(message: DeadLetterMessage): Promise<void>;
  /** Makes a received message visible again at once (it was only looked at, or is left for later). */
  release(message: DeadLetterMessage): Promise<void>;
  purge(): Promise<number>;
}

/**
 * The local pipeline's DLQ: one JSON file per message under `<root>/<trustId>/`, so the redrive
 * tool can work on it from another process. Like SQS, a received message is hidden from this queue
 * object's next receives for `visibilitySeconds` (until released or deleted), so a scan in pages sees
 * every message once. Visibility is kept in memory, per queue object: not safe for two concurrent
 * redrives of one trust in two processes.
 * SQS: a received message is hidden from later receives for the visibility timeout unless deleted
 * (https://docs.aws.amazon.com/sdk-for-kotlin/api/latest/sqs/aws.sdk.kotlin.services.sqs.model/-receive-message-request/visibility-timeout.html);
 * ChangeMessageVisibility to 0 (the minimum) makes it visible again at once, which `release` stands in for
 * (https://docs.aws.amazon.com/goto/aws-cli/sqs-2012-11-05/ChangeMessageVisibility).
 */
export class FileDeadLetterQueue implements DeadLetterQueue {
  readonly location: string;
  /** File name → epoch ms until which a receive hid it. */
  private readonly hiddenUntil = new Map<string, number>();
  constructor(
    root: string,
    readonly trustId: string,
  ) {
    this.location = join(root, trustId);
    privateDir(this.location); // dead letters hold whole events, full-profile text included (docs/guarantees.md 6.1)
  }

  static trustIds(root: string): string[] {
    try {
      return readdirSync(root, { withFileTypes: true })
        .filter((d) => d.isDirectory() && ODS_CODE_PATTERN.test(d.name)) // trust folders are ODS codes
        .map((d) => d.name)
        .sort();
    } catch {
      return [];
    }
  }

  send(body: string, attributes: DeadLetterAttributes, sentTimestamp = Date.now()): DeadLetterMessage {
    const messageId = randomUUID();
    const file = `${String(sentTimestamp).padStart(15, "0")}-${messageId}.json`;
    const message = { messageId, receiptHandle: file, body, attributes, sentTimestamp };
    const tmp = join(this.location, `.${file}.tmp`);
    writeFileSync(tmp, JSON.stringify(message), { mode: PRIVATE_FILE_MODE });
    chmodSync(tmp, PRIVATE_FILE_MODE);
    renameSync(tmp, join(this.location, file)); // atomic: a reader never sees half a message
    return message;
  }

  private files(): string[] {
    return readdirSync(this.location).filter((f) => f.endsWith(".json") && !f.startsWith(".")).sort();
  }

  async stats() {
    const files = this.files();
    return { depth: files.length, ...(files[0] ? { oldestSentTimestamp: Number(files[0].split("-")[0]) } : {}) };
  }

  /** Up to `max` visible messages, oldest first, each then hidden for `visibilitySeconds` (0: not hidden). */
  async receive(max: number, visibilitySeconds = 30): Promise<DeadLetterMessage[]> {
    const now = Date.now();
    const visible = this.files()
      .filter((file) => (this.hiddenUntil.get(file) ?? 0) <= now)
      .slice(0, max);
    const messages: DeadLetterMessage[] = [];
    for (const file of visible) {
      let text: string;
      try {
        text = readFileSync(join(this.location, file), "utf8");
      } catch {
        continue; // deleted since the listing
      }
      if (visibilitySeconds > 0) this.hiddenUntil.set(file, now + visibilitySeconds * 1000);
      messages.push({ ...(JSON.parse(text) as DeadLetterMessage), receiptHandle: file });
    }
    return messages;
  }

  async delete(message: DeadLetterMessage): Promise<void> {
    rmSync(join(this.location, message.receiptHandle), { force: true });
    this.hiddenUntil.delete(message.receiptHandle);
  }

  /** Makes a received message visible again at once. */
  async release(message: DeadLetterMessage): Promise<void> {
    this.hiddenUntil.delete(message.receiptHandle);
  }

  async purge(): Promise<number> {
    const files = this.files();
    for (const file of files) rmSync(join(this.location, file), { force: true });
    this.hiddenUntil.clear();
    return files.length;
  }
}
