/**
 * docs/guarantees.md 5.20: replay hands the stream's records to the support signer in requests the signer accepts
 * (at most 100 records and within MAX_SUPPORT_REQUEST_BYTES), and reports each delivery as the signer answered it.
 */
import { describe, expect, it } from "vitest";
import type { SupportSignerAnswer, SupportSignerRequestInput } from "@trust-callbacks/schemas";
import type { PipeKinesisRecord } from "@trust-callbacks/transform-filter";
import { SAMPLE_TRUSTS_DIR, loadTrusts } from "../local-pipeline/pipeline.ts";
import type { AuditLine } from "./redrive.ts";
import { groupsOf, replay } from "./replay.ts";
import type { StreamReader } from "./stream.ts";
import type { SupportSigner } from "./support-signer.ts";

const trust = loadTrusts(SAMPLE_TRUSTS_DIR).find((t) => t.trustId === "RYJ")!;
const record = (n: number, trustId = "RYJ", padding = 0): PipeKinesisRecord => ({
  eventID: `shard-1:${n}`,
  data: Buffer.from(JSON.stringify({ eventId: `ev-${n}`, trustId, pad: "x".repeat(padding) })).toString("base64"),
});
const readerOf = (records: PipeKinesisRecord[]): StreamReader => ({
  read: async function* () {
    yield records;
  },
});

describe("groupsOf", () => {
  const size = (r: PipeKinesisRecord) => Buffer.byteLength(JSON.stringify(r)) + 1;
  // records, count, bytes → group sizes
  const cases: [string, PipeKinesisRecord[], number, (records: PipeKinesisRecord[]) => number, number[]][] = [
    ["by count", Array.from({ length: 250 }, (_, i) => record(i)), 100, () => 1e9, [100, 100, 50]],
    ["by bytes", Array.from({ length: 5 }, (_, i) => record(i)), 100, (rs) => size(rs[0]!) * 2, [2, 2, 1]],
    ["a record larger than the bound alone", [record(1), record(2, "RYJ", 5000), record(3)], 100, () => 4000, [1, 1, 1]],
    ["nothing", [], 100, () => 1e9, []],
  ];
  it.each(cases)("splits %s", (_case, records, count, bytes, expected) => {
    const groups = groupsOf(records, count, bytes(records));
    expect(groups.map((g) => g.length)).toEqual(expected);
    expect(groups.flat()).toEqual(records); // every record once, in order
  });
});

describe("replay through the signer", () => {
  it("sends the trust's records only, and audits each delivery as the signer answered it", async () => {
    const requests: SupportSignerRequestInput[] = [];
    const signer = {
      sign: async (request: SupportSignerRequestInput): Promise<SupportSignerAnswer> => {
        requests.push(request);
        return {
          kind: "replay",
          correlationId: request.correlationId,
          records: [
            { recordId: "shard-1:1", sourceEventId: "ev-1", state: "published", deliveries: [{ status: "accepted", endpointId: "ep1", cloudEventId: "ce-1", busEventId: "bus-1" }] },
            { recordId: "shard-1:3", sourceEventId: "ev-3", state: "retry", deliveries: [{ status: "failed", endpointId: "ep1", cloudEventId: "ce-3", retry: "later", reason: "PutEvents entry failed: AccessDeniedException" }] },
          ],
          counts: { published: 1, filtered: 0, quarantined: 0, retried: 1 },
        };
      },
    } as SupportSigner;
    const audit: AuditLine[] = [];

    const summary = await replay(readerOf([record(1), record(2, "RX2"), record(3)]), {
      trust, endpointId: "legacy", window: { since: new Date(0), until: new Date() }, dryRun: false, ratePerSecond: 1000, signer, operator: "alice", audit: (line) => audit.push(line),
    });

    expect(requests).toEqual([expect.objectContaining({ kind: "replay", trustId: "RYJ", endpointId: "legacy", operator: "alice", records: [record(1), record(3)] })]);
    expect(summary).toMatchObject({ read: 3, selected: 2, deliveriesReplayed: 1, failed: 1 });
    expect(audit.map((a) => [a.sourceEventId, a.outcome, a.busEventId])).toEqual([["ev-1", "replayed", "bus-1"], ["ev-3", "failed", undefined]]);
  });

  it("reports every record of a group failed when the signer refuses it or cannot be reached, and publishes nothing else of it", async () => {
    for (const outcome of [{ kind: "refused", retry: "never", reason: "endpoint RYJ/legacy is unknown or removed" } as const, new Error("Lambda Invoke: AccessDeniedException")]) {
      const signer = { sign: async () => (outcome instanceof Error ? Promise.reject(outcome) : outcome) } as unknown as SupportSigner;
      const audit: AuditLine[] = [];
      const summary = await replay(readerOf([record(1), record(2)]), {
        trust, window: { since: new Date(0), until: new Date() }, dryRun: false, ratePerSecond: 1000, signer, operator: "alice", audit: (line) => audit.push(line),
      });
      expect(summary).toMatchObject({ selected: 2, deliveriesReplayed: 0, failed: 2 });
      expect(audit.map((a) => [a.sourceEventId, a.outcome])).toEqual([["ev-1", "failed"], ["ev-2", "failed"]]);
    }
  });
});
