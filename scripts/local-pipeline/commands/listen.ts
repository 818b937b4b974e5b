import { WebhookReceiver } from "../../lib/webhook-receiver.ts";
import type { ListenCommand } from "../args.ts";

/** `listen`: a receiver that checks auth and signature and prints each delivery, until Ctrl-C. */
export async function listen(command: ListenCommand, signal: AbortSignal): Promise<number> {
  const { status } = command;
  const receiver = new WebhookReceiver({
    auth: command.auth,
    signingSecret: command.secret,
    behaviour: status >= 200 && status < 300 ? { kind: "ok" } : { kind: "status", status },
    onDelivery: (d) => console.log(JSON.stringify({ verified: true, webhookId: d.webhookId, event: d.event }, null, 2)),
    onRejected: (reason, code) => console.error(`rejected (${code}): ${reason}`),
  });
  const origin = await receiver.start(command.port);
  console.error(`listening on ${origin} (auth ${command.auth.type}; answering ${status} to verified deliveries); Ctrl-C to stop`);
  await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
  await receiver.stop();
  return 0;
}
