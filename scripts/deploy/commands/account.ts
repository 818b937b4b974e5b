import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { githubOutputs, parseAccount } from "../lib/account.ts";

const environments = fileURLToPath(new URL("../../../infrastructure/terraform/environments/", import.meta.url));

/** Prints environments/<env>/account.json as name=value lines (stdout), for `>> "$GITHUB_OUTPUT"`. */
export function printAccount(env: string, out: (text: string) => void): number {
  const file = `${environments}${env}/account.json`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no account for ${env}: infrastructure/terraform/environments/${env}/account.json is missing (the bootstrap in infrastructure/terraform/README.md writes its values)`);
  }
  out(githubOutputs(parseAccount(text, `environments/${env}/account.json`, env)));
  return 0;
}
