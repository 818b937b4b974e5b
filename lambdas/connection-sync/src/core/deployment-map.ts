import { z } from "zod";
import { AUTH_TYPES, endpointResourceName, formatIssues, type TrustConfig } from "@trust-callbacks/schemas";
import type { ExpectedCredentials } from "./model.ts";

/**
 * The deployment's connections and their credentials secrets, one JSON object written by Terraform
 * (modules/connection-sync) from the trust files: names and kinds only, never a value. One object for
 * every connection, so its cost and the function's settings do not grow with the number of trusts (a Lambda's
 * environment variables are limited to 4 KB; this object holds ~120 bytes per endpoint).
 */
export const ConnectionCredentialsMap = z.strictObject({
  version: z.literal(1),
  connections: z.record(
    z.string().min(1).max(64),
    z.strictObject({
      credentialsSecret: z.string().min(1).max(512),
      auth: z.enum(AUTH_TYPES),
      // Non-secret authorization parameters from the trust file (connection-sync owns them after create).
      // null where the kind has none (Terraform writes every key).
      tokenUrl: z.string().url().nullish(),
      scopes: z.array(z.string()).nullish(),
      headerName: z.string().min(1).nullish(),
    }),
  ),
});
export type ConnectionCredentialsMap = z.infer<typeof ConnectionCredentialsMap>;

/** The map's entries, or one line saying what is wrong with the document. */
export function parseConnectionCredentialsMap(text: string): { ok: true; expected: ExpectedCredentials[] } | { ok: false; problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: "the connection credentials map is not JSON" };
  }
  const parsed = ConnectionCredentialsMap.safeParse(json);
  if (!parsed.success) return { ok: false, problem: `the connection credentials map is invalid: ${formatIssues(parsed.error)}` };
  return {
    ok: true,
    expected: Object.entries(parsed.data.connections).map(([connection, entry]) => ({
      connection,
      secretName: entry.credentialsSecret,
      kind: entry.auth,
      ...(entry.tokenUrl ? { tokenUrl: entry.tokenUrl } : {}),
      ...(entry.scopes ? { scopes: entry.scopes } : {}),
      ...(entry.headerName ? { headerName: entry.headerName } : {}),
    })),
  };
}

/** The same entries from trust files, named as Terraform names the connections (`<prefix>-<ODS>-<endpoint>`). */
export function expectedFromTrusts(namePrefix: string, trusts: TrustConfig[]): ExpectedCredentials[] {
  return trusts.flatMap((trust) =>
    trust.endpoints.map((endpoint): ExpectedCredentials => {
      const auth = endpoint.auth;
      return {
        connection: endpointResourceName(namePrefix, trust.trustId, endpoint.id),
        secretName: auth.credentialsSecret,
        kind: auth.type,
        ...(auth.type === "oauth2_client_credentials" ? { tokenUrl: auth.tokenUrl, scopes: auth.scopes } : {}),
        ...(auth.type === "api_key" ? { headerName: auth.headerName } : {}),
      };
    }),
  );
}
