/** The dev-only DynamoDB emulator's one export, as the adapter's tests use it (the package ships no types). */
declare module "dynalite" {
  import type { Server } from "node:http";
  export interface DynaliteOptions {
    /** Directory of a LevelDB store; unset: in memory. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
