import { describe, expect, it } from "vitest";
import { HELP } from "../lib/command-line.ts";
import { parseLocalArgs } from "./args.ts";

const run = { name: "run", count: 300, rate: 200, seed: 42, dlqDir: ".local/dlq", json: false };

describe("parseLocalArgs", () => {
  it.each<[string[], unknown]>([
    [[], run],
    [["run"], run],
    [["--count", "5", "--rate", "50", "--json"], { ...run, count: 5, rate: 50, json: true }],
    [["--trusts", "t", "--events", "-", "--duration", "3"], { ...run, trustsDir: "t", events: "-", durationSeconds: 3 }],
    [["--help"], HELP],
    [["trigger", "-h"], HELP],
    [["listen", "--secret", "whsec_x"], { name: "listen", port: 8080, secret: "whsec_x", auth: { type: "none" }, status: 200 }],
    [["listen", "--secret", "s", "--auth", "basic:u:p", "--status", "503"], { name: "listen", port: 8080, secret: "s", auth: { type: "basic", username: "u", password: "p" }, status: 503 }],
    [["listen", "--secret", "s", "--auth", "api_key:x-key:v"], expect.objectContaining({ auth: { type: "api_key", headerName: "x-key", value: "v" } })],
    [["trigger", "--trust", "RX1", "--type", "message.read"], { name: "trigger", trust: "RX1", type: "message.read", dlqDir: ".local/dlq", seed: 42 }],
  ])("%j → %j", (argv, expected) => {
    expect(parseLocalArgs(argv)).toEqual(expected);
  });

  it.each<[string[], RegExp]>([
    [["frobnicate"], /^unknown command frobnicate$/],
    [["--count", "lots"], /^--count must be a whole number >= 0$/],
    [["--rate", "0"], /^--rate must be a whole number >= 1$/],
    [["--colour", "blue"], /Unknown option '--colour'/],
    [["listen"], /^listen needs --secret/],
    [["listen", "--secret", "s", "--auth", "kerberos"], /^--auth must be/],
    [["trigger", "--trust", "RX1"], /^trigger needs --trust ODS and --type one of/],
    [["trigger", "--trust", "RX1", "--type", "message.deleted"], /^trigger needs/],
    [["run", "extra"], /^unexpected argument extra$/],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseLocalArgs(argv)).toThrow(expect.objectContaining({ name: "UsageError", message: expect.stringMatching(message) }));
  });
});
