import { describe, expect, it } from "vitest";
import { HoldState, holdDecision, heldSpans, type HoldWindow } from "./holds.ts";
import { TrustConfig } from "./trust-config.ts";

const at = (iso: string) => new Date(iso);
const window = (from: string, until: string, reason = "EPR upgrade"): HoldWindow => ({ from, until, reason });

describe("holdDecision (docs/guarantees.md 10.0; docs/adr/0002-holds.md)", () => {
  const spans = [window("2027-01-10T20:00:00Z", "2027-01-11T06:00:00Z")];
  const state = (overrides: Partial<HoldState>): HoldState =>
    HoldState.parse({
      trustId: "RX1", endpointId: "ehr", phase: "held", source: "adhoc", reason: "EPR down", heldAt: "2027-01-10T19:00:00Z",
      heldBy: "arn:aws:sts::123456789012:assumed-role/support/alice", version: 1, ...overrides,
    });

  // One row per case: what the store says, what the file says, the time → held or sent (and why).
  const cases: [string, HoldState | undefined, Date, false | string][] = [
    ["no state, before the window", undefined, at("2027-01-10T19:59:59Z"), false],
    ["no state, at the window's start", undefined, at("2027-01-10T20:00:00Z"), "window"],
    ["no state, at the window's end (exclusive)", undefined, at("2027-01-11T06:00:00Z"), false],
    ["ad-hoc hold, no window", state({}), at("2027-01-12T00:00:00Z"), "held"],
    ["draining after the window: new deliveries queue behind", state({ phase: "draining", source: "schedule" }), at("2027-01-11T06:01:00Z"), "draining"],
    ["closing before sendFrom", state({ phase: "closing", emptyAt: "2027-01-11T06:10:00Z", sendFrom: "2027-01-11T06:10:30Z" }), at("2027-01-11T06:10:29Z"), "closing"],
    ["closing at sendFrom", state({ phase: "closing", emptyAt: "2027-01-11T06:10:00Z", sendFrom: "2027-01-11T06:10:30Z" }), at("2027-01-11T06:10:30Z"), false],
    [
      "resumed inside the window: the window ends early",
      state({ phase: "closing", resumedAt: "2027-01-10T22:00:00Z", emptyAt: "2027-01-10T22:05:00Z", sendFrom: "2027-01-10T22:05:30Z" }),
      at("2027-01-10T23:00:00Z"),
      false,
    ],
    [
      "resumed before the window: the window still holds",
      state({ phase: "closing", resumedAt: "2027-01-10T19:30:00Z", emptyAt: "2027-01-10T19:35:00Z", sendFrom: "2027-01-10T19:35:30Z" }),
      at("2027-01-10T21:00:00Z"),
      "window",
    ],
  ];
  it.each(cases)("%s", (_name, holdState, now, expected) => {
    const decision = holdDecision(spans, holdState, now);
    expect(decision.held ? decision.because : false).toBe(expected);
  });
});

describe("trust file holds (docs/guarantees.md 10.0)", () => {
  const withHolds = (trustHolds: HoldWindow[], endpointHolds: HoldWindow[]) => {
    const endpoint = {
      id: "ehr",
      url: "https://ehr.example.nhs.uk/hooks",
      eventTypes: ["message.created"],
      payloadProfile: "full",
      auth: { type: "basic", credentialsSecret: "tc/test/credentials/RX1/ehr" },
      signingSecret: "tc/test/signing/RX1/ehr",
      holds: endpointHolds,
    };
    return TrustConfig.safeParse({ trustId: "RX1", name: "T", enabled: true, holds: trustHolds, endpoints: [endpoint] });
  };
  const refusals: [string, HoldWindow[], HoldWindow[], string][] = [
    ["until before from", [window("2027-01-11T00:00:00Z", "2027-01-10T00:00:00Z")], [], "must be after from"],
    ["a window over 13 days", [window("2027-01-01T00:00:00Z", "2027-01-14T00:00:01Z")], [], "at most 13 days"],
    ["windows out of order", [window("2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z"), window("2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z")], [], "in order"],
    [
      "a trust window and an endpoint window that touch, 14 days together",
      [window("2027-01-01T00:00:00Z", "2027-01-08T00:00:00Z")],
      [window("2027-01-08T00:00:00Z", "2027-01-15T00:00:00Z")],
      "more than 13 days",
    ],
  ];
  it.each(refusals)("refuses %s", (_name, trustHolds, endpointHolds, message) => {
    const parsed = withHolds(trustHolds, endpointHolds);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message).join("\n")).toContain(message);
  });
  it("accepts a 13-day window and a later one on the endpoint", () => {
    const parsed = withHolds([window("2027-01-01T00:00:00Z", "2027-01-14T00:00:00Z")], [window("2027-02-01T00:00:00Z", "2027-02-02T00:00:00Z")]);
    expect(parsed.error?.issues).toBeUndefined();
  });
  it("merges the trust's and the endpoint's windows that touch into one span, keeping both reasons", () => {
    const spans = heldSpans([window("2027-01-01T00:00:00Z", "2027-01-02T00:00:00Z", "trust-wide")], [window("2027-01-02T00:00:00Z", "2027-01-03T00:00:00Z", "ehr only")]);
    expect(spans).toEqual([window("2027-01-01T00:00:00Z", "2027-01-03T00:00:00Z", "trust-wide; ehr only")]);
  });
});
