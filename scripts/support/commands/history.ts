import { existsSync, readFileSync } from "node:fs";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { UsageError } from "../../lib/command-line.ts";
import { deliveryStories, describeStory, type DeadLetterSighting, type DeliveryStory, type HistoryFilter } from "../../lib/call-history.ts";
import type { SupportCommand } from "../args.ts";
import { CloudWatchHistorySource, LocalHistorySource, type HistorySource } from "../history-source.ts";
import { listFailed } from "../redrive.ts";
import { describeHoldEvent, holdEvents, holdViews, type HoldEvent } from "../holds.ts";
import { checkEndpoint, openTarget, readOutputs, supportAuditLogGroup, type EnvironmentOutputs, type Holds, type Target } from "../target.ts";

const DAY_MS = 24 * 3600 * 1000;

/**
 * `history`: each selected delivery's story (published → attempts → DLQ → redrive/replay/purge → new attempts →
 * DELIVERED / FAILED / PENDING / PURGED), from the call history, the support actions, the buses' logs and the
 * trusts' DLQs. `--json` prints `{ window, deliveries: DeliveryStory[], notes }` (docs/runbook.md, step 9).
 */
export async function history(command: SupportCommand & { name: "history" }, signal: AbortSignal): Promise<number> {
  const until = command.filter.until ?? new Date();
  const filter: HistoryFilter = { ...command.filter, until, since: command.filter.since ?? new Date(until.getTime() - DAY_MS) };
  const target = openTarget(command.target);
  // A trust or endpoint that is not there is a mistake, not "0 deliveries" (promise 7.4).
  if (command.filter.trustId) {
    target.queueFor(command.filter.trustId);
    checkEndpoint(target, command.filter.trustId, command.filter.endpointId);
  }
  const source = historySource(command);
  const { stories, notes } = await storiesFor(source, target, filter, signal);
  const holds = command.filter.trustId ? await holdHistory(command, target, source, { ...filter, trustId: command.filter.trustId }, notes, signal) : [];
  if (command.json) console.log(JSON.stringify({ window: { since: filter.since, until: filter.until }, deliveries: stories, holds, notes }, null, 2));
  else {
    for (const event of holds) console.log(describeHoldEvent(event));
    for (const story of stories) console.log(describeStory(story));
    for (const note of notes) console.error(`note: ${note}`);
    console.error(`${stories.length} deliveries between ${filter.since.toISOString()} and ${filter.until.toISOString()}`);
  }
  return 0;
}

/**
 * The stories of the deliveries the filter selects (docs/guarantees.md 8.20): what the history source finds (published
 * deliveries, their support actions, every bus event's steps, quarantined records), what sits in the trusts' DLQs, joined
 * by `deliveryStories`. The one history code path: `history` prints it, the console's trace and trust pages render it.
 */
export async function storiesFor(source: HistorySource, target: Target, filter: HistoryFilter, signal?: AbortSignal): Promise<{ stories: DeliveryStory[]; notes: string[] }> {
  const records = await source.find(filter, signal);
  const trustIds = new Set([...records.published.map((p) => p.trustId), ...records.support.map((s) => s.trustId)]);
  const deadLetters = await sightings(target, trustIds);
  return { stories: deliveryStories({ ...records, deadLetters }), notes: records.notes };
}

/**
 * The trust's holds in the window (docs/guarantees.md 10.24): operators' holds and resumes from the audit (locally the
 * audit file, in AWS the support audit log group), the drain's notices (locally the outbox), and the holds now.
 */
async function holdHistory(
  command: SupportCommand & { name: "history" },
  target: Target,
  source: HistorySource,
  filter: HistoryFilter & { trustId: string },
  notes: string[],
  signal: AbortSignal,
): Promise<HoldEvent[]> {
  let holds: Holds;
  try {
    holds = target.holds();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    notes.push(`holds not shown: ${error.message}`);
    return [];
  }
  const trust = target.trusts.filter((t) => t.trustId === filter.trustId);
  const states = await holdViews(trust, holds, new Date());
  let actions: Record<string, unknown>[] = [];
  if (source instanceof CloudWatchHistorySource) {
    const found = await source.holdActions(filter.trustId, filter.endpointId, filter, signal);
    actions = found.lines;
    notes.push(...found.notes);
  } else if (existsSync(command.auditFile)) {
    actions = readFileSync(command.auditFile, "utf8").split("\n").filter(Boolean).flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }
  return holdEvents({ actions, notices: holds.outbox?.read() ?? [], states }, { ...filter, ...(filter.endpointId ? { endpointId: filter.endpointId } : {}) });
}

function historySource(command: SupportCommand & { name: "history" }): HistorySource {
  if (command.target.kind === "local") return new LocalHistorySource(command.historyFile);
  return awsHistorySource(readOutputs(command.target.outputsFile), new CloudWatchLogsClient({}));
}

/** An environment's history: the Lambda's log group, the support audit log group and the buses' log group its outputs name. */
export function awsHistorySource(all: EnvironmentOutputs, logs: CloudWatchLogsClient): HistorySource {
  const outputs = all.pipeline?.value;
  if (!outputs?.lambda_function_name) throw new UsageError("the outputs name no Lambda (pipeline.lambda_function_name): take them from `make output ENV=<env>` of this version");
  const support = supportAuditLogGroup(all);
  return new CloudWatchHistorySource(logs, {
    lambda: `/aws/lambda/${outputs.lambda_function_name}`,
    ...(support ? { support } : {}),
    ...(outputs.bus_log_group_name ? { bus: outputs.bus_log_group_name } : {}),
  });
}

/** The dead letters of the trusts involved (looked at, left in their queues). */
export async function sightings(target: Target, trustIds: Set<string>): Promise<DeadLetterSighting[]> {
  const found: DeadLetterSighting[] = [];
  for (const trustId of trustIds) {
    const queue = target.queues.get(trustId);
    if (!queue) continue;
    for (const failed of await listFailed(queue, {}, 10_000)) {
      found.push({ cloudEventId: failed.cloudEventId, endpointId: failed.endpointId, errorCode: failed.errorCode, retryAttempts: failed.retryAttempts });
    }
  }
  return found;
}
