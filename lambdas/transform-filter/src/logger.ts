import pino, { type Logger } from "pino";

/**
 * Paths pino blanks out, in case a secret or plaintext ever reaches a log call. The core logs ids,
 * states and reasons only; this is the second line of defence, not the first.
 */
export const REDACTED_PATHS = [
  "text",
  "*.text",
  "displayName",
  "*.displayName",
  "*.*.displayName",
  "secret",
  "*.secret",
  "SecretString",
  "*.SecretString",
  "password",
  "*.password",
  "client_secret",
  "*.client_secret",
  "api_key",
  "*.api_key",
  "signature",
  "*.signature",
  "Plaintext",
  "*.Plaintext",
  "data",
  "*.data",
];

/** JSON logs to stdout (CloudWatch in Lambda). */
export function createLogger(options: { level?: string; base?: Record<string, unknown> } = {}, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: options.level ?? "info",
      base: options.base ?? {},
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
    },
    destination,
  );
}
