// Every module's and stack's README lists its inputs and outputs as the code declares them (npm run module-docs).
import { relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { moduleDirs, readmeOf } from "./module-docs.ts";

const REPO = resolve(import.meta.dirname, "../..");

describe("module READMEs", () => {
  it("cover every module and both stacks", () => {
    const dirs = moduleDirs().map((dir) => relative(REPO, dir));
    expect(dirs).toEqual(expect.arrayContaining(["infrastructure/terraform/modules/pipeline", "infrastructure/terraform/modules/policies/pipeline", "infrastructure/terraform/stacks/trusts"]));
  });

  it.each(moduleDirs().map((dir) => [relative(REPO, dir), dir]))("%s/README.md is up to date (npm run module-docs)", (_, dir) => {
    const readme = readmeOf(dir);
    expect(readme.current, `${relative(REPO, readme.file)} is stale: npm run module-docs`).toBe(readme.expected);
  });
});
