import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTrusts, SAMPLE_TRUSTS_DIR } from "../local-pipeline/pipeline.ts";
import { LocalKeyProvider } from "@trust-callbacks/transform-filter/local";
import { listFailed, redrive, type AuditLine } from "../support/redrive.ts";
import { InProcessSupportSigner } from "../support/support-signer.ts";
import { FileDeadLetterQueue } from "./dead-letter-queue.ts";

const trust = loadTrusts(SAMPLE_TRUSTS_DIR).find((t) => t.trustId === "RYJ")!;

/** A queue of `n` dead letters of RYJ/legacy, the odd ones failed with 503 and the even ones with 400. */
function queueOf(n: number): FileDeadLetterQueue {
  const queue = new FileDeadLetterQueue(mkdtempSync(join(tmpdir(), "dlq-paging-")), "RYJ");
  for (let i = 0; i < n; i++) {
    const event = { specversion: "1.0", id: `ce-${i}`, type: "uk.nhs.trustcallbacks.message.created.v1", trustid: "RYJ", endpointid: "legacy", data: { i } };
    const body = { source: "trust-callbacks", "detail-type": event.type, detail: { webhook: { id: event.id, timestamp: "1", signature: "v1,old" }, event } };
    queue.send(JSON.stringify(body), {
      ERROR_CODE: i % 2 ? "ERROR_FROM_TARGET" : "CLIENT_ERROR",
      ERROR_MESSAGE: i % 2 ? "503" : "400",
      RETRY_ATTEMPTS: "0",
      RULE_ARN: "arn:aws:events:local:000000000000:rule/bus/trust-callbacks-local-RYJ-legacy",
      TARGET_ARN: "arn:aws:events:local:000000000000:api-destination/x/local",
    }, 1_000_000 + i);
  }
  return queue;
}

describe("the local DLQ stand-in, in pages of 10 like SQS", () => {
  it("hides what it handed out, so pages of 10 see each of 25 messages once, and release makes them visible again", async () => {
    const queue = queueOf(25);
    const pages = [await queue.receive(10, 60), await queue.receive(10, 60), await queue.receive(10, 60), await queue.receive(10, 60)];
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5, 0]);
    const ids = pages.flat().map((m) => JSON.parse(m.body).detail.event.id);
    expect(new Set(ids).size).toBe(25);
    for (const message of pages[0]!) await queue.release(message);
    expect(await queue.receive(10, 60)).toHaveLength(10);
    await queue.delete(pages[1]![0]!);
    expect((await queue.stats()).depth).toBe(24);
  });

  it("shows again after the visibility timeout, as SQS does", async () => {
    const queue = queueOf(3);
    expect(await queue.receive(10, 0.05)).toHaveLength(3);
    expect(await queue.receive(10, 0.05)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await queue.receive(10, 0.05)).toHaveLength(3);
  });

  it("lets show and a selection see every one of 25 messages, and a second listing sees them again", async () => {
    const queue = queueOf(25);
    expect(await listFailed(queue, {})).toHaveLength(25);
    expect(await listFailed(queue, {})).toHaveLength(25); // released after the first listing
    const failed503 = await listFailed(queue, { errorCode: "ERROR_FROM_TARGET" });
    expect(failed503).toHaveLength(12);
  });

  it("a dry run reports all 25 and leaves every one in the queue; a real redrive then redrives all 25 once", async () => {
    const queue = queueOf(25);
    const published: string[] = [];
    const options = {
      trust,
      selection: {},
      // The support signer's own code in-process (docs/guarantees.md 5.20), publishing to a recording bus.
      signer: new InProcessSupportSigner({
        trusts: [trust],
        publisher: {
          putEvents: async (entries: { Detail: string }[]) =>
            entries.map((e) => {
              published.push(JSON.parse(e.Detail).event.id);
              return { status: "found" as const, value: { eventId: "e" } };
            }),
        },
        secrets: { get: async () => `whsec_${Buffer.alloc(32, 1).toString("base64")}` },
        keys: new LocalKeyProvider(),
        eventBusName: "bus",
        cloudEventSource: "/trust-callbacks/local",
      }),
      ratePerSecond: 10_000,
      operator: "test",
    };
    const audit: AuditLine[] = [];
    const dry = await redrive(queue, { ...options, dryRun: true, audit: (line: AuditLine) => audit.push(line) } as never);
    expect(dry).toMatchObject({ selected: 25, redriven: 0, leftInQueue: 25 });
    expect(audit.filter((a) => a.outcome === "would-redrive")).toHaveLength(25);
    const real = await redrive(queue, { ...options, dryRun: false, audit: () => {} } as never);
    expect(real).toMatchObject({ selected: 25, redriven: 25, leftInQueue: 0 });
    expect(new Set(published).size).toBe(25);
    expect(published).toHaveLength(25);
  });
});
