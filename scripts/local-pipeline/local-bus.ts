import { randomUUID } from "node:crypto";
import { CallbackDetail, type BusEvent, type TrustConfig } from "@trust-callbacks/schemas";
import { failed, found } from "@trust-callbacks/runtime";
import { endpointRulePattern, type BusEntry, type EventPublisher, type PublishResult } from "@trust-callbacks/transform-filter";
import { matchesPattern, type EventPattern } from "../lib/event-pattern.ts";
import type { LocalApiDestination } from "./api-destination.ts";

export interface LocalRule {
  name: string;
  arn: string;
  pattern: EventPattern;
  enabled: boolean;
  target: LocalApiDestination;
}

export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "local";

/** Names and ARNs as Terraform builds them, so DLQ attributes look like the deployed ones. */
export function localRuleNames(namePrefix: string, busName: string, trustId: string, endpointId: string) {
  const name = `${namePrefix}-${trustId}-${endpointId}`.slice(0, 64);
  return {
    name,
    ruleArn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:rule/${busName}/${name}`,
    targetArn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT}:api-destination/${name}/local`,
  };
}

/**
 * The callbacks bus on this machine: PutEvents semantics (per-entry results), one rule per trust
 * endpoint with the very pattern the Lambda's routing and Terraform use, each rule's target an API destination.
 */
export class LocalBus implements EventPublisher {
  readonly rules: LocalRule[] = [];
  putEventsCalls = 0;
  unmatched = 0;

  constructor(
    readonly busName: string,
    readonly busSource: string,
  ) {}

  addRule(config: TrustConfig, endpointId: string, rule: Omit<LocalRule, "pattern" | "enabled">): void {
    const endpoint = config.endpoints.find((e) => e.id === endpointId)!;
    this.rules.push({
      ...rule,
      pattern: endpointRulePattern(this.busSource, config.trustId, endpointId) as EventPattern,
      enabled: config.enabled && endpoint.enabled,
    });
  }

  /** Answers each entry as EventBridge would, already classified: a Detail that is not a callback can never be accepted. */
  async putEvents(entries: BusEntry[]): Promise<PublishResult[]> {
    this.putEventsCalls += 1;
    if (entries.length > 10) throw new Error("ValidationException: at most 10 entries per PutEvents");
    return entries.map((entry): PublishResult => {
      const detail = parseDetail(entry.Detail);
      if (!detail) return failed("never", "PutEvents entry failed: MalformedDetail: Detail is not a callback");
      const event: BusEvent = {
        version: "0",
        id: randomUUID(),
        "detail-type": entry.DetailType,
        source: entry.Source,
        account: LOCAL_ACCOUNT,
        time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
        region: LOCAL_REGION,
        resources: [],
        detail,
      };
      const matched = this.rules.filter((rule) => rule.enabled && matchesPattern(rule.pattern, event));
      if (matched.length === 0) this.unmatched += 1;
      for (const rule of matched) rule.target.enqueue(event);
      return found({ eventId: event.id! });
    });
  }
}

function parseDetail(text: string): CallbackDetail | undefined {
  try {
    const parsed = CallbackDetail.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
