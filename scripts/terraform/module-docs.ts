/**
 * Writes each Terraform module's and stack's README inputs and outputs from its variables.tf and outputs.tf
 * (npm run module-docs); module-docs.test.ts fails while any README is stale.
 *   npm run module-docs [-- --check]
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { HELP, UsageError, main, parseOptions } from "../lib/command-line.ts";
import { inputs, outputs, renderSection, updateReadme } from "./module-docs/render.ts";

const REPO = resolve(import.meta.dirname, "../..");
const TERRAFORM = join(REPO, "infrastructure/terraform");

/** Every directory with a main.tf under modules/ (modules/policies/* too) and stacks/. */
export function moduleDirs(): string[] {
  const dirs: string[] = [];
  const visit = (dir: string, depth: number) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".") || entry.name === "tests") continue;
      const path = join(dir, entry.name);
      if (existsSync(join(path, "main.tf"))) dirs.push(path);
      if (depth > 0) visit(path, depth - 1);
    }
  };
  visit(join(TERRAFORM, "modules"), 1);
  visit(join(TERRAFORM, "stacks"), 0);
  return dirs.sort();
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : undefined);

/** The README a module directory should have, and the one it has. */
export function readmeOf(dir: string): { file: string; expected: string; current: string | undefined } {
  const file = join(dir, "README.md");
  const current = read(file);
  const section = renderSection(inputs(read(join(dir, "variables.tf")) ?? ""), outputs(read(join(dir, "outputs.tf")) ?? ""));
  return { file, expected: updateReadme(current, relative(REPO, dir), section), current };
}

if (import.meta.filename === process.argv[1]) {
  await main({
    invocation: "npm run module-docs --",
    usage: "Usage: npm run module-docs [-- --check]\n  writes the inputs and outputs of every module's and stack's README; --check: exit 1 naming the stale ones",
    parse: (argv) => {
      const { values, positionals } = parseOptions(argv, { allowPositionals: true, options: { check: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } } });
      if (values.help) return HELP;
      if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
      return { check: values.check };
    },
    run: async ({ check }) => {
      const stale = moduleDirs().map(readmeOf).filter((readme) => readme.current !== readme.expected);
      if (check) {
        for (const readme of stale) console.error(`stale: ${relative(REPO, readme.file)} (npm run module-docs)`);
        return stale.length === 0 ? 0 : 1;
      }
      for (const readme of stale) {
        writeFileSync(readme.file, readme.expected);
        console.error(`wrote ${relative(REPO, readme.file)}`);
      }
      return 0;
    },
  });
}
