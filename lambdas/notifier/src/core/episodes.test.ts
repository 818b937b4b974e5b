import { describe, expect, it } from "vitest";
import { failed } from "@trust-callbacks/runtime";
import { InMemoryEpisodes, InMemoryNoticeTable } from "../testing.ts";
import { recordObservation, stepEpisode } from "./episodes.ts";
import type { Episode, Observation } from "./model.ts";

const T = (minute: number) => new Date(Date.UTC(2026, 11, 5, 6, minute)).toISOString();
const obs = (health: Observation["health"], minute: number, extra: Partial<Observation> = {}): Observation => ({
  trustId: "RX1",
  endpointId: "main",
  cause: "dead-letters",
  health,
  at: T(minute),
  ...extra,
});
const ep = (phase: Episode["phase"], since: number, changedAt: number, version = 3): Episode => ({
  trustId: "RX1",
  endpointId: "main",
  cause: "dead-letters",
  phase,
  since: T(since),
  changedAt: T(changedAt),
  told: true,
  version,
});
const FAILING_10 = "deliveries-failing#RX1#main#dead-letters@" + T(10);
const RECOVERED_10 = "deliveries-recovered#RX1#main#dead-letters@" + T(10);

describe("one episode per endpoint and cause: told of changes only (promises 10.30, 10.31)", () => {
  // episode before × observation → the one notice id (or none) and the episode after (or unchanged)
  const table: [string, Episode | undefined, Observation, string | undefined, Partial<Episode> | undefined][] = [
    ["first failure ever: failing", undefined, obs("failing", 10), FAILING_10, { phase: "failing", since: T(10), changedAt: T(10), version: 0 }],
    ["failure after a healthy period: failing", ep("healthy", 1, 5), obs("failing", 10), FAILING_10, { phase: "failing", since: T(10), version: 4 }],
    ["failure while failing (another deauthorization): nothing", ep("failing", 10, 10), obs("failing", 20), undefined, undefined],
    ["the same failure delivered again: the same notice, no write", ep("failing", 10, 10), obs("failing", 10), FAILING_10, undefined],
    ["a failure older than the last recovery (late event): nothing", ep("healthy", 1, 15), obs("failing", 10), undefined, undefined],
    ["recovery while failing: recovered, naming the failure it ends", ep("failing", 10, 10), obs("healthy", 30), RECOVERED_10, { phase: "healthy", since: T(10), changedAt: T(30), version: 4 }],
    ["the same recovery delivered again: the same notice, no write", ep("healthy", 10, 30), obs("healthy", 30), RECOVERED_10, undefined],
    ["a recovery never preceded by a failure (credentials updated): nothing", undefined, obs("healthy", 30), undefined, undefined],
    ["a second recovery (another authorization): nothing", ep("healthy", 10, 30), obs("healthy", 40), undefined, undefined],
    ["a recovery older than the failure (late event): nothing", ep("failing", 10, 10), obs("healthy", 5), undefined, undefined],
    // A new OAuth endpoint's connection: created DEAUTHORIZED with placeholders, then authorized by connection-sync.
    ["a connection deauthorized before it was ever seen authorized: nothing, recorded untold", undefined, obs("failing", 10, { cause: "connection-deauthorized" }), undefined, { phase: "failing", told: false, version: 0 }],
    ["its first authorization: nothing, and it is healthy from then", { ...ep("failing", 10, 10), cause: "connection-deauthorized", told: false }, obs("healthy", 12, { cause: "connection-deauthorized" }), undefined, { phase: "healthy", changedAt: T(12), told: false }],
    ["a connection first seen authorized: nothing, recorded healthy", undefined, obs("healthy", 12, { cause: "connection-deauthorized" }), undefined, { phase: "healthy", changedAt: T(12), told: false, version: 0 }],
    [
      "deauthorized after it was seen authorized: failing",
      { ...ep("healthy", 12, 12), cause: "connection-deauthorized", told: true },
      obs("failing", 30, { cause: "connection-deauthorized" }),
      "deliveries-failing#RX1#main#connection-deauthorized@" + T(30),
      { phase: "failing", since: T(30), told: true },
    ],
  ];
  it("an untold first authorization delivered again tells nothing", () => {
    const healthy: Episode = { ...ep("healthy", 12, 12), cause: "connection-deauthorized", told: false };
    expect(stepEpisode(healthy, obs("healthy", 12, { cause: "connection-deauthorized" })).notice).toBeUndefined();
  });
  it.each(table)("%s", (_case, before, observation, noticeId, after) => {
    const step = stepEpisode(before, observation);
    expect(step.notice?.id).toBe(noticeId);
    if (after) {
      expect(step.write).toMatchObject(after);
      expect(step.expectedVersion).toBe(before?.version);
    } else expect(step.write).toBeUndefined();
  });

  it("a failing notice names trust, endpoint, cause, time and the dead letters; a recovered one its time", () => {
    expect(stepEpisode(undefined, obs("failing", 10, { deadLetters: 3 })).notice).toEqual({
      id: FAILING_10, kind: "deliveries-failing", trustId: "RX1", endpointId: "main", at: T(10), cause: "dead-letters", counts: { deadLetters: 3 },
    });
    expect(stepEpisode(ep("failing", 10, 10), obs("healthy", 30)).notice).toEqual({
      id: RECOVERED_10, kind: "deliveries-recovered", trustId: "RX1", endpointId: "main", at: T(30), cause: "dead-letters",
    });
  });

  it("the two causes are separate episodes: a deauthorization while dead letters fail is its own notice", async () => {
    const episodes = new InMemoryEpisodes();
    const notices = new InMemoryNoticeTable();
    await recordObservation(obs("healthy", 5, { cause: "connection-deauthorized" }), { episodes, notices }); // seen authorized
    await recordObservation(obs("failing", 10), { episodes, notices });
    await recordObservation(obs("failing", 12, { cause: "connection-deauthorized" }), { episodes, notices });
    await recordObservation(obs("healthy", 20, { cause: "connection-deauthorized" }), { episodes, notices });
    expect([...notices.rows.keys()]).toEqual([FAILING_10, `deliveries-failing#RX1#main#connection-deauthorized@${T(12)}`, `deliveries-recovered#RX1#main#connection-deauthorized@${T(12)}`]);
  });

  it("a flapping endpoint is told each change once, however often each event is delivered", async () => {
    const episodes = new InMemoryEpisodes();
    const notices = new InMemoryNoticeTable();
    const events = [obs("failing", 10), obs("healthy", 20), obs("failing", 30), obs("healthy", 40)];
    for (const observation of [...events, ...events, events[1]!]) await recordObservation(observation, { episodes, notices });
    expect([...notices.rows.values()].map((row) => `${row.notice.kind}@${row.notice.at}`)).toEqual([
      `deliveries-failing@${T(10)}`, `deliveries-recovered@${T(20)}`, `deliveries-failing@${T(30)}`, `deliveries-recovered@${T(40)}`,
    ]);
  });

  // fault → the one outcome
  it("a crash between the episode write and the notice is mended by the event's retry: one notice", async () => {
    const episodes = new InMemoryEpisodes();
    const notices = new InMemoryNoticeTable().failNext("record", failed("now", "throttled"));
    expect(await recordObservation(obs("failing", 10), { episodes, notices })).toMatchObject({ status: "failed", retry: "now" });
    expect(notices.rows.size).toBe(0);
    expect(await recordObservation(obs("failing", 10), { episodes, notices })).toMatchObject({ status: "found", value: { notice: { id: FAILING_10 } } });
    expect([...notices.rows.keys()]).toEqual([FAILING_10]);
  });

  it("two invocations racing on one change: the loser reads again and records the winner's notice, not a second", async () => {
    const episodes = new InMemoryEpisodes();
    const notices = new InMemoryNoticeTable();
    // Another invocation, observing the same alarm a moment apart, writes first.
    episodes.beforeNextPut = () => void episodes.episodes.set("episode#RX1#main#dead-letters", ep("failing", 10, 10, 0));
    const answer = await recordObservation(obs("failing", 11), { episodes, notices });
    expect(answer).toMatchObject({ status: "found", value: { why: expect.stringContaining("already") } });
    expect(notices.rows.size).toBe(0);
  });

  it("an episode store that cannot be read hands the event back for retry, telling nothing", async () => {
    const episodes = new InMemoryEpisodes().failNext(failed("later", "DynamoDB unavailable"));
    const notices = new InMemoryNoticeTable();
    expect(await recordObservation(obs("failing", 10), { episodes, notices })).toMatchObject({ status: "failed", retry: "later" });
    expect(notices.rows.size).toBe(0);
  });
});
