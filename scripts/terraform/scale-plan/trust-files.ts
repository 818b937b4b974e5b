import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AUTH_TYPES, type TrustConfigInput } from "@trust-callbacks/schemas";

/** Endpoint ids as trusts name them; a trust takes 1-3 of them, in order. */
const ENDPOINT_IDS = ["primary", "audit", "ward-alerts"] as const;
const BASE36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The ODS code of the `index`-th generated trust: `R` and two base-36 characters (RXH, R1F; 1,296 codes), every
 * fourth one with a two-digit site suffix (R1F03, 5 characters); past 1,296, `R` and three characters.
 * Distinct for distinct indexes, and always an ODS code (3-6 upper-case letters or digits).
 */
export function odsCode(index: number): string {
  const digits = index < 36 * 36 ? 2 : 3;
  const offset = index < 36 * 36 ? index : index - 36 * 36;
  let code = "";
  for (let rest = offset, place = 0; place < digits; place++, rest = Math.floor(rest / 36)) code = BASE36[rest % 36] + code;
  return digits === 2 && index % 4 === 3 ? `R${code}0${index % 10}` : `R${code}`;
}

/** The `index`-th generated trust: 1-3 endpoints (1, 2, 3, 1, ...), auth kinds in turn, https URLs. */
export function generatedTrust(index: number, environment: string): TrustConfigInput {
  const trustId = odsCode(index);
  const host = trustId.toLowerCase();
  return {
    trustId,
    name: `Generated NHS Trust ${trustId}`,
    enabled: index % 10 !== 9,
    contact: `integration-team-${host}`,
    endpoints: ENDPOINT_IDS.slice(0, 1 + (index % 3)).map((id, position) => {
      const type = AUTH_TYPES[(index + position) % AUTH_TYPES.length]!;
      const credentialsSecret = `trust-callbacks/${environment}/credentials/${trustId}/${id}`;
      return {
        id,
        url: `https://${id}.${host}.example.nhs.uk/trust-callbacks`,
        signingSecret: `trust-callbacks/${environment}/signing/${trustId}/${id}`,
        description: `${id} of ${trustId}`,
        eventTypes: position === 1 ? ["conversation.closed"] : ["message.created", "message.read", "conversation.closed"],
        payloadProfile: position === 0 ? "full" : "minimal",
        rateLimitPerSecond: 10 + position * 5,
        auth:
          type === "oauth2_client_credentials"
            ? { type, tokenUrl: `https://login.${host}.example.nhs.uk/oauth2/token`, scopes: ["callbacks.write"], credentialsSecret }
            : type === "api_key"
              ? { type, headerName: "x-api-key", credentialsSecret }
              : { type, credentialsSecret },
      };
    }),
  };
}

/** Writes `count` trust files (`<ODS>.json`) into `directory`; returns how many endpoints they hold. */
export function writeTrustFiles(directory: string, count: number, environment: string): { endpoints: number } {
  mkdirSync(directory, { recursive: true });
  let endpoints = 0;
  for (let index = 0; index < count; index++) {
    const trust = generatedTrust(index, environment);
    endpoints += trust.endpoints.length;
    writeFileSync(join(directory, `${trust.trustId}.json`), `${JSON.stringify(trust, null, 2)}\n`);
  }
  return { endpoints };
}
