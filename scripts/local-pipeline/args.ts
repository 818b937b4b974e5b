import { EVENT_TYPES, type EventType } from "@trust-callbacks/schemas";
import { HELP, UsageError, parseOptions, wholeNumber, type Help } from "../lib/command-line.ts";
import type { ReceiverAuth } from "../lib/webhook-receiver.ts";

export const USAGE = `Usage:
  npm run local [-- run] [options]       run the pipeline end to end (default: sample trusts, 300 generated events)
    --trusts DIR        trust config directory (default: scripts/local-pipeline/sample-trusts)
    --receivers FILE    embedded receivers to start (default: sample-receivers.json with the sample trusts)
    --events FILE|-     feed your own events as NDJSON (a file, or - for stdin) instead of generated ones
    --count N           generated events (default 300)
    --rate N            events per second fed to the stream (default 200)
    --seed N            generator seed (default 42)
    --duration S        stop feeding after S seconds (default: feed --count events), then drain
    --dlq-dir DIR       where per-trust DLQs are written (default .local/dlq)
    --json              print the summary as JSON
  npm run local -- listen --port 8080 --secret whsec_... [--auth none|basic:USER:PASS|api_key:HEADER:VALUE] [--status 503]
  npm run local -- trigger --trust RX1 --type message.created [--trusts DIR]
Exit status 1 when any event is unaccounted for.`;

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
  json: boolean;
}

export interface ListenCommand {
  name: "listen";
  port: number;
  secret: string;
  auth: ReceiverAuth;
  status: number;
}

export interface TriggerCommand {
  name: "trigger";
  trust: string;
  type: EventType;
  trustsDir?: string;
  dlqDir: string;
  seed: number;
}

export type LocalCommand = RunCommand | ListenCommand | TriggerCommand;

const OPTIONS = {
  trusts: { type: "string" },
  receivers: { type: "string" },
  events: { type: "string" },
  count: { type: "string", default: "300" },
  rate: { type: "string", default: "200" },
  seed: { type: "string", default: "42" },
  duration: { type: "string" },
  "dlq-dir": { type: "string", default: ".local/dlq" },
  json: { type: "boolean", default: false },
  port: { type: "string", default: "8080" },
  secret: { type: "string" },
  auth: { type: "string", default: "none" },
  status: { type: "string", default: "200" },
  trust: { type: "string" },
  type: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** `--auth none|basic:USER:PASS|api_key:HEADER:VALUE` */
function receiverAuth(text: string): ReceiverAuth {
  const [kind, a = "", b = ""] = text.split(":");
  if (kind === "none") return { type: "none" };
  if (kind === "basic") return { type: "basic", username: a, password: b };
  if (kind === "api_key") return { type: "api_key", headerName: a, value: b };
  throw new UsageError(`--auth must be none, basic:USER:PASS or api_key:HEADER:VALUE`);
}

/** The local pipeline's command line: argv in, a command out (or HELP); a mistake throws UsageError. */
export function parseLocalArgs(argv: readonly string[]): LocalCommand | Help {
  const { values, positionals } = parseOptions(argv, { allowPositionals: true, options: OPTIONS });
  if (values.help) return HELP;
  const [name = "run", ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  const dlqDir = values["dlq-dir"];
  const seed = wholeNumber(values.seed, "seed");
  if (name === "run") {
    return {
      name,
      ...(values.trusts ? { trustsDir: values.trusts } : {}),
      ...(values.receivers ? { receiversFile: values.receivers } : {}),
      ...(values.events ? { events: values.events } : {}),
      count: wholeNumber(values.count, "count"),
      rate: wholeNumber(values.rate, "rate", 1),
      seed,
      ...(values.duration !== undefined ? { durationSeconds: wholeNumber(values.duration, "duration", 1) } : {}),
      dlqDir,
      json: values.json,
    };
  }
  if (name === "listen") {
    if (!values.secret) throw new UsageError("listen needs --secret whsec_... (the endpoint's signing key)");
    return {
      name,
      port: wholeNumber(values.port, "port"),
      secret: values.secret,
      auth: receiverAuth(values.auth),
      status: wholeNumber(values.status, "status", 100),
    };
  }
  if (name === "trigger") {
    const type = values.type as EventType;
    if (!values.trust || !EVENT_TYPES.includes(type)) {
      throw new UsageError(`trigger needs --trust ODS and --type one of ${EVENT_TYPES.join(", ")}`);
    }
    return { name, trust: values.trust, type, ...(values.trusts ? { trustsDir: values.trusts } : {}), dlqDir, seed };
  }
  throw new UsageError(`unknown command ${name}`);
}
