import { appendFileSync, chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Files on this machine that may hold decrypted content or a secret (DLQ messages, quarantine files, the call history,
 * the local stream, the local secrets file, the local master key): owner-only, whatever the umask, and also when
 * the file or its directory was already there with wider modes (docs/guarantees.md 6.1).
 */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Makes `dir` (and any missing parent) and leaves `dir` itself 0700. */
export function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE); // mkdir's mode applies only to what it creates, and after the umask
}

/** Writes `file` whole, 0600, in a 0700 directory; `exclusive`: never over an existing file (throws EEXIST). */
export function writePrivateFile(file: string, data: string | Uint8Array, options: { exclusive?: boolean } = {}): void {
  privateDir(dirname(file));
  writeFileSync(file, data, { mode: PRIVATE_FILE_MODE, ...(options.exclusive ? { flag: "wx" } : {}) });
  chmodSync(file, PRIVATE_FILE_MODE); // the mode applies only when the file is created
}

/** An appender to `file`, 0600 in a 0700 directory from the first line on. */
export function privateAppender(file: string): (data: string) => void {
  privateDir(dirname(file));
  appendFileSync(file, "", { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
  return (data) => appendFileSync(file, data);
}
