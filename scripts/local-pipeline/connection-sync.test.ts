import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LocalPipeline, SAMPLE_TRUSTS_DIR } from "./pipeline.ts";

describe("the local pipeline's connections", () => {
  it("get their credentials from the connection-sync code path, which names a malformed secret and never its value", async () => {
    // Prepare: RX1/ehr is OAuth2 client credentials; its secret holds an API key instead.
    const dir = mkdtempSync(join(tmpdir(), "sync-"));
    const secretsFile = join(dir, "secrets.json");
    writeFileSync(secretsFile, JSON.stringify({ "trust-callbacks/local/credentials/RX1/ehr": JSON.stringify({ api_key: "do-not-print-me" }) }), { mode: 0o600 });

    // Act
    const started = LocalPipeline.start({ trustsDir: SAMPLE_TRUSTS_DIR, dlqDir: join(dir, "dlq"), secretsFile });

    // Assess
    const error = await started.then(
      (pipeline) => pipeline.stop().then(() => undefined),
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^connections not synced: trust-callbacks-local-RX1-ehr: /);
    expect(error?.message).not.toContain("do-not-print-me");
  });
});
