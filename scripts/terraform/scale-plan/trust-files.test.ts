import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ODS_CODE_PATTERN, parseTrustFile } from "@trust-callbacks/schemas";
import { generatedTrust, odsCode, writeTrustFiles } from "./trust-files.ts";

describe("generated trust files", () => {
  it("name every trust with a distinct ODS code of 3 to 5 characters", () => {
    const codes = Array.from({ length: 3000 }, (_, index) => odsCode(index));
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((code) => ODS_CODE_PATTERN.test(code) && code.length <= 5)).toBe(true);
    expect(codes.slice(0, 4)).toEqual(["R00", "R01", "R02", "R0303"]);
  });

  it("pass the one trust-file parser as files Terraform deploys, with 1-3 endpoints and every auth kind", () => {
    const directory = mkdtempSync(join(tmpdir(), "trust-files-"));
    try {
      const { endpoints } = writeTrustFiles(directory, 30, "test");
      const files = readdirSync(directory);
      expect(files).toHaveLength(30);
      const configs = files.map((file) => {
        const parsed = parseTrustFile(readFileSync(join(directory, file), "utf8"), { file, httpsOnly: true });
        if (parsed.status !== "valid") throw new Error(JSON.stringify(parsed.issues));
        return parsed.config;
      });
      expect(configs.reduce((sum, config) => sum + config.endpoints.length, 0)).toBe(endpoints);
      expect(new Set(configs.map((config) => config.endpoints.length))).toEqual(new Set([1, 2, 3]));
      expect(new Set(configs.flatMap((config) => config.endpoints.map((endpoint) => endpoint.auth.type)))).toEqual(
        new Set(["oauth2_client_credentials", "basic", "api_key"]),
      );
      expect(configs.every((config) => config.endpoints.every((endpoint) => endpoint.signingSecret.startsWith("trust-callbacks/test/")))).toBe(true);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("are the same for the same index (a rerun plans the same environment)", () => {
    expect(generatedTrust(41, "test")).toEqual(generatedTrust(41, "test"));
  });
});
