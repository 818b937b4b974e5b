import { z } from "zod";
import { formatIssues } from "@trust-callbacks/schemas";

/** The notifier's environment variables (names shared by every holds part: docs/adr/0002-holds.md). */
export const NotifierEnvironment = z.object({
  /** `<app>-<env>`: dead-letter alarms are `<NAME_PREFIX>-<ODS>-<endpoint>-dead-letters`, connections `<NAME_PREFIX>-<ODS>-<endpoint>`. */
  NAME_PREFIX: z.string().min(2).max(64),
  NOTICES_TABLE_NAME: z.string().min(3).max(255),
  /** `arn:aws:sns:<region>:<account>:<NAME_PREFIX>-`: a trust's topic is this + `<ODS>-notices`. */
  NOTICE_TOPIC_ARN_PREFIX: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+-$/, "must be arn:aws:sns:<region>:<account>:<prefix>-"),
  /** The function's timeout (Terraform sets it from the same number): the sweep stops starting publishes 10 s before. */
  LAMBDA_TIMEOUT_SECONDS: z.coerce.number().int().min(10).max(900).default(60),
  MAX_NOTICES_PER_RUN: z.coerce.number().int().min(1).max(5000).default(500),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
});
export type NotifierEnvironment = z.infer<typeof NotifierEnvironment>;

export function readNotifierEnvironment(env: NodeJS.ProcessEnv): NotifierEnvironment {
  const parsed = NotifierEnvironment.safeParse(env);
  if (!parsed.success) throw new Error(`invalid notifier environment: ${formatIssues(parsed.error)}`);
  return parsed.data;
}
