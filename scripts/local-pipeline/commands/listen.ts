import { relative } from "node:path";
import { newSigningKey, type Endpoint } from "@trust-callbacks/schemas";
import { UsageError } from "../../lib/command-line.ts";
import { connectionSecret, DEFAULT_SECRETS_FILE, ensureLocalSecrets } from "../../lib/local-secrets.ts";
import { WebhookReceiver, type ReceiverAuth, type VerifiedAttempt } from "../../lib/webhook-receiver.ts";
import type { ListenCommand } from "../args.ts";
import { connectionCredentials } from "../api-destination.ts";
import { trustsFrom } from "../inputs.ts";
import { SAMPLE_TRUSTS_DIR } from "../pipeline.ts";

interface ListenSetup {
  label: string;
  auth: ReceiverAuth;
  signingSecret: string;
  port: number;
  /** Where the trust file sends deliveries (and tokens), for the banner. */
  url?: string;
  /** Lines telling the user which secrets the receiver expects, and where they are kept. */
  banner: string[];
}

const isLocalHost = (url: URL) => ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);

/** An endpoint of the user's trust file: its auth, with signing key and credentials from the local secrets file. */
function endpointSetup(command: ListenCommand & { endpoint: { trustId: string; endpointId: string } }): ListenSetup {
  const trustsDir = command.trustsDir ?? SAMPLE_TRUSTS_DIR;
  const trusts = trustsFrom(trustsDir);
  const { trustId, endpointId } = command.endpoint;
  const trust = trusts.find((t) => t.trustId === trustId);
  const endpoint: Endpoint | undefined = trust?.endpoints.find((e) => e.id === endpointId);
  if (!trust || !endpoint) throw new UsageError(`no endpoint ${trustId}/${endpointId} in ${trustsDir}`);
  const secretsFile = command.secretsFile ?? DEFAULT_SECRETS_FILE;
  const { secrets, generated, created } = ensureLocalSecrets(secretsFile, [trust]);
  const signingSecret = secrets[endpoint.signingSecret]!;
  const secret = connectionSecret(endpoint, secrets[endpoint.auth.credentialsSecret]);
  const url = new URL(endpoint.url);
  const credentials = connectionCredentials(endpoint.auth, secret);
  const auth: ReceiverAuth =
    credentials.type === "oauth2_client_credentials"
      ? { type: credentials.type, clientId: credentials.clientId, clientSecret: credentials.clientSecret, tokenPath: new URL(credentials.tokenUrl).pathname }
      : credentials;
  const port = command.port ?? (isLocalHost(url) && url.port ? Number(url.port) : 8080);
  const shown = relative(process.cwd(), secretsFile) || secretsFile;
  const banner = [
    `signing secret  ${endpoint.signingSecret} = ${signingSecret}`,
    `credentials     ${endpoint.auth.credentialsSecret} = ${secrets[endpoint.auth.credentialsSecret]}`,
    ...(endpoint.auth.type === "oauth2_client_credentials" ? [`token endpoint  ${endpoint.auth.tokenUrl} (served here)`] : []),
    generated.length > 0
      ? `${created ? "created" : "added to"} ${shown}: ${generated.join(", ")} (the local pipeline and trigger use the same values)`
      : `from ${shown} (the local pipeline and trigger use the same values)`,
  ];
  if (!isLocalHost(url)) banner.push(`note: the trust file sends to ${endpoint.url}, not this machine; point it at http://127.0.0.1:${port} to rehearse`);
  return { label: `${trustId}/${endpointId}`, auth, signingSecret, port, url: endpoint.url, banner };
}

/** Without a trust file: the given signing key (or a new one) and auth. */
function adHocSetup(command: ListenCommand): ListenSetup {
  const signingSecret = command.secret ?? newSigningKey();
  const auth = command.auth ?? { type: "none" };
  const banner = [command.secret ? "signing secret  as given with --secret" : `signing secret  ${signingSecret} (new: give it to the sender, or pass --secret)`];
  if (auth.type === "oauth2_client_credentials") banner.push(`token endpoint  /oauth2/token (client ${auth.clientId})`);
  return { label: "listen", auth, signingSecret, port: command.port ?? 8080, banner };
}

/** One line per verified request, then the event's data, indented. */
function readable(a: VerifiedAttempt): string {
  const e = a.event;
  const when = new Date().toISOString().slice(11, 23);
  const ok = a.status >= 200 && a.status < 300;
  const head = `${when}  verified  ${String(e.type)}  id ${a.webhookId}  attempt ${a.attempt}  → ${a.status}${ok ? "" : " (asked to fail)"}`;
  const about = `  ${String(e.trustid)}/${String(e.endpointid)}  ${String(e.subject)}  time ${String(e.time)}  profile ${String(e.payloadprofile)}  content-type ${a.contentType}`;
  const data = JSON.stringify(e.data, null, 2).replace(/^/gm, "  ");
  return `${head}\n${about}\n${data}`;
}

/**
 * `listen`: a receiver that checks auth (serving the OAuth2 token endpoint itself) and signature, prints each
 * verified request and answers as `--respond` says, until Ctrl-C. Rejections go to stderr.
 */
export async function listen(command: ListenCommand, signal: AbortSignal): Promise<number> {
  const setup = command.endpoint ? endpointSetup({ ...command, endpoint: command.endpoint }) : adHocSetup(command);
  const statuses = command.respond;
  const receiver = new WebhookReceiver({
    auth: setup.auth,
    signingSecret: setup.signingSecret,
    behaviour: { kind: "sequence", statuses },
    onAttempt: (a) =>
      console.log(
        command.json
          ? JSON.stringify({ verified: true, webhookId: a.webhookId, attempt: a.attempt, status: a.status, contentType: a.contentType, event: a.event })
          : readable(a),
      ),
    onRejected: (reason, code) => console.error(command.json ? JSON.stringify({ verified: false, status: code, reason }) : `rejected (${code}): ${reason}`),
  });
  let origin: string;
  try {
    origin = await receiver.start(setup.port);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === "EADDRINUSE" ? `port ${setup.port} is in use (--port N, or 0 for any free port)` : `cannot listen on ${setup.port}: ${(error as Error).message}`);
  }
  const answers = statuses.length === 1 ? String(statuses[0]) : `${statuses.join(", ")} (then ${statuses.at(-1)})`;
  console.error(`listening on ${origin} for ${setup.label} (auth ${setup.auth.type}; answering ${answers}); Ctrl-C to stop`);
  for (const line of setup.banner) console.error(`  ${line}`);
  if (!signal.aborted) await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  await receiver.stop();
  // What happened while it listened, when stopped (stderr: stdout stays the requests, one per line with --json).
  const rejected = receiver.rejections.length;
  console.error(`stopped ${setup.label}: ${receiver.deliveries.length} deliveries accepted (2xx) of ${receiver.attempts} request(s), ${rejected} rejected${rejected > 0 ? ` (last: ${receiver.rejections.at(-1)!.status} ${receiver.rejections.at(-1)!.reason})` : ""}`);
  return 0;
}
