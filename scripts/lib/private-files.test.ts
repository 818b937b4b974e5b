import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { localMasterKey } from "../local-pipeline/pipeline.ts";
import { historyFileWriter, jsonLinesWriter } from "./call-history.ts";
import { FileDeadLetterQueue } from "./dead-letter-queue.ts";
import { writeLocalSecret } from "./local-secrets.ts";
import { FileQuarantineStore } from "./quarantine-store.ts";
import { FileSecretStore } from "../support/secret-stores.ts";

/**
 * docs/guarantees.md 6.1: every local file that may hold decrypted content or a secret is 0600 in a 0700 directory,
 * whatever the umask, and also when the file or its directory was there before with wider modes.
 */
const modeOf = (path: string) => statSync(path).mode & 0o777;
let root: string;
let umask: number;
beforeEach(() => {
  umask = process.umask(0o022); // the usual umask: without care, files 0644 and directories 0755
  root = mkdtempSync(join(tmpdir(), "private-files-"));
});
afterEach(() => void process.umask(umask));

/** A directory that already exists, world-readable, with a world-readable file in it. */
function widened(dir: string, file?: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  if (file) {
    writeFileSync(join(dir, file), "", { mode: 0o644 });
    chmodSync(join(dir, file), 0o644);
  }
}

const expectPrivate = (file: string) => {
  expect(modeOf(file), `${file} mode`).toBe(0o600);
  expect(modeOf(dirname(file)), `${dirname(file)} mode`).toBe(0o700);
};

const quarantined = {
  reason: "r",
  eventID: "shardId-000000000000:1",
  trustId: "RX1",
  eventId: "e",
  publishedEndpoints: [],
  endpointFailures: [],
  quarantinedAt: "2026-11-22T12:00:00.000Z",
  record: {},
};

describe("local files that may hold PHI or secrets (docs/guarantees.md 6.1)", () => {
  it.each([
    ["history.jsonl (call history)", (dir: string) => historyFileWriter(join(dir, "history.jsonl")), "history.jsonl"],
    ["stream.jsonl (the local stream)", (dir: string) => jsonLinesWriter(join(dir, "stream.jsonl")), "stream.jsonl"],
  ])("%s: 0600 in 0700, new or already there", (_what, writer, name) => {
    for (const dir of [join(root, "new"), join(root, "old")]) {
      if (dir.endsWith("old")) widened(dir, name);
      writer(dir)({ text: "Patient in bay 4" } as never);
      expectPrivate(join(dir, name));
    }
  });

  it("DLQ messages: 0600 in 0700, new or already there", () => {
    for (const dir of [join(root, "dlq-new"), join(root, "dlq-old")]) {
      if (dir.endsWith("old")) widened(join(dir, "RX1"));
      new FileDeadLetterQueue(dir, "RX1").send("{}", {} as never);
      const files = readdirSync(join(dir, "RX1"));
      expect(files).toHaveLength(1);
      expectPrivate(join(dir, "RX1", files[0]!));
    }
  });

  it("quarantine files: 0600 in 0700, new or already there", () => {
    const dir = join(root, "quarantine");
    FileQuarantineStore.write(dir, quarantined);
    const [file] = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expectPrivate(file!);
    chmodSync(dirname(file!), 0o755);
    chmodSync(file!, 0o644);
    // The same record again, into a directory widened meanwhile: never over the first file (promise 7.1), so the
    // second is a file of its own, private, and its directory private again.
    const second = FileQuarantineStore.write(dir, quarantined);
    expect(join(dir, second)).not.toBe(file);
    expectPrivate(join(dir, second));
    expect(statSync(dirname(file!)).mode & 0o777).toBe(0o700);
  });

  it("the local secrets file: 0600 in 0700, also in a directory that was there before", () => {
    widened(join(root, ".local"));
    const file = join(root, ".local", "secrets.json");
    writeLocalSecret(file, "trust-callbacks/local/signing/RX1/ehr", "whsec_bWluZQ==");
    expectPrivate(file);
  });

  it("the local secrets file as the support CLI writes it (rotate-signing-key, add-endpoint): 0600 in 0700, also when both were there before (6.11)", async () => {
    const name = "trust-callbacks/local/signing/RX1/ehr";
    widened(join(root, "support"));
    const file = join(root, "support", "secrets.json");
    const store = new FileSecretStore(file);
    await store.put(name, "whsec_bWluZQ==");
    expectPrivate(file);
    chmodSync(join(root, "support"), 0o755);
    chmodSync(file, 0o644);
    await store.put(name, "whsec_bmV3", (await store.get(name))!.version);
    expectPrivate(file);
  });

  it("the local master key: 0600 in 0700, and read back as it was written", () => {
    widened(join(root, "keys"));
    const file = join(root, "keys", "master.key");
    const key = localMasterKey(file)!;
    expectPrivate(file);
    expect(localMasterKey(file)).toEqual(key);
  });
});
