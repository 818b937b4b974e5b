import type { SupportCommand } from "../args.ts";
import { startConsole } from "../console/server.ts";
import { awsSource, localSource } from "../console/source.ts";

/** `console`: the support console on 127.0.0.1; prints its URL (with the token) and serves until Ctrl-C. Opens nothing. */
export async function consoleCommand(command: SupportCommand & { name: "console" }, signal: AbortSignal): Promise<number> {
  const source = command.target.kind === "aws" ? awsSource(command.target, command.auditFile) : localSource(command.target, command.auditFile);
  const running = await startConsole(source, { ...(command.port !== undefined ? { port: command.port } : {}) });
  console.error(`support console (${source.kind === "aws" ? "AWS environment" : "local pipeline"}) on 127.0.0.1 only; open this URL (it holds the access token, keep it to yourself):`);
  console.log(running.url);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
  await running.close();
  return 0;
}
