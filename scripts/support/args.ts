import { dirname, join } from "node:path";
import { SAFE_ID } from "../lib/call-history.ts";
import { HELP, UsageError, dateTime, helpFor, onlyOptions, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";
import type { HoldUntil } from "./holds.ts";
import type { Selection } from "./redrive.ts";

const TARGET_USAGE = `Target (one of):
  --outputs FILE --trusts DIR           AWS: FILE is \`terraform output -json\` of the environment; DIR its trusts/
                                        (region and profile as usual for the AWS SDK: AWS_REGION, AWS_PROFILE)
  --local DIR [--trusts DIR]            the local pipeline's DLQs (default .local/dlq, sample trusts); redrives and
                                        replays go into a fresh local pipeline that delivers where the trust files say
  --audit-file FILE                     audit lines (default redrive-audit.ndjson, 0600); in AWS also the outputs'
                                        pipeline.support.audit_log_group_name, with the caller's identity from STS`;
const SECRET_TARGET_USAGE = `Target (one of):
  --env ENV [--trusts DIR]              AWS Secrets Manager; trust files in infrastructure/terraform/environments/ENV/trusts
  [--secrets FILE] [--trusts DIR]       the local pipeline's secrets file (default .local/secrets.json) and trust files
                                        (rotate: default the sample trusts; add-endpoint: --trusts is required)
  --audit-file FILE                     audit lines (default redrive-audit.ndjson; never a key)`;
const SELECTION_USAGE = "Selection: --endpoint E  --error-code C  --since ISO  --until ISO  --limit N";

/** Each command's own usage (`npm run support -- <command> --help`), and the options it takes. */
export const COMMANDS = {
  list: {
    usage: `  list [--json]                         every trust's DLQ: depth and age of the oldest message`,
    options: ["json"],
  },
  show: {
    usage: `  show    --trust T [selection] [--show-content] [--json]
                                        failed deliveries: type, CloudEvent id, endpoint, error, attempts, first failure;
                                        --show-content adds the payload (may hold clinical content; audited)`,
    options: ["trust", "endpoint", "error-code", "since", "until", "limit", "show-content", "json"],
  },
  redrive: {
    usage: `  redrive --trust T [selection] [--dry-run] [--rate N] [--json]
                                        re-publish to exactly the endpoint that failed; delete only after PutEvents accepted`,
    options: ["trust", "endpoint", "error-code", "since", "until", "limit", "dry-run", "rate", "json"],
  },
  purge: {
    usage: `  purge   --trust T [--confirm T] [--dry-run] [--json]
                                        delete every message of the trust's DLQ; asks for the trust id at a terminal unless
                                        --confirm names the trust; refuses without a terminal and a matching --confirm`,
    options: ["trust", "confirm", "dry-run", "json"],
  },
  history: {
    usage: `  history [--trust T] [--endpoint E] [--source-event-id ID] [--cloudevent-id ID] [--since ISO] [--until ISO] [--limit N] [--json]
                                        each delivery's story: published, attempts (HTTP status when known), DLQ, redrive /
                                        replay / purge (who, when), new attempts; DELIVERED / FAILED / PENDING / PURGED /
                                        QUARANTINED; window default: the 24 h before --until (now)
                                        (AWS: Logs Insights on the Lambda's, the support audit and the buses' log groups;
                                        local: --history-file, default history.jsonl beside the --local DLQs)`,
    options: ["trust", "endpoint", "source-event-id", "cloudevent-id", "since", "until", "limit", "json", "history-file"],
  },
  "replay-quarantine": {
    usage: `  replay-quarantine --trust T [--since ISO] [--until ISO] [--reason TEXT] [--dry-run] [--rate N] [--json]
                                        put the trust's quarantined records (default: the last 14 days) back on the source
                                        stream once their cause is fixed (refused while the trust has no trust file); each
                                        object is removed only after the stream accepted its record (local: --quarantine-dir,
                                        default quarantine/ beside the --local DLQs)`,
    options: ["trust", "since", "until", "reason", "dry-run", "rate", "quarantine-dir", "json"],
  },
  replay: {
    usage: `  replay  --trust T [--endpoint E] --since ISO --until ISO [--dry-run] [--rate N] [--cloudevent-source S] [--json]
                                        read the source stream for the window (within its retention) and re-deliver the
                                        trust's events (only to E when given) through the Lambda's core: freshly signed,
                                        same CloudEvent ids, so receivers dedupe (local: --stream-file, default stream.jsonl beside the --local DLQs)`,
    options: ["trust", "endpoint", "since", "until", "dry-run", "rate", "cloudevent-source", "stream-file", "json"],
  },
  hold: {
    usage: `  hold    --trust T [--endpoint E] --reason "TEXT" [--until ISO|8h] [--dry-run] [--json]
                                        hold the endpoint's deliveries (without --endpoint: every endpoint switched on):
                                        kept in order in its hold store, sent when the hold ends; takes effect within 20 s,
                                        no deploy; --until ends it by itself (at most 13 days); refuses one already held`,
    options: ["trust", "endpoint", "reason", "until", "dry-run", "json"],
  },
  resume: {
    usage: `  resume  --trust T [--endpoint E] [--dry-run] [--json]
                                        end the hold (an operator's, or a trust-file window early): the drain sends the
                                        held deliveries in order, paced, within a minute; new ones queue behind them`,
    options: ["trust", "endpoint", "dry-run", "json"],
  },
  console: {
    usage: `  console [--port N] [--env ENV]      the support console: a web page on 127.0.0.1 (free port unless --port) showing every
                                        trust's health, traces, and redrive / replay / purge (the same code and audit as
                                        these commands); prints its URL with an access token and opens nothing
                                        (--env ENV: --outputs FILE, trusts default infrastructure/terraform/environments/ENV/trusts)`,
    options: ["port", "env"],
  },
  "rotate-signing-key": {
    usage: `  rotate-signing-key --trust T --endpoint E [--overlap 25h] [--end-overlap] [--dry-run] [--json]
                                        new signing key for the endpoint, printed once for the trust; the old key keeps
                                        signing too until the overlap ends (default: the endpoint's maximum event age +
                                        1 h 18 min); --end-overlap removes the old key(s) now`,
    options: ["env", "secrets", "trusts", "audit-file", "trust", "endpoint", "overlap", "end-overlap", "name-prefix", "dry-run", "json"],
  },
  "add-endpoint": {
    usage: `  add-endpoint --trust T --endpoint E --url URL --events a,b --auth TYPE --profile full|minimal [options]
                                        add (or with --change, change) an endpoint in the trust's file, create its
                                        signing key and an empty credentials secret; prints what the trust needs
      --token-url U --scopes a,b (oauth2_client_credentials)  --header-name H (api_key)  --site/--priority/--specialty a,b
      --rate-limit N  --max-event-age 1h  --max-retries N (default 185)  --description D  --disabled  --trust-name "N" (new trust file)
      --secret-prefix P (default trust-callbacks/<env>/)  --name-prefix P (default trust-callbacks-<env>)  --kms-key K
      --dry-run  --json`,
    options: [
      "env", "secrets", "trusts", "audit-file", "trust", "endpoint", "change", "trust-name", "url", "events", "auth", "token-url", "scopes",
      "header-name", "profile", "site", "priority", "specialty", "rate-limit", "max-event-age", "max-retries", "description", "disabled",
      "secret-prefix", "name-prefix", "kms-key", "dry-run", "json",
    ],
  },
} as const satisfies Record<string, { usage: string; options: readonly string[] }>;

export type SupportCommandName = keyof typeof COMMANDS;
const COMMAND_NAMES = Object.keys(COMMANDS) as SupportCommandName[];
const TARGET_OPTIONS = ["outputs", "trusts", "local", "audit-file"];
const SECRET_COMMANDS: readonly string[] = ["rotate-signing-key", "add-endpoint"];
const SELECTION_COMMANDS: readonly string[] = ["show", "redrive"];

/** `npm run support -- <command> --help`: that command's usage, its target and selection; undefined for no such command. */
export function commandUsage(name: string): string | undefined {
  if (!(name in COMMANDS)) return undefined;
  const command = COMMANDS[name as SupportCommandName];
  const target = SECRET_COMMANDS.includes(name) ? SECRET_TARGET_USAGE : TARGET_USAGE;
  return [`Usage: npm run support -- ${command.usage.trimStart()}`, ...(SELECTION_COMMANDS.includes(name) ? [SELECTION_USAGE] : []), target, EXIT_USAGE].join("\n");
}

const EXIT_USAGE = `Output: a table or summary; --json prints one JSON document (docs/support-cli.md).
Exit status: 0 done; 1 a message or record failed (audited) or AWS failed; 2 a usage mistake (one line, nothing done).`;

export const USAGE = `Usage: npm run support -- <command> [target] [options]   (npm run support -- <command> --help for one command)
Commands:
${COMMAND_NAMES.filter((name) => !SECRET_COMMANDS.includes(name)).map((name) => COMMANDS[name].usage).join("\n")}

${COMMAND_NAMES.filter((name) => SECRET_COMMANDS.includes(name)).map((name) => COMMANDS[name].usage).join("\n")}
${TARGET_USAGE}
Target of rotate-signing-key and add-endpoint (one of):
${SECRET_TARGET_USAGE.split("\n").slice(1).join("\n")}
${SELECTION_USAGE}
Audit: one JSON line per message to --audit-file; rotate-signing-key and add-endpoint never write a key there.
${EXIT_USAGE}`;

export type TargetOptions = { kind: "aws"; outputsFile: string; trustsDir: string } | { kind: "local"; root: string; trustsDir?: string };

interface Common {
  target: TargetOptions;
  auditFile: string;
  /** One JSON document on stdout (shapes in docs/support-cli.md) instead of the table or summary. */
  json: boolean;
}
export type SupportCommand =
  | (Common & { name: "list" })
  | (Common & { name: "show"; trust: string; selection: Selection; showContent: boolean })
  | (Common & { name: "redrive"; trust: string; selection: Selection; dryRun: boolean; ratePerSecond: number })
  | (Common & { name: "purge"; trust: string; confirm?: string; dryRun: boolean })
  | (Common & { name: "history"; filter: HistoryQuery; historyFile: string })
  | (Common & {
      name: "replay-quarantine";
      trust: string;
      since?: Date;
      until?: Date;
      reason?: string;
      dryRun: boolean;
      ratePerSecond: number;
      quarantineDir: string;
    })
  | (Common & {
      name: "replay";
      trust: string;
      endpoint?: string;
      since: Date;
      until: Date;
      dryRun: boolean;
      ratePerSecond: number;
      cloudEventSource?: string;
      streamFile: string;
    })
  | (Common & { name: "console"; port?: number })
  | (Common & { name: "hold"; trust: string; endpoint?: string; reason: string; until?: HoldUntil; dryRun: boolean })
  | (Common & { name: "resume"; trust: string; endpoint?: string; dryRun: boolean })
  | RotateSigningKeyCommand
  | AddEndpointCommand;

/** The history command's filter; the window is made concrete (now, 24 h) when it runs. */
export interface HistoryQuery {
  trustId?: string;
  endpointId?: string;
  sourceEventId?: string;
  cloudEventId?: string;
  since?: Date;
  until?: Date;
  limit: number;
}

/** Where the secret commands work: Secrets Manager and an environment's trust files, or the local pipeline's secrets file. */
export type SecretTargetOptions =
  /** `namePrefix`: the deployment's resource name prefix (its notices table is `<namePrefix>-notices`). */
  | { kind: "aws"; env: string; trustsDir: string; namePrefix: string }
  | { kind: "local"; secretsFile: string; trustsDir: string };

interface SecretCommon {
  target: SecretTargetOptions;
  auditFile: string;
  trust: string;
  endpoint: string;
  dryRun: boolean;
  json: boolean;
}

export interface RotateSigningKeyCommand extends SecretCommon {
  name: "rotate-signing-key";
  /** Remove every key but the current one, now. */
  endOverlap: boolean;
  /** How long the old key keeps signing; default from the endpoints' maximum event age. */
  overlapSeconds?: number;
}

/** The endpoint fields given on the command line, in the trust file's shape (absent: keep, or the schema's default). */
export interface EndpointFields {
  url?: string;
  description?: string;
  enabled?: boolean;
  eventTypes?: string[];
  conditions?: { site?: string[]; priority?: string[]; specialty?: string[] };
  payloadProfile?: string;
  auth?: { type?: string; tokenUrl?: string; scopes?: string[]; headerName?: string };
  rateLimitPerSecond?: number;
  retryPolicy?: { maximumEventAgeSeconds?: number; maximumRetryAttempts?: number };
}

export interface AddEndpointCommand extends SecretCommon {
  name: "add-endpoint";
  /** Change an endpoint that exists (otherwise an existing id is refused). */
  change: boolean;
  /** The trust's name, to create its file. */
  trustName?: string;
  fields: EndpointFields;
  /** Secret names are `<secretPrefix><ODS>/<endpoint>/signing` and `.../auth`. */
  secretPrefix: string;
  /** The deployment's resource name prefix, for the endpoint's resource names (`<namePrefix>-<ODS>-<endpoint>`). */
  namePrefix: string;
  kmsKeyId?: string;
}

const OPTIONS = {
  outputs: { type: "string" },
  trusts: { type: "string" },
  local: { type: "string" },
  trust: { type: "string" },
  endpoint: { type: "string" },
  "error-code": { type: "string" },
  since: { type: "string" },
  until: { type: "string" },
  limit: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  rate: { type: "string", default: "10" },
  confirm: { type: "string" },
  "audit-file": { type: "string", default: "redrive-audit.ndjson" },
  "show-content": { type: "boolean", default: false },
  "source-event-id": { type: "string" },
  "cloudevent-id": { type: "string" },
  "history-file": { type: "string" },
  reason: { type: "string" },
  "quarantine-dir": { type: "string" },
  "cloudevent-source": { type: "string" },
  "stream-file": { type: "string" },
  port: { type: "string" },

  // history, rotate-signing-key and add-endpoint
  json: { type: "boolean", default: false },
  // rotate-signing-key and add-endpoint
  env: { type: "string" },
  secrets: { type: "string" },
  overlap: { type: "string" },
  "end-overlap": { type: "boolean", default: false },
  change: { type: "boolean", default: false },
  "trust-name": { type: "string" },
  url: { type: "string" },
  events: { type: "string" },
  auth: { type: "string" },
  "token-url": { type: "string" },
  scopes: { type: "string" },
  "header-name": { type: "string" },
  profile: { type: "string" },
  site: { type: "string" },
  priority: { type: "string" },
  specialty: { type: "string" },
  "rate-limit": { type: "string" },
  "max-event-age": { type: "string" },
  "max-retries": { type: "string" },
  description: { type: "string" },
  disabled: { type: "boolean", default: false },
  "secret-prefix": { type: "string" },
  "name-prefix": { type: "string" },
  "kms-key": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Values = ReturnType<typeof parseOptions<{ allowPositionals: true; options: typeof OPTIONS }>>["values"];

/** The redrive tool's command line: argv in, a command out (or HELP); a mistake throws UsageError. */
export function parseSupportArgs(argv: readonly string[]): SupportCommand | Help {
  const { values, positionals, tokens } = parseOptions(argv, { allowPositionals: true, options: OPTIONS, tokens: true });
  const [name, ...extra] = positionals;
  if (values.help) return name && name in COMMANDS ? helpFor(name) : HELP;
  if (!name) throw new UsageError(`no command given: ${COMMAND_NAMES.join(", ")}`);
  if (!(name in COMMANDS)) throw new UsageError(`unknown command ${name}; the commands are ${COMMAND_NAMES.join(", ")}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (SECRET_COMMANDS.includes(name) && (values.outputs || values.local)) {
    throw new UsageError(`${name} takes --env ENV (AWS) or --secrets FILE (local pipeline), not --outputs or --local`);
  }
  onlyOptions(name, tokens, [...COMMANDS[name as SupportCommandName].options, ...(SECRET_COMMANDS.includes(name) ? [] : TARGET_OPTIONS)]);
  if (name === "rotate-signing-key" || name === "add-endpoint") return parseSecretCommand(name, values);
  if (name === "console") return parseConsole(values);
  if (values.outputs && values.local) throw new UsageError("give --outputs (AWS) or --local (this machine), not both");
  if (values.outputs && !values.trusts) throw new UsageError("--outputs needs --trusts DIR (the environment's trusts/)");
  const target: TargetOptions = values.outputs
    ? { kind: "aws", outputsFile: values.outputs, trustsDir: values.trusts! }
    : { kind: "local", root: values.local ?? ".local/dlq", ...(values.trusts ? { trustsDir: values.trusts } : {}) };
  const common = { target, auditFile: values["audit-file"], json: values.json };
  // The local pipeline keeps its history, stream and quarantine beside its DLQs (`.local/`).
  const beside = (name: string) => join(dirname(values.local ?? ".local/dlq"), name);
  if (name === "list") return { name, ...common };
  if (name === "history") return { name, ...common, filter: historyQuery(values), historyFile: values["history-file"] ?? beside("history.jsonl") };
  if (!values.trust) throw new UsageError(`${name} needs --trust T`);
  const trust = values.trust;
  if (name === "hold" || name === "resume") return parseHold(name, values, common);
  if (name === "purge") return { name, ...common, trust, ...(values.confirm !== undefined ? { confirm: values.confirm } : {}), dryRun: values["dry-run"] };
  if (name === "replay") {
    if (!values.since || !values.until) throw new UsageError("replay needs --since ISO and --until ISO (the window of the stream)");
    const since = dateTime(values.since, "since");
    const until = dateTime(values.until, "until");
    if (since > until) throw new UsageError("--since must be before --until");
    return {
      name,
      ...common,
      trust,
      ...(values.endpoint ? { endpoint: values.endpoint } : {}),
      since,
      until,
      dryRun: values["dry-run"],
      ratePerSecond: wholeNumber(values.rate, "rate", 1),
      ...(values["cloudevent-source"] ? { cloudEventSource: values["cloudevent-source"] } : {}),
      streamFile: values["stream-file"] ?? beside("stream.jsonl"),
    };
  }
  if (name === "replay-quarantine") {
    const since = values.since ? dateTime(values.since, "since") : undefined;
    const until = values.until ? dateTime(values.until, "until") : undefined;
    if (since && until && since > until) throw new UsageError("--since must be before --until");
    return {
      name,
      ...common,
      trust,
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      ...(values.reason ? { reason: values.reason } : {}),
      dryRun: values["dry-run"],
      ratePerSecond: wholeNumber(values.rate, "rate", 1),
      quarantineDir: values["quarantine-dir"] ?? beside("quarantine"),
    };
  }
  const selection: Selection = {
    ...(values.endpoint ? { endpointId: values.endpoint } : {}),
    ...(values["error-code"] ? { errorCode: values["error-code"] } : {}),
    ...(values.since ? { since: dateTime(values.since, "since") } : {}),
    ...(values.until ? { until: dateTime(values.until, "until") } : {}),
    ...(values.limit ? { limit: wholeNumber(values.limit, "limit", 1) } : {}),
  };
  if (name === "show") return { name, ...common, trust, selection, showContent: values["show-content"] };
  return { name: "redrive", ...common, trust, selection, dryRun: values["dry-run"], ratePerSecond: wholeNumber(values.rate, "rate", 1) };
}

/** `hold` and `resume` (docs/guarantees.md 10.25): a reason is required to hold; `--until` an ISO time or a duration. */
function parseHold(name: "hold" | "resume", values: Values, common: Common): SupportCommand & { name: "hold" | "resume" } {
  const base = { ...common, trust: values.trust!, ...(values.endpoint ? { endpoint: values.endpoint } : {}), dryRun: values["dry-run"] };
  if (name === "resume") return { name, ...base };
  const reason = values.reason?.trim();
  if (!reason) throw new UsageError('hold needs --reason "TEXT" (why: shown to support and in the trust\'s notice)');
  if (reason.length > 200) throw new UsageError(`--reason must be at most 200 characters (it is ${reason.length})`);
  return { name, ...base, reason, ...(values.until !== undefined ? { until: holdUntil(values.until) } : {}) };
}

/** `--until` of a hold: an ISO date-time with its offset, or a duration from now (8h, 90m, 2d). */
function holdUntil(value: string): HoldUntil {
  if (/^\d+[smhd]?$/.test(value.trim())) return { afterSeconds: duration(value, "until") };
  if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new UsageError("--until must be an ISO date-time with its offset (2026-12-05T18:00:00Z) or a duration such as 8h, 90m or 2d");
  }
  return { at: new Date(value) };
}

/** `console`: the CLI's target (`--outputs/--trusts` or `--local`), or `--env ENV` with `--outputs`; `--port`. */
function parseConsole(values: Values): SupportCommand & { name: "console" } {
  if (values.env !== undefined && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(values.env)) throw new UsageError("--env must be an environment name such as staging or prod");
  if (values.env && values.local) throw new UsageError("give --env (AWS) or --local (this machine), not both");
  if (values.env && !values.outputs) throw new UsageError(`--env needs --outputs FILE: \`make output ENV=${values.env} > outputs.json\``);
  const trustsDir = values.trusts ?? (values.env ? `infrastructure/terraform/environments/${values.env}/trusts` : undefined);
  if (values.outputs && values.local) throw new UsageError("give --outputs (AWS) or --local (this machine), not both");
  if (values.outputs && !trustsDir) throw new UsageError("--outputs needs --trusts DIR (the environment's trusts/) or --env ENV");
  const target: TargetOptions = values.outputs
    ? { kind: "aws", outputsFile: values.outputs, trustsDir: trustsDir! }
    : { kind: "local", root: values.local ?? ".local/dlq", ...(trustsDir ? { trustsDir } : {}) };
  const port = values.port !== undefined ? wholeNumber(values.port, "port", 0) : undefined;
  if (port !== undefined && port > 65535) throw new UsageError("--port must be a TCP port, 0-65535 (0: a free one)");
  return { name: "console", target, auditFile: values["audit-file"], json: values.json, ...(port !== undefined ? { port } : {}) };
}

function safeId(value: string | undefined, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (!SAFE_ID.test(value)) throw new UsageError(`--${option} must be an id (letters, digits, . _ : -)`);
  return value;
}

function historyQuery(values: Record<string, string | boolean | undefined>): HistoryQuery {
  const get = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const query: HistoryQuery = { limit: get("limit") ? wholeNumber(get("limit"), "limit", 1) : 1000 };
  const trustId = safeId(get("trust"), "trust");
  const endpointId = safeId(get("endpoint"), "endpoint");
  const sourceEventId = safeId(get("source-event-id"), "source-event-id");
  const cloudEventId = safeId(get("cloudevent-id"), "cloudevent-id");
  if (!trustId && !sourceEventId && !cloudEventId) throw new UsageError("history needs --trust T, --source-event-id ID or --cloudevent-id ID");
  if (endpointId && !trustId) throw new UsageError("--endpoint needs --trust");
  if (trustId) query.trustId = trustId;
  if (endpointId) query.endpointId = endpointId;
  if (sourceEventId) query.sourceEventId = sourceEventId;
  if (cloudEventId) query.cloudEventId = cloudEventId;
  if (get("since")) query.since = dateTime(get("since")!, "since");
  if (get("until")) query.until = dateTime(get("until")!, "until");
  if (query.since && query.until && query.since > query.until) throw new UsageError("--since must be before --until");
  return query;
}

const SAMPLE_TRUSTS = "scripts/local-pipeline/sample-trusts";
const AUTH_TYPES = ["oauth2_client_credentials", "basic", "api_key"];

/** `--overlap`: whole seconds, or a number with s, m, h or d (`0` ends the old key at once, for a leaked key). */
export function duration(value: string, name: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new UsageError(`--${name} must be a duration such as 25h, 90m, 2d or 3600 (seconds)`);
  return Number(match[1]) * { "": 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as "" | "s" | "m" | "h" | "d"];
}

const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(",").map((item) => item.trim()).filter((item) => item !== "");

function parseSecretCommand(name: "rotate-signing-key" | "add-endpoint", values: Values): RotateSigningKeyCommand | AddEndpointCommand {
  if (values.outputs || values.local) throw new UsageError(`${name} takes --env ENV (AWS) or --secrets FILE (local pipeline), not --outputs or --local`);
  if (values.env && values.secrets) throw new UsageError("give --env (AWS) or --secrets (local pipeline), not both");
  if (values.env !== undefined && !/^[a-z0-9][a-z0-9-]{0,30}$/.test(values.env)) throw new UsageError("--env must be an environment name such as staging or prod");
  if (!values.trust) throw new UsageError(`${name} needs --trust T`);
  if (!values.endpoint) throw new UsageError(`${name} needs --endpoint E`);
  const env = values.env;
  if (name === "add-endpoint" && !env && !values.trusts) throw new UsageError("add-endpoint needs --env ENV, or --trusts DIR for the local pipeline's trust files");
  const target: SecretTargetOptions = env
    ? { kind: "aws", env, trustsDir: values.trusts ?? `infrastructure/terraform/environments/${env}/trusts`, namePrefix: values["name-prefix"] ?? `trust-callbacks-${env}` }
    : { kind: "local", secretsFile: values.secrets ?? ".local/secrets.json", trustsDir: values.trusts ?? SAMPLE_TRUSTS };
  const common = { target, auditFile: values["audit-file"], trust: values.trust, endpoint: values.endpoint, dryRun: values["dry-run"], json: values.json };

  if (name === "rotate-signing-key") {
    if (values["end-overlap"] && values.overlap !== undefined) throw new UsageError("give --overlap (start a rotation) or --end-overlap (finish one), not both");
    return {
      name,
      ...common,
      endOverlap: values["end-overlap"],
      ...(values.overlap !== undefined ? { overlapSeconds: duration(values.overlap, "overlap") } : {}),
    };
  }

  const fields: EndpointFields = {};
  if (values.url !== undefined) fields.url = values.url;
  if (values.description !== undefined) fields.description = values.description;
  if (values.disabled) fields.enabled = false;
  const eventTypes = list(values.events);
  if (eventTypes) fields.eventTypes = eventTypes;
  if (values.profile !== undefined) fields.payloadProfile = values.profile;
  const conditions = { site: list(values.site), priority: list(values.priority), specialty: list(values.specialty) };
  if (Object.values(conditions).some((c) => c)) fields.conditions = Object.fromEntries(Object.entries(conditions).filter(([, c]) => c));
  if (values.auth !== undefined && !AUTH_TYPES.includes(values.auth)) throw new UsageError(`--auth must be one of ${AUTH_TYPES.join(", ")}`);
  const auth = { type: values.auth, tokenUrl: values["token-url"], scopes: list(values.scopes), headerName: values["header-name"] };
  if (Object.values(auth).some((a) => a !== undefined)) fields.auth = Object.fromEntries(Object.entries(auth).filter(([, a]) => a !== undefined));
  if (values["rate-limit"] !== undefined) fields.rateLimitPerSecond = wholeNumber(values["rate-limit"], "rate-limit", 1);
  const retryPolicy = {
    maximumEventAgeSeconds: values["max-event-age"] === undefined ? undefined : duration(values["max-event-age"], "max-event-age"),
    maximumRetryAttempts: values["max-retries"] === undefined ? undefined : wholeNumber(values["max-retries"], "max-retries"),
  };
  if (Object.values(retryPolicy).some((r) => r !== undefined)) fields.retryPolicy = Object.fromEntries(Object.entries(retryPolicy).filter(([, r]) => r !== undefined));
  if (!values.change) {
    const missing = [["url", fields.url], ["events", fields.eventTypes], ["auth", auth.type], ["profile", fields.payloadProfile]].filter(([, v]) => v === undefined);
    if (missing.length > 0) throw new UsageError(`a new endpoint needs ${missing.map(([flag]) => `--${flag as string}`).join(", ")} (or --change to change an existing one)`);
  }
  const deployment = env ?? "local";
  return {
    name,
    ...common,
    change: values.change,
    ...(values["trust-name"] !== undefined ? { trustName: values["trust-name"] } : {}),
    fields,
    secretPrefix: values["secret-prefix"] ?? (env ? `trust-callbacks/${env}/` : "trust-callbacks/local/"),
    namePrefix: values["name-prefix"] ?? `trust-callbacks-${deployment}`,
    ...(values["kms-key"] !== undefined ? { kmsKeyId: values["kms-key"] } : {}),
  };
}
