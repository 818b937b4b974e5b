import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { moveCommands, plannedBusCount, trustMoves, trustsHeld, type OutputChange } from "../outputs.ts";
import { readJson } from "./read-json.ts";

/**
 * Refuses (exit 1) to let `make plan` plan the bus parts while a trust's state is in a part other than the one its ODS
 * code hashes to, printing the commands that move it; prints nothing when every trust is where it belongs.
 * `heldDir` holds `terraform state list` of each bus part as <part>.txt.
 */
export function checkMoves(env: string, planFile: string, heldDir: string, err: (text: string) => void): number {
  const plan = readJson(planFile) as { output_changes?: Record<string, OutputChange> };
  const count = plannedBusCount(plan.output_changes?.trusts_stack_inputs);
  const held = new Map(
    readdirSync(heldDir)
      .filter((file) => /^bus-\d+\.txt$/.test(file))
      .map((file) => [file.slice(0, -".txt".length), trustsHeld(readFileSync(join(heldDir, file), "utf8"))] as const),
  );
  const moves = trustMoves(held, count);
  if (moves.length === 0) return 0;
  err(
    `${moves.length === 1 ? "1 trust is" : `${moves.length} trusts are`} in the state of another bus than the one they hash to at event_buses.count = ${count} (${moves
      .slice(0, 5)
      .map((move) => `${move.trust}: ${move.from} -> ${move.to}`)
      .join(", ")}${moves.length > 5 ? ", ..." : ""}): planned as they are, they would be destroyed and created again; move their state first (infrastructure/terraform/README.md, "Changing event_buses.count"):`,
  );
  for (const line of moveCommands(moves, env)) err(`  ${line}`);
  return 1;
}
