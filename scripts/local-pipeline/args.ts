import { ATTRIBUTE_NAMES, EVENT_TYPES, EventAttributes, type EventType } from "@trust-callbacks/schemas";
import { HELP, UsageError, helpFor, onlyOptions, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";
import type { ReceiverAuth } from "../lib/webhook-receiver.ts";

const RUN_USAGE = `  npm run local [-- run] [options]       run the pipeline end to end (default: sample trusts, 300 generated events)
    --trusts DIR|FILE   trust config directory, or one trust file (default: scripts/local-pipeline/sample-trusts)
    --receivers FILE    embedded receivers to start (default: sample-receivers.json with the sample trusts)
    --events FILE|-     feed your own events as NDJSON (a file, or - for stdin) instead of generated ones
    --count N           generated events (default 300)
    --rate N            events per second fed to the stream (default 200)
    --seed N            generator seed (default 42): the same seed generates the same events
    --duration S        stop feeding after S seconds (default: feed --count events), then drain
    --dlq-dir DIR       where per-trust DLQs are written (default .local/dlq)
    --secrets FILE      local secrets file: signing keys and credentials by secret name, shared with listen and
                        trigger; missing ones are generated into it (default .local/secrets.json at the repo root)
    --json              print the summary as JSON`;
const LISTEN_USAGE = `  npm run local -- listen --endpoint ODS/ID [--trusts DIR|FILE] [--secrets FILE] [--port N] [--respond 200|500,500,200] [--json]
                        a receiver for one endpoint of your trust file: its auth (OAuth2 token endpoint included),
                        its signing key and credentials from the secrets file (generated and printed if missing);
                        port from the endpoint's URL unless --port (0: any free port); prints a summary when stopped
  npm run local -- listen [--port 8080] [--secret whsec_...] [--auth none|basic:USER:PASS|api_key:HEADER:VALUE|oauth2:CLIENT_ID:CLIENT_SECRET]
                        the same without a trust file (a signing key is generated and printed when --secret is absent)
    --respond LIST      the HTTP status for each attempt of one delivery, the last repeated: 500,500,200 fails twice
                        then succeeds (rehearses retries); 503 always fails (default 200; --status N is the same)`;
const TRIGGER_USAGE = `  npm run local -- trigger --trust ODS --type TYPE [--trusts DIR|FILE] [--secrets FILE] [--seed N] [--max-retries N] [--json]
                        one event through the pipeline to the trust's endpoints; reports each delivery (delivered
                        with its HTTP status, retries, dead-lettered and why) and each endpoint that filtered it, and why
    --attr key=value    set an event attribute (repeatable): site, priority, specialty (to exercise conditions)
    --event FILE        send this platform event (JSON) instead of a generated one (--type is then not needed)
    --seed N            generator seed (default 42): another seed, another generated event of the type
    --max-retries N     cap the endpoints' retry attempts (default: as each trust file says, up to 185 attempts over
                        up to 24 h; 0 dead-letters at the first failure, e.g. an endpoint with no listener)`;
const DRAIN_USAGE = `  npm run local -- drain [--trusts DIR|FILE] [--receivers FILE] [--secrets FILE] [--dlq-dir DIR] [--holds-dir DIR] [--notices FILE] [--json]
                        one sweep of the hold drain (the deployed function's code) over the local holds: each
                        endpoint whose hold ended (resume, its until, its window's end) has its held deliveries sent
                        in order, re-signed, at its drain rate; reports each endpoint's phase and counts; notices go
                        to the local outbox. A closing hold is finished by a sweep 30 s after its store was empty
    --holds-dir DIR     the local holds table and stores (default: holds beside --dlq-dir, .local/holds)
    --notices FILE      the local notice outbox (default: notices.ndjson beside --dlq-dir, .local/notices.ndjson)`;
const EXIT_USAGE = "Exit status: 0 done; 1 an event unaccounted for (run), not delivered (trigger) or a drain that could not finish its step (drain); 2 a usage error (one line).";

export const USAGE = `Usage:
${RUN_USAGE}
${LISTEN_USAGE}
${TRIGGER_USAGE}
${DRAIN_USAGE}
${EXIT_USAGE}`;

/** The options each command takes, and its own usage (`npm run local -- <command> --help`). */
const LOCAL_COMMANDS: Record<string, { usage: string; options: string[] }> = {
  run: { usage: RUN_USAGE, options: ["trusts", "receivers", "events", "count", "rate", "seed", "duration", "dlq-dir", "secrets", "json"] },
  listen: { usage: LISTEN_USAGE, options: ["endpoint", "trusts", "secrets", "port", "respond", "status", "secret", "auth", "json"] },
  trigger: { usage: TRIGGER_USAGE, options: ["trust", "type", "attr", "event", "trusts", "secrets", "seed", "max-retries", "dlq-dir", "json"] },
  drain: { usage: DRAIN_USAGE, options: ["trusts", "receivers", "secrets", "dlq-dir", "holds-dir", "notices", "json"] },
};

export function localCommandUsage(name: string): string | undefined {
  const command = LOCAL_COMMANDS[name];
  return command ? `Usage:\n${command.usage}\n${EXIT_USAGE}` : undefined;
}

export interface RunCommand {
  name: "run";
  trustsDir?: string;
  receiversFile?: string;
  events?: string;
  count: number;
  rate: number;
  seed: number;
  durationSeconds?: number;
  dlqDir: string;
  secretsFile?: string;
  json: boolean;
}

export interface ListenCommand {
  name: "listen";
  /** Unset: the endpoint URL's port (with --endpoint) or 8080. */
  port?: number;
  /** With --endpoint: auth, signing key and credentials come from the trust file and the secrets file. */
  endpoint?: { trustId: string; endpointId: string };
  trustsDir?: string;
  secretsFile?: string;
  /** Without --endpoint: the signing key (generated when unset) and the auth to check. */
  secret?: string;
  auth?: ReceiverAuth;
  /** The status for attempt 1, 2, ... of each delivery; the last repeats. */
  respond: number[];
  json: boolean;
}

export interface TriggerCommand {
  name: "trigger";
  trust: string;
  /** The generated event's type; with `eventFile`, the file's event's type. */
  type?: EventType;
  /** `--attr key=value`: attributes set on the event (conditions are matched against them). */
  attributes?: Record<string, string>;
  /** `--event FILE`: this platform event instead of a generated one. */
  eventFile?: string;
  trustsDir?: string;
  dlqDir: string;
  secretsFile?: string;
  seed: number;
  maxRetries?: number;
  json: boolean;
}

export interface DrainCommand {
  name: "drain";
  trustsDir?: string;
  receiversFile?: string;
  secretsFile?: string;
  dlqDir: string;
  /** Unset: `holds` beside the DLQ directory. */
  holdsDir?: string;
  /** Unset: `notices.ndjson` beside the DLQ directory. */
  noticesFile?: string;
  json: boolean;
}

export type LocalCommand = RunCommand | ListenCommand | TriggerCommand | DrainCommand;

const OPTIONS = {
  trusts: { type: "string" },
  receivers: { type: "string" },
  events: { type: "string" },
  count: { type: "string", default: "300" },
  rate: { type: "string", default: "200" },
  seed: { type: "string", default: "42" },
  duration: { type: "string" },
  "dlq-dir": { type: "string", default: ".local/dlq" },
  secrets: { type: "string" },
  endpoint: { type: "string" },
  respond: { type: "string" },
  "max-retries": { type: "string" },
  attr: { type: "string", multiple: true },
  event: { type: "string" },
  json: { type: "boolean", default: false },
  port: { type: "string" },
  secret: { type: "string" },
  auth: { type: "string" },
  status: { type: "string" },
  trust: { type: "string" },
  type: { type: "string" },
  "holds-dir": { type: "string" },
  notices: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** `--auth none|basic:USER:PASS|api_key:HEADER:VALUE|oauth2:CLIENT_ID:CLIENT_SECRET` (the last part may hold colons) */
export function receiverAuth(text: string): ReceiverAuth {
  const [kind, a = "", ...rest] = text.split(":");
  const b = rest.join(":");
  if (kind === "none" && !a) return { type: "none" };
  if (kind === "basic" && a && b) return { type: "basic", username: a, password: b };
  if (kind === "api_key" && a && b) return { type: "api_key", headerName: a, value: b };
  if (kind === "oauth2" && a && b) return { type: "oauth2_client_credentials", clientId: a, clientSecret: b };
  throw new UsageError(`--auth must be none, basic:USER:PASS, api_key:HEADER:VALUE or oauth2:CLIENT_ID:CLIENT_SECRET (got ${kind})`);
}

/** `--respond 500,500,200`: HTTP statuses 100-599. */
export function statusSequence(text: string, name: string): number[] {
  const statuses = text.split(",").map((part) => Number(part.trim()));
  if (statuses.length === 0 || statuses.some((n) => !Number.isInteger(n) || n < 100 || n > 599)) {
    throw new UsageError(`--${name} must be HTTP statuses separated by commas, e.g. 500,500,200`);
  }
  return statuses;
}

/** `--endpoint RX1/ehr` */
function endpointRef(text: string): { trustId: string; endpointId: string } {
  const [trustId, endpointId, ...extra] = text.split("/");
  if (!trustId || !endpointId || extra.length > 0) throw new UsageError(`--endpoint must be ODS/ENDPOINT_ID, e.g. RX1/ehr`);
  return { trustId, endpointId };
}

/** The local pipeline's command line: argv in, a command out (or HELP); a mistake throws UsageError. */
export function parseLocalArgs(argv: readonly string[]): LocalCommand | Help {
  const { values, positionals, tokens } = parseOptions(argv, { allowPositionals: true, options: OPTIONS, tokens: true });
  const [name = "run", ...extra] = positionals;
  if (values.help) return positionals.length > 0 && LOCAL_COMMANDS[name] ? helpFor(name) : HELP;
  if (!LOCAL_COMMANDS[name]) throw new UsageError(`unknown command ${name}; the commands are ${Object.keys(LOCAL_COMMANDS).join(", ")}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  onlyOptions(name, tokens, LOCAL_COMMANDS[name]!.options);
  const dlqDir = values["dlq-dir"];
  const seed = wholeNumber(values.seed, "seed");
  const secretsFile = values.secrets ? { secretsFile: values.secrets } : {};
  const trustsDir = values.trusts ? { trustsDir: values.trusts } : {};
  if (name === "run") {
    return {
      name,
      ...trustsDir,
      ...(values.receivers ? { receiversFile: values.receivers } : {}),
      ...(values.events ? { events: values.events } : {}),
      count: wholeNumber(values.count, "count"),
      rate: wholeNumber(values.rate, "rate", 1),
      seed,
      ...(values.duration !== undefined ? { durationSeconds: wholeNumber(values.duration, "duration", 1) } : {}),
      dlqDir,
      ...secretsFile,
      json: values.json,
    };
  }
  if (name === "listen") {
    if (values.respond !== undefined && values.status !== undefined) throw new UsageError("give --respond or --status, not both");
    const respond = statusSequence(values.respond ?? values.status ?? "200", values.respond !== undefined ? "respond" : "status");
    const port = values.port !== undefined ? { port: wholeNumber(values.port, "port") } : {};
    if (values.endpoint) {
      if (values.secret || values.auth) throw new UsageError("--endpoint takes the signing key and auth from the trust and secrets files: drop --secret and --auth");
      return { name, ...port, endpoint: endpointRef(values.endpoint), ...trustsDir, ...secretsFile, respond, json: values.json };
    }
    return {
      name,
      ...port,
      ...(values.secret ? { secret: values.secret } : {}),
      auth: receiverAuth(values.auth ?? "none"),
      respond,
      json: values.json,
    };
  }
  if (name === "trigger") {
    const type = values.type as EventType | undefined;
    if (values.event !== undefined && type !== undefined) throw new UsageError("give --type (a generated event) or --event FILE (your event), not both");
    if (!values.trust || (values.event === undefined && !EVENT_TYPES.includes(type!)) || (type !== undefined && !EVENT_TYPES.includes(type))) {
      throw new UsageError(`trigger needs --trust ODS and --type one of ${EVENT_TYPES.join(", ")} (or --event FILE)`);
    }
    const attributes = eventAttributes(values.attr ?? []);
    return {
      name,
      trust: values.trust,
      ...(type !== undefined ? { type } : {}),
      ...(values.event !== undefined ? { eventFile: values.event } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
      ...trustsDir,
      dlqDir,
      ...secretsFile,
      seed,
      ...(values["max-retries"] !== undefined ? { maxRetries: wholeNumber(values["max-retries"], "max-retries") } : {}),
      json: values.json,
    };
  }
  if (name === "drain") {
    return {
      name,
      ...trustsDir,
      ...(values.receivers ? { receiversFile: values.receivers } : {}),
      ...secretsFile,
      dlqDir,
      ...(values["holds-dir"] ? { holdsDir: values["holds-dir"] } : {}),
      ...(values.notices ? { noticesFile: values.notices } : {}),
      json: values.json,
    };
  }
  throw new UsageError(`unknown command ${name}`);
}

/** `--attr site=MAIN --attr priority=urgent`: each a known attribute, with a value its schema takes. */
export function eventAttributes(pairs: readonly string[]): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const pair of pairs) {
    const [key = "", ...rest] = pair.split("=");
    const value = rest.join("=");
    if (!(ATTRIBUTE_NAMES as readonly string[]).includes(key) || value === "") {
      throw new UsageError(`--attr must be key=value with key one of ${ATTRIBUTE_NAMES.join(", ")} (got ${pair})`);
    }
    attributes[key] = value;
  }
  const parsed = EventAttributes.safeParse(attributes);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const allowed = "values" in issue ? ` (one of ${(issue.values as string[]).join(", ")})` : "";
    throw new UsageError(`--attr ${String(issue.path[0])}=${attributes[String(issue.path[0])]} is not a valid ${String(issue.path[0])}${allowed}`);
  }
  return attributes;
}
