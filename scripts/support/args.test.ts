import { describe, expect, it } from "vitest";
import { HELP, helpFor } from "../lib/command-line.ts";
import { parseSupportArgs } from "./args.ts";

const local = { target: { kind: "local", root: ".local/dlq" }, auditFile: "redrive-audit.ndjson", json: false };

describe("parseSupportArgs", () => {
  it.each<[string[], unknown]>([
    [["--help"], HELP],
    [["list"], { name: "list", ...local }],
    [["list", "--local", "dlq", "--trusts", "t"], { name: "list", target: { kind: "local", root: "dlq", trustsDir: "t" }, auditFile: "redrive-audit.ndjson", json: false }],
    [["list", "--outputs", "o.json", "--trusts", "t"], { name: "list", target: { kind: "aws", outputsFile: "o.json", trustsDir: "t" }, auditFile: "redrive-audit.ndjson", json: false }],
    [["list", "--json"], { name: "list", ...local, json: true }],
    [["show", "--trust", "RYJ"], { name: "show", ...local, trust: "RYJ", selection: {}, showContent: false }],
    [["show", "--trust", "RYJ", "--endpoint", "legacy", "--limit", "5", "--show-content"], { name: "show", ...local, trust: "RYJ", selection: { endpointId: "legacy", limit: 5 }, showContent: true }],
    [["redrive", "--trust", "RYJ", "--since", "2026-11-21T00:00:00Z", "--error-code", "TIMEOUT"], { name: "redrive", ...local, trust: "RYJ", selection: { since: new Date("2026-11-21T00:00:00Z"), errorCode: "TIMEOUT" }, dryRun: false, ratePerSecond: 10 }],
    [["redrive", "--trust", "RYJ", "--dry-run", "--rate", "50"], { name: "redrive", ...local, trust: "RYJ", selection: {}, dryRun: true, ratePerSecond: 50 }],
    [["purge", "--trust", "RYJ", "--confirm", "RYJ"], { name: "purge", ...local, trust: "RYJ", confirm: "RYJ", dryRun: false }],
    [["purge", "--trust", "RYJ", "--dry-run", "--json"], { name: "purge", ...local, json: true, trust: "RYJ", dryRun: true }],
    [["show", "--help"], helpFor("show")],
    [["--help", "redrive"], helpFor("redrive")],
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
    [["history", "--trust", "RYJ"], { name: "history", ...local, filter: { trustId: "RYJ", limit: 1000 }, historyFile: ".local/history.jsonl" }],
    [
      ["history", "--trust", "RX1", "--endpoint", "ehr", "--since", "2026-11-21T10:00:00Z", "--until", "2026-11-21T11:00:00Z", "--json", "--limit", "5"],
      { name: "history", ...local, json: true, filter: { trustId: "RX1", endpointId: "ehr", since: new Date("2026-11-21T10:00:00Z"), until: new Date("2026-11-21T11:00:00Z"), limit: 5 }, historyFile: ".local/history.jsonl" },
    ],
    [["history", "--source-event-id", "0f8fad5b-d9cb-469f"], { name: "history", ...local, filter: { sourceEventId: "0f8fad5b-d9cb-469f", limit: 1000 }, historyFile: ".local/history.jsonl" }],
    [["history", "--cloudevent-id", "5d0b6c1e", "--history-file", "h.jsonl"], { name: "history", ...local, filter: { cloudEventId: "5d0b6c1e", limit: 1000 }, historyFile: "h.jsonl" }],
  ])("%j → %j", (argv, expected) => {
    expect(parseSupportArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [[], /^no command given/],
    [["resend"], /^unknown command resend; the commands are list, show, redrive, purge, history, replay-quarantine, replay, hold, resume, console, rotate-signing-key, add-endpoint$/],
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
    [["list", "--colour"], /^unknown option --colour; the options are --outputs, --trusts/],
    [["list", "--trust", "RYJ"], /^list does not take --trust; it takes --json, --outputs, --trusts, --local, --audit-file$/],
    [["show", "--trust", "RYJ", "--dry-run"], /^show does not take --dry-run; it takes --trust, --endpoint/],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--url", "https://x"], /^rotate-signing-key does not take --url/],
    [["show", "--trust"], /^--trust needs a value$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseSupportArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});

describe("parseSupportArgs: rotate-signing-key and add-endpoint", () => {
  const aws = { target: { kind: "aws", env: "prod", trustsDir: "infrastructure/terraform/environments/prod/trusts", namePrefix: "trust-callbacks-prod" }, auditFile: "redrive-audit.ndjson", dryRun: false, json: false };
  const localTarget = (trustsDir = "scripts/local-pipeline/sample-trusts") => ({ kind: "local", secretsFile: ".local/secrets.json", trustsDir });
  const newEndpoint = ["--url", "https://x.example/cb", "--events", "message.created,response.sent", "--auth", "api_key", "--header-name", "x-api-key", "--profile", "minimal"];
  const awsEndpoint = { ...aws, change: false, secretPrefix: "trust-callbacks/prod/", namePrefix: "trust-callbacks-prod" };

  it.each<[string[], unknown]>([
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr"], { name: "rotate-signing-key", ...aws, trust: "RX1", endpoint: "ehr", endOverlap: false }],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--overlap", "26h", "--dry-run", "--json"], { name: "rotate-signing-key", ...aws, dryRun: true, json: true, trust: "RX1", endpoint: "ehr", endOverlap: false, overlapSeconds: 93600 }],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--overlap", "0"], { name: "rotate-signing-key", ...aws, trust: "RX1", endpoint: "ehr", endOverlap: false, overlapSeconds: 0 }],
    [["rotate-signing-key", "--env", "prod", "--trusts", "t", "--trust", "RX1", "--endpoint", "ehr", "--end-overlap"], { name: "rotate-signing-key", ...aws, target: { kind: "aws", env: "prod", trustsDir: "t", namePrefix: "trust-callbacks-prod" }, trust: "RX1", endpoint: "ehr", endOverlap: true }],
    // The notices table is the deployment's own (`<name prefix>-notices`), for a deployment named otherwise too.
    [["rotate-signing-key", "--env", "prod", "--name-prefix", "tc-prod", "--trust", "RX1", "--endpoint", "ehr"], { name: "rotate-signing-key", ...aws, target: { ...aws.target, namePrefix: "tc-prod" }, trust: "RX1", endpoint: "ehr", endOverlap: false }],
    [["rotate-signing-key", "--trust", "RX1", "--endpoint", "ehr"], { name: "rotate-signing-key", ...aws, target: localTarget(), trust: "RX1", endpoint: "ehr", endOverlap: false }],
    [["rotate-signing-key", "--secrets", "s.json", "--trust", "RX1", "--endpoint", "ehr", "--overlap", "90m"], { name: "rotate-signing-key", ...aws, target: { ...localTarget(), secretsFile: "s.json" }, trust: "RX1", endpoint: "ehr", endOverlap: false, overlapSeconds: 5400 }],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "bleep", ...newEndpoint], {
      name: "add-endpoint", ...awsEndpoint, trust: "RX1", endpoint: "bleep",
      fields: { url: "https://x.example/cb", eventTypes: ["message.created", "response.sent"], payloadProfile: "minimal", auth: { type: "api_key", headerName: "x-api-key" } },
    }],
    [["add-endpoint", "--env", "prod", "--trust", "RX9", "--trust-name", "Nine", "--endpoint", "ehr", "--url", "https://x.example/cb", "--events", "message.created", "--auth", "oauth2_client_credentials", "--token-url", "https://x.example/token", "--scopes", "a, b", "--profile", "full", "--site", "MAIN", "--priority", "urgent,emergency", "--rate-limit", "20", "--max-event-age", "1h", "--max-retries", "50", "--description", "EHR", "--disabled", "--kms-key", "alias/secrets"], {
      name: "add-endpoint", ...awsEndpoint, trust: "RX9", trustName: "Nine", endpoint: "ehr", kmsKeyId: "alias/secrets",
      fields: {
        url: "https://x.example/cb", description: "EHR", enabled: false, eventTypes: ["message.created"], payloadProfile: "full",
        conditions: { site: ["MAIN"], priority: ["urgent", "emergency"] },
        auth: { type: "oauth2_client_credentials", tokenUrl: "https://x.example/token", scopes: ["a", "b"] },
        rateLimitPerSecond: 20, retryPolicy: { maximumEventAgeSeconds: 3600, maximumRetryAttempts: 50 },
      },
    }],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--change", "--rate-limit", "5"], { name: "add-endpoint", ...awsEndpoint, change: true, trust: "RX1", endpoint: "ehr", fields: { rateLimitPerSecond: 5 } }],
    [["add-endpoint", "--trusts", "t", "--trust", "RX1", "--endpoint", "ehr", "--change", "--url", "http://127.0.0.1:1/x"], {
      name: "add-endpoint", ...aws, target: localTarget("t"), change: true, trust: "RX1", endpoint: "ehr", fields: { url: "http://127.0.0.1:1/x" }, secretPrefix: "trust-callbacks/local/", namePrefix: "trust-callbacks-local",
    }],
    [["add-endpoint", "--env", "prod", "--secret-prefix", "tc/prod/", "--name-prefix", "tc-prod", "--trust", "RX1", "--endpoint", "ehr", "--change", "--profile", "full"], {
      name: "add-endpoint", ...awsEndpoint, target: { ...aws.target, namePrefix: "tc-prod" }, secretPrefix: "tc/prod/", namePrefix: "tc-prod", change: true, trust: "RX1", endpoint: "ehr", fields: { payloadProfile: "full" },
    }],
  ])("%j → %j", (argv, expected) => {
    expect(parseSupportArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["rotate-signing-key", "--env", "prod", "--endpoint", "ehr"], /^rotate-signing-key needs --trust T$/],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1"], /^rotate-signing-key needs --endpoint E$/],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--overlap", "a day"], /^--overlap must be a duration such as 25h/],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--overlap=-1h"], /^--overlap must be a duration/],
    [["rotate-signing-key", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--overlap", "1h", "--end-overlap"], /not both$/],
    [["rotate-signing-key", "--env", "prod", "--secrets", "s.json", "--trust", "RX1", "--endpoint", "ehr"], /^give --env \(AWS\) or --secrets/],
    [["rotate-signing-key", "--outputs", "o.json", "--trusts", "t", "--trust", "RX1", "--endpoint", "ehr"], /takes --env ENV \(AWS\) or --secrets FILE/],
    [["rotate-signing-key", "--env", "Prod!", "--trust", "RX1", "--endpoint", "ehr"], /^--env must be an environment name/],
    [["add-endpoint", "--trust", "RX1", "--endpoint", "ehr", ...newEndpoint], /^add-endpoint needs --env ENV, or --trusts DIR/],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--url", "https://x.example/cb"], /^a new endpoint needs --events, --auth, --profile \(or --change/],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", ...newEndpoint.slice(0, 4), "--auth", "oauth"], /^--auth must be one of oauth2_client_credentials, basic, api_key$/],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--change", "--rate-limit", "0"], /^--rate-limit must be a whole number >= 1$/],
    [["add-endpoint", "--env", "prod", "--trust", "RX1", "--endpoint", "ehr", "--change", "--max-retries", "many"], /^--max-retries must be a whole number >= 0$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseSupportArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});

describe("parseSupportArgs: hold and resume (docs/guarantees.md 10.20, 10.21, 10.25)", () => {
  const held = { ...local, trust: "RX1", dryRun: false };
  it.each<[string[], unknown]>([
    [["hold", "--trust", "RX1", "--reason", "EPR upgrade"], { name: "hold", ...held, reason: "EPR upgrade" }],
    [["hold", "--trust", "RX1", "--endpoint", "ehr", "--reason", "  EPR  ", "--until", "8h", "--dry-run", "--json"], { name: "hold", ...held, endpoint: "ehr", reason: "EPR", until: { afterSeconds: 28800 }, dryRun: true, json: true }],
    [["hold", "--trust", "RX1", "--reason", "r", "--until", "2026-12-05T18:00:00Z"], { name: "hold", ...held, reason: "r", until: { at: new Date("2026-12-05T18:00:00Z") } }],
    [["hold", "--trust", "RX1", "--reason", "r", "--until", "2026-12-05T18:00:00+01:00"], { name: "hold", ...held, reason: "r", until: { at: new Date("2026-12-05T17:00:00Z") } }],
    [["hold", "--local", "x/dlq", "--trust", "RX1", "--reason", "r"], { name: "hold", ...held, target: { kind: "local", root: "x/dlq" }, reason: "r" }],
    [["resume", "--trust", "RX1"], { name: "resume", ...held }],
    [["resume", "--trust", "RX1", "--endpoint", "ehr", "--dry-run"], { name: "resume", ...held, endpoint: "ehr", dryRun: true }],
    [["hold", "--help"], helpFor("hold")],
  ])("%j → %j", (argv, expected) => {
    expect(parseSupportArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["hold", "--reason", "r"], /^hold needs --trust T$/],
    [["hold", "--trust", "RX1"], /^hold needs --reason "TEXT"/],
    [["hold", "--trust", "RX1", "--reason", "   "], /^hold needs --reason "TEXT"/],
    [["hold", "--trust", "RX1", "--reason", "x".repeat(201)], /^--reason must be at most 200 characters \(it is 201\)$/],
    [["hold", "--trust", "RX1", "--reason", "r", "--until", "tomorrow"], /^--until must be an ISO date-time with its offset .* or a duration such as 8h/],
    [["hold", "--trust", "RX1", "--reason", "r", "--until", "2026-12-05T18:00:00"], /^--until must be an ISO date-time with its offset/],
    [["resume", "--trust", "RX1", "--reason", "r"], /^resume does not take --reason/],
    [["resume", "--trust", "RX1", "--until", "8h"], /^resume does not take --until/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseSupportArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
