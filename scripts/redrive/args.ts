import { dirname, join } from "node:path";
import { SAFE_ID } from "../lib/call-history.ts";
import { HELP, UsageError, dateTime, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";
import type { Selection } from "./redrive.ts";

export const USAGE = `Usage: npm run redrive -- <command> [target] [options]
Commands:
  list                                  every trust's DLQ: depth and age of the oldest message
  show    --trust T [selection] [--show-content]
                                        failed deliveries: type, CloudEvent id, endpoint, error, attempts, first failure;
                                        --show-content adds the payload (may hold clinical content; audited)
  redrive --trust T [selection] [--dry-run] [--rate N]
                                        re-publish to exactly the endpoint that failed; delete only after PutEvents accepted
  purge   --trust T --confirm T         delete every message of the trust's DLQ (asks again unless --confirm names the trust)
  history [--trust T] [--endpoint E] [--source-event-id ID] [--cloudevent-id ID] [--since ISO] [--until ISO] [--limit N] [--json]
                                        each delivery's path: published, attempts (HTTP status when known), delivered /
                                        in retry / dead-lettered / quarantined; window default: the 24 h before --until (now)
                                        (AWS: Logs Insights on the Lambda's and the buses' log groups; local: --history-file,
                                        default history.jsonl beside the --local DLQs)
  replay-quarantine --trust T [--since ISO] [--until ISO] [--reason TEXT] [--dry-run] [--rate N]
                                        put the trust's quarantined records (default: the last 14 days) back on the source
                                        stream once their cause is fixed; each object is removed only after the stream
                                        accepted its record (local: --quarantine-dir, default quarantine/ beside the --local DLQs)
  replay  --trust T [--endpoint E] --since ISO --until ISO [--dry-run] [--rate N] [--cloudevent-source S]
                                        read the source stream for the window (within its retention) and re-deliver the
                                        trust's events (only to E when given) through the Lambda's core: freshly signed,
                                        same CloudEvent ids, so receivers dedupe (local: --stream-file, default stream.jsonl beside the --local DLQs)
Target (one of):
  --outputs FILE --trusts DIR           AWS: FILE is \`terraform output -json\` of the environment; DIR its trusts/
                                        (region and profile as usual for the AWS SDK: AWS_REGION, AWS_PROFILE)
  --local DIR [--trusts DIR]            the local pipeline's DLQs (default .local/dlq, sample trusts); redrives into a
                                        fresh local pipeline whose receivers are all healthy (the endpoint recovered)
Selection: --endpoint E  --error-code C  --since ISO  --until ISO  --limit N
Audit: one JSON line per message to stdout and to --audit-file (default redrive-audit.ndjson).`;

export type TargetOptions = { kind: "aws"; outputsFile: string; trustsDir: string } | { kind: "local"; root: string; trustsDir?: string };

interface Common {
  target: TargetOptions;
  auditFile: string;
}
export type RedriveCommand =
  | (Common & { name: "list" })
  | (Common & { name: "show"; trust: string; selection: Selection; showContent: boolean })
  | (Common & { name: "redrive"; trust: string; selection: Selection; dryRun: boolean; ratePerSecond: number })
  | (Common & { name: "purge"; trust: string; confirm?: string })
  | (Common & { name: "history"; filter: HistoryQuery; json: boolean; historyFile: string })
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
    });

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
  json: { type: "boolean", default: false },
  "history-file": { type: "string" },
  reason: { type: "string" },
  "quarantine-dir": { type: "string" },
  "cloudevent-source": { type: "string" },
  "stream-file": { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The redrive tool's command line: argv in, a command out (or HELP); a mistake throws UsageError. */
export function parseRedriveArgs(argv: readonly string[]): RedriveCommand | Help {
  const { values, positionals } = parseOptions(argv, { allowPositionals: true, options: OPTIONS });
  if (values.help) return HELP;
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError("no command given: list, show, redrive, purge or history");
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (values.outputs && values.local) throw new UsageError("give --outputs (AWS) or --local (this machine), not both");
  if (values.outputs && !values.trusts) throw new UsageError("--outputs needs --trusts DIR (the environment's trusts/)");
  const target: TargetOptions = values.outputs
    ? { kind: "aws", outputsFile: values.outputs, trustsDir: values.trusts! }
    : { kind: "local", root: values.local ?? ".local/dlq", ...(values.trusts ? { trustsDir: values.trusts } : {}) };
  const common = { target, auditFile: values["audit-file"] };
  // The local pipeline keeps its history, stream and quarantine beside its DLQs (`.local/`).
  const beside = (name: string) => join(dirname(values.local ?? ".local/dlq"), name);
  if (name === "list") return { name, ...common };
  if (name === "history") return { name, ...common, filter: historyQuery(values), json: values.json, historyFile: values["history-file"] ?? beside("history.jsonl") };
  if (name !== "show" && name !== "redrive" && name !== "purge" && name !== "replay-quarantine" && name !== "replay") throw new UsageError(`unknown command ${name}`);
  if (!values.trust) throw new UsageError(`${name} needs --trust T`);
  const trust = values.trust;
  if (name === "purge") return { name, ...common, trust, ...(values.confirm !== undefined ? { confirm: values.confirm } : {}) };
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
  return { name, ...common, trust, selection, dryRun: values["dry-run"], ratePerSecond: wholeNumber(values.rate, "rate", 1) };
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
