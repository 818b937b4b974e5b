/**
 * The hold drain (docs/guarantees.md 10.10-10.15; docs/adr/0002-holds.md, "The drain"): the pure drain core
 * (`core/drain.ts`) with its sender, the support signer's own redrive path (`resignForEndpoint`: `signedBusEntry`
 * with a fresh timestamp and the core's `publish` stage), so nothing of signing or publishing is copied. The Lambda
 * (`hold-drain-handler.ts`) and the local pipeline (`npm run local -- drain`) both call `runHoldDrain`.
 *
 * Order is kept up to the bus: the drain publishes in held order, one call after another. EventBridge does not promise
 * to deliver events in the order they were put (https://repost.aws/questions/QUDxAa0fS4TNus4mLxZpUjEw/aws-event-bridge),
 * as the normal path does not either; receivers order by the CloudEvent's `time` and deduplicate on its id.
 */
import { drainRateOf, heldSpans } from "@trust-callbacks/schemas";
import { failureOf, type Result } from "@trust-callbacks/runtime";
import { drainHolds, type DrainOptions, type DrainPlan, type DrainReport, type DrainSender } from "./core/drain.ts";
import type { HoldStateStore, HoldStore, NoticeLog } from "./core/hold-ports.ts";
import type { Subscription } from "./core/ports.ts";
import { resignForEndpoint, type SupportSignerDeps, type SupportSignerSettings } from "./support-signer.ts";

export interface HoldDrainDeps extends Omit<SupportSignerDeps, "keys" | "history" | "holds"> {
  states: HoldStateStore;
  store: HoldStore;
  notices: NoticeLog;
  /** Told of every delivery the bus accepted (the local pipeline's call history); the function logs them. */
  history?: SupportSignerDeps["history"];
  signal?: AbortSignal;
}

/**
 * The drain's sender: what the trust's current document says of the endpoint (its windows, its drain rate, or that
 * it is disabled or removed: its held deliveries are filtered, 10.0), and the redrive path for sending.
 */
export function signerDrainSender(deps: Omit<SupportSignerDeps, "keys">, settings: SupportSignerSettings): DrainSender {
  // What the drain sends was held: it never goes through the hold stage again (its endpoint is still `draining`, which
  // holds), so the signer's `holds` are left out whatever the caller passed.
  const { holds: _notHeldAgain, ...sending } = deps;
  const signerDeps: SupportSignerDeps = { ...sending, keys: { unwrap: async () => { throw new Error("the drain decrypts nothing"); } } };
  return {
    async plan({ trustId, endpointId }): Promise<DrainPlan> {
      let lookup: Result<Subscription>;
      try {
        lookup = await deps.subscriptions.get(trustId);
      } catch (error) {
        lookup = failureOf(error);
      }
      if (lookup.status === "not-found") return { kind: "filter", reason: `unknown trust ${trustId}: no subscription document`, spans: [] };
      // An unreadable or invalid document decides nothing: held deliveries wait for a readable one.
      if (lookup.status === "failed") return { kind: "unavailable", reason: `subscription document of trust ${trustId} unavailable: ${lookup.reason}` };
      const { config } = lookup.value;
      const endpoint = config.endpoints.find((e) => e.id === endpointId);
      const spans = heldSpans(config.holds, endpoint?.holds ?? []);
      if (!config.enabled) return { kind: "filter", reason: `trust ${trustId} is disabled (kill switch)`, spans };
      if (!endpoint) return { kind: "filter", reason: `endpoint ${trustId}/${endpointId} is removed from the trust's document`, spans };
      if (!endpoint.enabled) return { kind: "filter", reason: `endpoint ${trustId}/${endpointId} is disabled`, spans };
      return { kind: "send", ratePerSecond: drainRateOf(endpoint), spans };
    },
    send: ({ trustId, endpointId }, events) => resignForEndpoint(trustId, endpointId, events, signerDeps, settings),
  };
}

/** One sweep: every hold item stepped, each endpoint's store drained; one info line with what each endpoint did. */
export async function runHoldDrain(deps: HoldDrainDeps, settings: SupportSignerSettings, options: DrainOptions = {}): Promise<DrainReport> {
  const now = deps.now ?? (() => new Date());
  const report = await drainHolds(
    {
      states: deps.states,
      store: deps.store,
      notices: deps.notices,
      sender: signerDrainSender(deps, settings),
      logger: deps.logger,
      now,
      sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      remainingTimeMs: deps.remainingTimeMs ?? (() => Number.POSITIVE_INFINITY),
      ...(deps.random ? { random: deps.random } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
    options,
  );
  // Identifiers and counts only (docs/runbook.md, "Watch a drain").
  deps.logger.info({ endpoints: report.endpoints, ...(report.failed ? { failed: report.failed } : {}) }, "hold drain swept");
  return report;
}
