import { z } from "zod";
import { AUTH_TYPES } from "@trust-callbacks/schemas";
import type { SyncRequest } from "./sync.ts";

/**
 * What the function was invoked with, as a sync request; or why the invocation is filtered out on purpose.
 *
 * - Secrets Manager's own event "Secret Label Updated" (no CloudTrail trail needed; sent for every label move except
 *   AWSPENDING/AWSPREVIOUS, so PutSecretValue, UpdateSecret with a value and a finished rotation all move AWSCURRENT):
 *   Secrets Manager User Guide, "Secret event notifications",
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/secret-event-notifications.html and
 *   https://docs.aws.amazon.com/secretsmanager/latest/userguide/event-detail-secret-label-updated-secretsmanager.html
 * - CloudTrail's "AWS API Call via CloudTrail" (PutSecretValue, UpdateSecret, RotateSecret) and "AWS Service Event via
 *   CloudTrail" (RotationSucceeded): only where a trail records management events (EventBridge User Guide, "Events
 *   from AWS services", https://docs.aws.amazon.com/eventbridge/latest/userguide/event-types.html); best effort.
 * - The schedule's "Scheduled Event", or a direct `{"action": "reconcile"}`.
 * - `{"action": "sync", "connections": [...]}`: Terraform at apply time, or the support CLI.
 */
export type Trigger = { request: SyncRequest; source: string } | { ignored: string; source: string };

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:[0-9]{12}:secret:(.+)-[A-Za-z0-9]{6}$/;

/** A secret's name from its ARN (Secrets Manager appends `-` and six random characters), or the name as given. */
export function secretNameOf(idOrArn: string): string {
  return SECRET_ARN.exec(idOrArn)?.[1] ?? idOrArn;
}

const ConnectionAsked = z.union([
  z.string().min(1).max(64),
  z.strictObject({
    name: z.string().min(1).max(64),
    credentialsSecret: z.string().min(1).max(512).optional(),
    auth: z.enum(AUTH_TYPES).optional(),
    // null where the kind has none (Terraform writes every key).
    tokenUrl: z.string().url().nullish(),
    scopes: z.array(z.string()).nullish(),
    headerName: z.string().min(1).nullish(),
  }),
]);

const Direct = z.discriminatedUnion("action", [
  z.strictObject({ action: z.literal("reconcile") }),
  z.strictObject({ action: z.literal("sync"), force: z.boolean().default(true), connections: z.array(ConnectionAsked).min(1).max(1000) }),
]);

const ServiceEvent = z.object({
  source: z.string(),
  "detail-type": z.string(),
  resources: z.array(z.string()).optional(),
  detail: z.record(z.string(), z.unknown()).optional(),
});

const string = (value: unknown): string | undefined => (typeof value === "string" && value.length > 0 ? value : undefined);
const field = (value: unknown, key: string): unknown => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined);

function fromSecretsManager(event: z.infer<typeof ServiceEvent>): Trigger {
  const detailType = event["detail-type"];
  const detail = event.detail ?? {};
  const source = `secretsmanager:${detailType}`;
  if (detailType === "Secret Label Updated") {
    if (detail.labelUpdated !== "AWSCURRENT") return { ignored: `label ${String(detail.labelUpdated)} moved: only AWSCURRENT changes the credentials in use`, source };
    const name = string(detail.name) ?? (event.resources?.[0] ? secretNameOf(event.resources[0]) : undefined);
    return name ? { request: { action: "secret-changed", secretName: name }, source } : { ignored: "Secret Label Updated without a secret name", source };
  }
  if (detailType === "AWS API Call via CloudTrail" || detailType === "AWS Service Event via CloudTrail") {
    // Before February 2024 some of these events spelled the ARN key "aRN" (Secrets Manager User Guide, "AWS CloudTrail
    // entries for Secrets Manager"): read both.
    const response = field(detail, "responseElements");
    const id =
      string(field(response, "arn")) ??
      string(field(response, "aRN")) ??
      string(field(field(detail, "requestParameters"), "secretId")) ??
      string(field(field(detail, "additionalEventData"), "SecretId"));
    const eventName = String(detail.eventName);
    if (detail.errorCode !== undefined) return { ignored: `${eventName} failed (${String(detail.errorCode)}): nothing changed`, source };
    return id ? { request: { action: "secret-changed", secretName: secretNameOf(id) }, source: `${source}:${eventName}` } : { ignored: `${eventName} names no secret`, source };
  }
  return { ignored: `Secrets Manager event "${detailType}" does not change a secret's value`, source };
}

export function parseTrigger(payload: unknown): Trigger {
  const direct = Direct.safeParse(payload);
  if (direct.success) {
    if (direct.data.action === "reconcile") return { request: { action: "reconcile" }, source: "direct" };
    return {
      request: {
        action: "sync",
        force: direct.data.force,
        connections: direct.data.connections.map((asked) =>
          typeof asked === "string"
            ? { name: asked }
            : {
                name: asked.name,
                ...(asked.credentialsSecret ? { credentialsSecret: asked.credentialsSecret } : {}),
                ...(asked.auth ? { auth: asked.auth } : {}),
                ...(asked.tokenUrl ? { tokenUrl: asked.tokenUrl } : {}),
                ...(asked.scopes ? { scopes: asked.scopes } : {}),
                ...(asked.headerName ? { headerName: asked.headerName } : {}),
              },
        ),
      },
      source: "direct",
    };
  }
  const event = ServiceEvent.safeParse(payload);
  if (event.success) {
    if (event.data.source === "aws.events" && event.data["detail-type"] === "Scheduled Event") return { request: { action: "reconcile" }, source: "schedule" };
    if (event.data.source === "aws.secretsmanager") return fromSecretsManager(event.data);
    return { ignored: `event from ${event.data.source} ("${event.data["detail-type"]}") is not a trigger of this function`, source: event.data.source };
  }
  return { ignored: "not an EventBridge event nor a {\"action\": \"reconcile\" | \"sync\"} request", source: "unknown" };
}
