import { describe, expect, it } from "vitest";
import { HELP } from "../lib/command-line.ts";
import { parseRedriveArgs } from "./args.ts";

const local = { target: { kind: "local", root: ".local/dlq" }, auditFile: "redrive-audit.ndjson" };

describe("parseRedriveArgs", () => {
  it.each<[string[], unknown]>([
    [["--help"], HELP],
    [["list"], { name: "list", ...local }],
    [["list", "--local", "dlq", "--trusts", "t"], { name: "list", target: { kind: "local", root: "dlq", trustsDir: "t" }, auditFile: "redrive-audit.ndjson" }],
    [["list", "--outputs", "o.json", "--trusts", "t"], { name: "list", target: { kind: "aws", outputsFile: "o.json", trustsDir: "t" }, auditFile: "redrive-audit.ndjson" }],
    [["show", "--trust", "RYJ"], { name: "show", ...local, trust: "RYJ", selection: {}, showContent: false }],
    [["show", "--trust", "RYJ", "--endpoint", "legacy", "--limit", "5", "--show-content"], { name: "show", ...local, trust: "RYJ", selection: { endpointId: "legacy", limit: 5 }, showContent: true }],
    [["redrive", "--trust", "RYJ", "--since", "2026-11-21T00:00:00Z", "--error-code", "TIMEOUT"], { name: "redrive", ...local, trust: "RYJ", selection: { since: new Date("2026-11-21T00:00:00Z"), errorCode: "TIMEOUT" }, dryRun: false, ratePerSecond: 10 }],
    [["redrive", "--trust", "RYJ", "--dry-run", "--rate", "50"], { name: "redrive", ...local, trust: "RYJ", selection: {}, dryRun: true, ratePerSecond: 50 }],
    [["purge", "--trust", "RYJ", "--confirm", "RYJ"], { name: "purge", ...local, trust: "RYJ", confirm: "RYJ" }],
    [["replay-quarantine", "--trust", "RX1"], { name: "replay-quarantine", ...local, trust: "RX1", dryRun: false, ratePerSecond: 10, quarantineDir: ".local/quarantine" }],
    [
      ["replay-quarantine", "--trust", "RX1", "--since", "2026-11-21T00:00:00Z", "--until", "2026-11-22T00:00:00Z", "--reason", "unknown trust", "--dry-run", "--rate", "5", "--quarantine-dir", "q"],
      { name: "replay-quarantine", ...local, trust: "RX1", since: new Date("2026-11-21T00:00:00Z"), until: new Date("2026-11-22T00:00:00Z"), reason: "unknown trust", dryRun: true, ratePerSecond: 5, quarantineDir: "q" },
    ],
    [
      ["replay", "--trust", "RX1", "--endpoint", "bleep", "--since", "2026-11-21T10:00:00Z", "--until", "2026-11-21T11:00:00Z"],
      { name: "replay", ...local, trust: "RX1", endpoint: "bleep", since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), dryRun: false, ratePerSecond: 10, streamFile: ".local/stream.jsonl" },
    ],
    [
      ["replay", "--trust", "RX1", "--since", "2026-11-21T10:00:00Z", "--until", "2026-11-21T11:00:00Z", "--dry-run", "--rate", "100", "--cloudevent-source", "/trust-callbacks/prod"],
      { name: "replay", ...local, trust: "RX1", since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), dryRun: true, ratePerSecond: 100, cloudEventSource: "/trust-callbacks/prod", streamFile: ".local/stream.jsonl" },
    ],
    [["history", "--trust", "RYJ"], { name: "history", ...local, filter: { trustId: "RYJ", limit: 1000 }, json: false, historyFile: ".local/history.jsonl" }],
    [
      ["history", "--trust", "RX1", "--endpoint", "ehr", "--since", "2026-11-21T10:00:00Z", "--until", "2026-11-21T11:00:00Z", "--json", "--limit", "5"],
      { name: "history", ...local, filter: { trustId: "RX1", endpointId: "ehr", since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), limit: 5 }, json: true, historyFile: ".local/history.jsonl" },
    ],
    [["history", "--source-event-id", "0f8fad5b-d9cb-469f"], { name: "history", ...local, filter: { sourceEventId: "0f8fad5b-d9cb-469f", limit: 1000 }, json: false, historyFile: ".local/history.jsonl" }],
    [["history", "--cloudevent-id", "5d0b6c1e", "--history-file", "h.jsonl"], { name: "history", ...local, filter: { cloudEventId: "5d0b6c1e", limit: 1000 }, json: false, historyFile: "h.jsonl" }],
  ])("%j → %j", (argv, expected) => {
    expect(parseRedriveArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [[], /^no command given/],
    [["resend"], /^unknown command resend$/],
    [["replay-quarantine"], /^replay-quarantine needs --trust T$/],
    [["replay", "--trust", "RX1", "--since", "2026-11-21T10:00:00Z"], /^replay needs --since ISO and --until ISO/],
    [["replay-quarantine", "--trust", "RX1", "--since", "2026-11-22T00:00:00Z", "--until", "2026-11-21T00:00:00Z"], /^--since must be before --until$/],
    [["history"], /^history needs --trust T, --source-event-id ID or --cloudevent-id ID$/],
    [["history", "--endpoint", "ehr", "--source-event-id", "x"], /^--endpoint needs --trust$/],
    [["history", "--source-event-id", "x\" or 1=1"], /^--source-event-id must be an id/],
    [["history", "--trust", "RX1", "--since", "2026-11-22T00:00:00Z", "--until", "2026-11-21T00:00:00Z"], /^--since must be before --until$/],
    [["show"], /^show needs --trust T$/],
    [["list", "--outputs", "o.json"], /^--outputs needs --trusts DIR/],
    [["list", "--outputs", "o.json", "--trusts", "t", "--local", "d"], /not both$/],
    [["redrive", "--trust", "RYJ", "--since", "yesterday"], /^--since must be an ISO date-time$/],
    [["redrive", "--trust", "RYJ", "--limit", "0"], /^--limit must be a whole number >= 1$/],
    [["redrive", "--trust", "RYJ", "--rate", "fast"], /^--rate must be a whole number >= 1$/],
    [["list", "--colour"], /Unknown option '--colour'/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseRedriveArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
