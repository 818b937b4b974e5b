import { describe, expect, it } from "vitest";
import { HELP, helpFor } from "../lib/command-line.ts";
import { parseLocalArgs } from "./args.ts";

const run = { name: "run", count: 300, rate: 200, seed: 42, dlqDir: ".local/dlq", json: false };

describe("parseLocalArgs", () => {
  it.each<[string[], unknown]>([
    [[], run],
    [["run"], run],
    [["--count", "5", "--rate", "50", "--json"], { ...run, count: 5, rate: 50, json: true }],
    [["--trusts", "t", "--events", "-", "--duration", "3"], { ...run, trustsDir: "t", events: "-", durationSeconds: 3 }],
    [["--help"], HELP],
    [["trigger", "-h"], helpFor("trigger")],
    [["-h"], HELP],
    [["trigger", "--trust", "RX1", "--type", "message.created", "--attr", "priority=urgent", "--attr", "site=MAIN"], { name: "trigger", trust: "RX1", type: "message.created", attributes: { priority: "urgent", site: "MAIN" }, dlqDir: ".local/dlq", seed: 42, json: false }],
    [["trigger", "--trust", "RX1", "--event", "e.json", "--seed", "7"], { name: "trigger", trust: "RX1", eventFile: "e.json", dlqDir: ".local/dlq", seed: 7, json: false }],
    [["listen", "--secret", "whsec_x"], { name: "listen", secret: "whsec_x", auth: { type: "none" }, respond: [200], json: false }],
    [["listen"], { name: "listen", auth: { type: "none" }, respond: [200], json: false }],
    [["listen", "--secret", "s", "--auth", "basic:u:p", "--status", "503"], { name: "listen", secret: "s", auth: { type: "basic", username: "u", password: "p" }, respond: [503], json: false }],
    [["listen", "--secret", "s", "--auth", "api_key:x-key:v:with:colons"], expect.objectContaining({ auth: { type: "api_key", headerName: "x-key", value: "v:with:colons" } })],
    [["listen", "--auth", "oauth2:client-1:s3cret", "--port", "0"], expect.objectContaining({ port: 0, auth: { type: "oauth2_client_credentials", clientId: "client-1", clientSecret: "s3cret" } })],
    [["listen", "--endpoint", "RX1/ehr", "--trusts", "t", "--secrets", "s.json", "--respond", "500, 500,200", "--json"], { name: "listen", endpoint: { trustId: "RX1", endpointId: "ehr" }, trustsDir: "t", secretsFile: "s.json", respond: [500, 500, 200], json: true }],
    [["trigger", "--trust", "RX1", "--type", "message.read"], { name: "trigger", trust: "RX1", type: "message.read", dlqDir: ".local/dlq", seed: 42, json: false }],
    [["trigger", "--trust", "RX1", "--type", "message.read", "--max-retries", "2", "--secrets", "s.json", "--json"], { name: "trigger", trust: "RX1", type: "message.read", dlqDir: ".local/dlq", secretsFile: "s.json", seed: 42, maxRetries: 2, json: true }],
    [["--secrets", "s.json"], { ...run, secretsFile: "s.json" }],
    [["drain"], { name: "drain", dlqDir: ".local/dlq", json: false }],
    [["drain", "--trusts", "t", "--holds-dir", "h", "--notices", "n.ndjson", "--secrets", "s.json", "--json"], { name: "drain", trustsDir: "t", holdsDir: "h", noticesFile: "n.ndjson", secretsFile: "s.json", dlqDir: ".local/dlq", json: true }],
    [["drain", "-h"], helpFor("drain")],
  ])("%j → %j", (argv, expected) => {
    expect(parseLocalArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["frobnicate"], /^unknown command frobnicate; the commands are run, listen, trigger, drain$/],
    [["drain", "--count", "3"], /^drain does not take --count; it takes /],
    [["run", "--holds-dir", "h"], /^run does not take --holds-dir; it takes /],
    [["--count", "lots"], /^--count must be a whole number >= 0$/],
    [["--rate", "0"], /^--rate must be a whole number >= 1$/],
    [["--colour", "blue"], /^unknown option --colour; the options are --trusts, /],
    [["listen", "--secret", "s", "--auth", "kerberos"], /^--auth must be none, basic:USER:PASS, api_key:HEADER:VALUE or oauth2:CLIENT_ID:CLIENT_SECRET \(got kerberos\)$/],
    [["listen", "--auth", "basic:onlyuser"], /^--auth must be/],
    [["listen", "--auth", "oauth2:id"], /^--auth must be/],
    [["listen", "--respond", "500,abc"], /^--respond must be HTTP statuses/],
    [["listen", "--respond", "700"], /^--respond must be HTTP statuses/],
    [["listen", "--respond", "500", "--status", "200"], /^give --respond or --status, not both$/],
    [["listen", "--endpoint", "RX1"], /^--endpoint must be ODS\/ENDPOINT_ID/],
    [["listen", "--endpoint", "RX1/ehr", "--secret", "s"], /^--endpoint takes the signing key and auth/],
    [["trigger", "--trust", "RX1", "--type", "message.read", "--max-retries", "lots"], /^--max-retries must be a whole number/],
    [["trigger", "--trust", "RX1"], /^trigger needs --trust ODS and --type one of/],
    [["trigger", "--trust", "RX1", "--type", "message.deleted"], /^trigger needs/],
    [["trigger", "--trust", "RX1", "--type", "message.read", "--attr", "colour=red"], /^--attr must be key=value with key one of site, priority, specialty \(got colour=red\)$/],
    [["trigger", "--trust", "RX1", "--type", "message.read", "--attr", "priority=high"], /^--attr priority=high is not a valid priority \(one of routine, urgent, emergency\)$/],
    [["trigger", "--trust", "RX1", "--type", "message.read", "--event", "e.json"], /^give --type \(a generated event\) or --event FILE/],
    [["listen", "--count", "3"], /^listen does not take --count; it takes /],
    [["run", "extra"], /^unexpected argument extra$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseLocalArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
