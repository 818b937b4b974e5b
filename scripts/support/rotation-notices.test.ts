import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TrustConfig, type TrustConfigInput } from "@trust-callbacks/schemas";
import { InMemoryNoticeLog } from "@trust-callbacks/transform-filter/local";
import { failed } from "@trust-callbacks/runtime";
import { FileNoticeOutbox } from "../lib/local-holds.ts";
import type { RotateSigningKeyCommand } from "./args.ts";
import { rotateSigningKeyCommand } from "./commands/rotate-signing-key.ts";
import { rotationNotices } from "./rotation-notices.ts";

const NOW = new Date("2026-12-05T06:00:00.000Z");
const END = "2026-12-06T07:18:00.000Z";

describe("what a rotation tells the trust (promise 10.35)", () => {
  // outcome → the notices recorded (kind, at, due, until)
  const table: [string, { outcome: "rotated" | "would-rotate" | "overlap-ended" | "would-end-overlap" | "no-overlap"; overlapEndsAt?: string }, object[]][] = [
    ["rotated with an overlap: started now (until the end), overlap end due at the end", { outcome: "rotated", overlapEndsAt: END }, [
      { kind: "signing-key-rotation-started", at: NOW.toISOString(), until: END },
      { kind: "signing-key-overlap-ended", at: END, due: END },
    ]],
    ["rotated with no overlap: the old key stopped now", { outcome: "rotated" }, [
      { kind: "signing-key-rotation-started", at: NOW.toISOString() },
      { kind: "signing-key-overlap-ended", at: NOW.toISOString() },
    ]],
    ["--end-overlap: the overlap ended now", { outcome: "overlap-ended" }, [{ kind: "signing-key-overlap-ended", at: NOW.toISOString() }]],
    ["dry run of a rotation: nothing", { outcome: "would-rotate", overlapEndsAt: END }, []],
    ["dry run of --end-overlap: nothing", { outcome: "would-end-overlap" }, []],
    ["no overlap to end: nothing", { outcome: "no-overlap" }, []],
  ];
  it.each(table)("%s", (_case, result, expected) => {
    const notices = rotationNotices({ trustId: "RX1", endpointId: "ehr", ...result }, NOW);
    expect(notices.map(({ kind, at, due, until }) => ({ kind, at, ...(due ? { due } : {}), ...(until ? { until } : {}) }))).toEqual(expected);
    for (const notice of notices) expect(notice).toMatchObject({ trustId: "RX1", endpointId: "ehr" });
    expect(JSON.stringify(notices)).not.toMatch(/whsec_|sha256:/);
  });
});

describe("rotate-signing-key records the notices (local outbox)", () => {
  let errors: string[];
  beforeEach(() => {
    errors = [];
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation((text: string) => void errors.push(text));
  });
  afterEach(() => vi.restoreAllMocks());

  function setup() {
    const dir = mkdtempSync(join(tmpdir(), "rotation-notices-"));
    const secretsFile = join(dir, "secrets.json");
    writeFileSync(secretsFile, JSON.stringify({ "tc/test/signing/RX1/ehr": `whsec_${Buffer.alloc(32, 1).toString("base64")}` }));
    const trusts = mkdtempSync(join(dir, "t-"));
    writeFileSync(
      join(trusts, "RX1.json"),
      JSON.stringify(
        TrustConfig.parse({
          trustId: "RX1",
          name: "Example",
          enabled: true,
          endpoints: [
            {
              id: "ehr",
              url: "https://ehr.example/cb",
              eventTypes: ["message.created"],
              payloadProfile: "full",
              auth: { type: "api_key", headerName: "x-api-key", credentialsSecret: "tc/test/credentials/RX1/ehr" },
              signingSecret: "tc/test/signing/RX1/ehr",
            },
          ],
        } satisfies TrustConfigInput),
      ),
    );
    const command: RotateSigningKeyCommand = {
      name: "rotate-signing-key",
      target: { kind: "local", secretsFile, trustsDir: trusts },
      auditFile: join(dir, "audit.ndjson"),
      trust: "RX1",
      endpoint: "ehr",
      dryRun: false,
      json: false,
      endOverlap: false,
    };
    return { command, outbox: new FileNoticeOutbox(join(dir, "notices.ndjson")), audit: () => readFileSync(join(dir, "audit.ndjson"), "utf8") };
  }

  it("a rotation writes both notices; only the start is due now, the overlap's end when it comes; --end-overlap tells it now", async () => {
    const { command, outbox } = setup();
    expect(await rotateSigningKeyCommand({ ...command, overlapSeconds: 3600 })).toBe(0);
    const [started, ended] = outbox.read();
    expect(started).toMatchObject({ kind: "signing-key-rotation-started", trustId: "RX1", endpointId: "ehr", until: ended!.due });
    expect(ended).toMatchObject({ kind: "signing-key-overlap-ended", at: ended!.due });
    expect(outbox.dueBy(new Date()).map((n) => n.kind)).toEqual(["signing-key-rotation-started"]);
    expect(outbox.dueBy(new Date(Date.parse(ended!.due!) + 1)).map((n) => n.kind)).toEqual(["signing-key-rotation-started", "signing-key-overlap-ended"]);

    expect(await rotateSigningKeyCommand({ ...command, endOverlap: true })).toBe(0);
    expect(outbox.read().map((n) => n.kind)).toEqual(["signing-key-rotation-started", "signing-key-overlap-ended", "signing-key-overlap-ended"]);
    expect(outbox.dueBy(new Date()).at(-1)).toMatchObject({ kind: "signing-key-overlap-ended" });
    expect(readFileSync(outbox.file, "utf8")).not.toMatch(/whsec_/);
  });

  it("a dry run records nothing", async () => {
    const { command, outbox } = setup();
    expect(await rotateSigningKeyCommand({ ...command, dryRun: true })).toBe(0);
    expect(outbox.read()).toEqual([]);
  });

  it("a notice that cannot be recorded is a warning and an audit field; the rotation and its key stand", async () => {
    const { command, audit } = setup();
    const notices = new InMemoryNoticeLog().failNext(failed("later", "DynamoDB unavailable"));
    expect(await rotateSigningKeyCommand(command, { notices })).toBe(0);
    expect(errors.join("\n")).toMatch(/not told of this change.*do not rotate again/);
    expect(JSON.parse(audit().trim())).toMatchObject({ outcome: "rotated", notices: [], noticesNotRecorded: expect.stringContaining("DynamoDB unavailable") });
  });
});
