import { describe, expect, it } from "vitest";
import { MAX_NOTICE_SUBJECT_LENGTH, NOTICE_KINDS, type Notice, type NoticeKind } from "@trust-callbacks/schemas";
import { renderNotice } from "./render.ts";

const base = (kind: NoticeKind, extra: Partial<Notice> = {}): Notice => ({
  id: `${kind}#RX1#epr-main#occurrence`,
  kind,
  trustId: "RX1",
  endpointId: "epr-main",
  at: "2026-12-05T06:00:00.000Z",
  ...extra,
});

/** Per kind, a notice with every field that kind carries, and what its subject must say. */
const full: Record<NoticeKind, [Notice, RegExp]> = {
  "deliveries-failing": [base("deliveries-failing", { cause: "dead-letters", counts: { deadLetters: 17 } }), /failing/],
  "deliveries-recovered": [base("deliveries-recovered", { cause: "connection-deauthorized" }), /recovered/],
  "hold-started": [base("hold-started", { reason: "EPR upgrade weekend", until: "2026-12-06T18:00:00.000Z", counts: { held: 0 } }), /held/],
  "hold-ended": [base("hold-ended", { reason: "EPR upgrade weekend", counts: { held: 1234 } }), /ended/],
  "hold-drained": [base("hold-drained", { counts: { drained: 1234 } }), /sent/],
  "signing-key-rotation-started": [base("signing-key-rotation-started", { until: "2026-12-12T06:00:00.000Z" }), /signing key/],
  "signing-key-overlap-ended": [base("signing-key-overlap-ended"), /no longer signs/],
};

describe("a message names trust, endpoint, counts and times, and nothing else (promise 10.32)", () => {
  it("covers every kind", () => expect(Object.keys(full).sort()).toEqual([...NOTICE_KINDS].sort()));

  it.each(NOTICE_KINDS.map((kind) => [kind]))("%s", (kind) => {
    const [notice, says] = full[kind];
    const { subject, body } = renderNotice(notice);
    expect(subject).toMatch(/^\[RX1\] /);
    expect(subject).toMatch(says);
    expect(subject).toContain("epr-main");
    expect(subject.length).toBeLessThan(MAX_NOTICE_SUBJECT_LENGTH);
    expect(subject).toMatch(/^[\x20-\x7e]+$/); // printable ASCII, one line
    for (const value of [notice.trustId, notice.endpointId!, notice.at, notice.until, notice.reason, ...Object.values(notice.counts ?? {}).map(String)]) {
      if (value !== undefined) expect(body).toContain(value);
    }
    // Anything that is not a field of the notice never reaches the message, whatever a producer put beside it.
    const smuggled = { ...notice, secret: "whsec_c2VjcmV0LWtleS1tYXRlcmlhbA==", content: "Patient: Jane Doe, NHS 943 476 5919", url: "https://epr.rx1.nhs.uk/hook" } as Notice;
    const again = renderNotice(smuggled);
    expect(again).toEqual({ subject, body });
    for (const text of ["whsec_", "Jane Doe", "943 476", "https://"]) expect(`${again.subject}\n${again.body}`).not.toContain(text);
  });

  it("a whole-trust notice says all endpoints", () => {
    const { subject, body } = renderNotice({ ...base("hold-started"), endpointId: undefined });
    expect(subject).toBe("[RX1] Deliveries to all endpoints are held");
    expect(body).toContain("Endpoint: all endpoints");
  });

  it("a reason is one line of printable text: no header or line can be injected", () => {
    const { subject, body } = renderNotice(base("hold-started", { reason: "upgrade\r\nBcc: someone@example.org\u0007\u202e" }));
    expect(body).toContain("Reason: upgrade Bcc: someone@example.org");
    expect(body.split("\n").filter((line) => line.startsWith("Bcc"))).toEqual([]);
    expect(subject).not.toContain("upgrade");
  });

  it("times are written in UTC whatever offset the producer used", () => {
    const { body } = renderNotice(base("hold-started", { at: "2026-12-05T07:00:00+01:00", until: "2026-12-05T20:00:00+01:00" }));
    expect(body).toContain("When: 2026-12-05T06:00:00.000Z");
    expect(body).toContain("Until: 2026-12-05T19:00:00.000Z");
  });

  it("the longest ids still make a subject SNS takes", () => {
    const { subject } = renderNotice(base("hold-ended", { trustId: "ABCDEF", endpointId: "a".repeat(32) }));
    expect(subject.length).toBeLessThan(MAX_NOTICE_SUBJECT_LENGTH);
    expect(subject).toContain("a".repeat(32));
  });
});
