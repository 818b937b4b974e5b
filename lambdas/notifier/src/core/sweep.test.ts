import { describe, expect, it } from "vitest";
import { failed } from "@trust-callbacks/runtime";
import type { Notice } from "@trust-callbacks/schemas";
import { InMemoryNoticeTable, RecordingPublisher } from "../testing.ts";
import { sweepNotices } from "./sweep.ts";

const PREFIX = "arn:aws:sns:eu-west-2:123456789012:trust-callbacks-prod-";
const NOW = new Date("2026-12-05T06:00:00.000Z");
const notice = (id: string, extra: Partial<Notice> = {}): Notice => ({
  id,
  kind: "deliveries-failing",
  trustId: "RX1",
  endpointId: "main",
  at: "2026-12-05T05:59:00.000Z",
  cause: "dead-letters",
  ...extra,
});

async function setup(notices: Notice[]) {
  const table = new InMemoryNoticeTable();
  for (const n of notices) await table.record(n);
  const publisher = new RecordingPublisher();
  let clock = NOW.getTime();
  const run = () => sweepNotices({ table, publisher, topicArnPrefix: PREFIX, now: () => new Date(clock) });
  return { table, publisher, run, advance: (ms: number) => (clock += ms) };
}

describe("the sweep: retried, never lost, never sent twice once marked sent (promise 10.33)", () => {
  it("publishes a due notice to its trust's topic once, and marks it sent", async () => {
    const { table, publisher, run } = await setup([notice("a"), notice("b", { trustId: "R0A" })]);
    expect((await run()).sent).toEqual(["a", "b"]);
    expect(publisher.published.map((p) => p.topicArn)).toEqual([`${PREFIX}RX1-notices`, `${PREFIX}R0A-notices`]);
    expect(table.rows.get("a")?.sentAt).toBe(NOW.toISOString());
    expect((await run()).sent).toEqual([]);
    expect(publisher.published).toHaveLength(2);
  });

  it("sends in the order the changes are due, and a notice due later only once it is due", async () => {
    const { publisher, run, advance } = await setup([
      notice("overlap-end", { kind: "signing-key-overlap-ended", due: "2026-12-06T06:00:00.000Z" }),
      notice("later", { at: "2026-12-05T05:59:30.000Z" }),
      notice("earlier", { at: "2026-12-05T05:58:00.000Z" }),
    ]);
    expect((await run()).sent).toEqual(["earlier", "later"]);
    advance(86_400_000 - 1);
    expect((await run()).sent).toEqual([]);
    advance(1);
    expect((await run()).sent).toEqual(["overlap-end"]);
    expect(publisher.published).toHaveLength(3);
  });

  // fault → the one state each notice ends in after this run, and after the next
  const faults: [string, (t: InMemoryNoticeTable, p: RecordingPublisher) => void, { sentNow: string[]; publishedNow: number; sentNext: string[]; publishedTotal: number }][] = [
    ["publish throttled: unsent now, sent on the next run", (_t, p) => p.failNext(failed("now", "SNS Throttled")), { sentNow: ["b"], publishedNow: 1, sentNext: ["a"], publishedTotal: 2 }],
    ["topic refused (our KMS key or policy): unsent now, sent on the next run", (_t, p) => p.failNext(failed("later", "KMSAccessDenied")), { sentNow: ["b"], publishedNow: 1, sentNext: ["a"], publishedTotal: 2 }],
    ["topic missing: kept unsent, tried again, never dropped", (_t, p) => p.failNext(failed("never", "NotFound")), { sentNow: ["b"], publishedNow: 1, sentNext: ["a"], publishedTotal: 2 }],
    ["claim fails: unsent now, sent on the next run", (t) => t.failNext("claim"), { sentNow: ["b"], publishedNow: 1, sentNext: ["a"], publishedTotal: 2 }],
    ["table unreadable: nothing sent now, both next run", (t) => t.failNext("due"), { sentNow: [], publishedNow: 0, sentNext: ["a", "b"], publishedTotal: 2 }],
    ["published but the mark fails: not sent again while its claim holds", (t) => t.failNext("markSent"), { sentNow: ["a", "b"], publishedNow: 2, sentNext: [], publishedTotal: 2 }],
    ["publish fails and so does the release: sent once the claim lapses", (t, p) => (p.failNext(), t.failNext("release")), { sentNow: ["b"], publishedNow: 1, sentNext: [], publishedTotal: 1 }],
  ];
  it.each(faults)("%s", async (_case, arrange, expected) => {
    const { table, publisher, run, advance } = await setup([notice("a", { at: "2026-12-05T05:58:00.000Z" }), notice("b")]);
    arrange(table, publisher);
    expect((await run()).sent).toEqual(expected.sentNow);
    expect(publisher.published).toHaveLength(expected.publishedNow);
    advance(60_000);
    expect((await run()).sent).toEqual(expected.sentNext);
    expect(publisher.published).toHaveLength(expected.publishedTotal);
    advance(10 * 60_000); // every claim has lapsed: whatever is still unsent goes now, nothing marked sent goes again
    await run();
    const ids = publisher.published.map((p) => p.message.body.match(/\((.+)\)$/m)?.[1]);
    expect(new Set(ids)).toEqual(new Set(["a", "b"]));
    expect([...table.rows.values()].map((row) => row.sentAt !== undefined)).toEqual([true, true]);
  });

  it("two sweeps at once publish each notice once (the claim)", async () => {
    const { table, publisher } = await setup([notice("a"), notice("b"), notice("c")]);
    const sweep = () => sweepNotices({ table, publisher, topicArnPrefix: PREFIX, now: () => NOW });
    const [one, two] = await Promise.all([sweep(), sweep()]);
    expect([...one.sent, ...two.sent].sort()).toEqual(["a", "b", "c"]);
    expect(publisher.published).toHaveLength(3);
  });

  it("stops starting publishes when the invocation's time is up; the rest go next run", async () => {
    const { publisher, table } = await setup([notice("a"), notice("b")]);
    let calls = 0;
    const report = await sweepNotices({ table, publisher, topicArnPrefix: PREFIX, now: () => NOW, outOfTime: () => ++calls > 1 });
    expect(report.sent).toEqual(["a"]);
  });
});
