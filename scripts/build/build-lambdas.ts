/**
 * Bundles every Lambda workspace (each lambdas/<name>/ with a src/handler.ts: transform-filter, connection-sync, notifier) into one ESM file with esbuild and
 * zips it reproducibly (fixed timestamps), so Terraform's source_code_hash only changes with the code.
 * Output: .build/lambdas/<name>.zip (entry `index.handler`). No Terraform archive provider needed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { zipSync } from "fflate";

const root = fileURLToPath(new URL("../../", import.meta.url));
const outRoot = join(root, ".build/lambdas");
const FIXED_MTIME = new Date("2020-01-01T00:00:00Z");

/**
 * Functions bundled from a workspace's other entry point: `.build/lambdas/<name>.zip` from `lambdas/<workspace>/<entry>`.
 * One workspace, two functions (the transform function and the support signer, docs/guarantees.md 5.20): the signer
 * runs the transform core itself. Shared code (`lambdas/runtime`) has no handler, so it is bundled into each, never zipped.
 */
export const EXTRA_FUNCTIONS: Record<string, { workspace: string; entry: string }> = {
  "support-signer": { workspace: "transform-filter", entry: "src/support-handler.ts" },
  "hold-drain": { workspace: "transform-filter", entry: "src/hold-drain-handler.ts" },
};

export async function buildLambda(name: string): Promise<{ zipPath: string; bundleBytes: number; zipBytes: number }> {
  const extra = EXTRA_FUNCTIONS[name];
  const entryPoint = extra ? join(root, "lambdas", extra.workspace, extra.entry) : join(root, "lambdas", name, "src/handler.ts");
  const outDir = join(outRoot, name);
  mkdirSync(outDir, { recursive: true });
  const bundlePath = join(outDir, "index.mjs");
  await build({
    entryPoints: [entryPoint],
    outfile: bundlePath,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    // CommonJS dependencies (pino, cloudevents) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "warning",
  });
  const bundle = readFileSync(bundlePath);
  const zip = zipSync({ "index.mjs": [bundle, { mtime: FIXED_MTIME, level: 9 }] });
  const zipPath = join(outRoot, `${name}.zip`);
  writeFileSync(zipPath, zip);
  return { zipPath, bundleBytes: bundle.length, zipBytes: zip.length };
}

/** Every workspace under lambdas/ that has a handler: each becomes .build/lambdas/<name>.zip. */
export function lambdaWorkspaces(): string[] {
  return readdirSync(join(root, "lambdas"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, "lambdas", entry.name, "src/handler.ts")))
    .map((entry) => entry.name)
    .sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = [...lambdaWorkspaces(), ...Object.keys(EXTRA_FUNCTIONS)];
  for (const name of names) {
    const { zipPath, bundleBytes, zipBytes } = await buildLambda(name);
    console.log(`built ${name}: bundle ${(bundleBytes / 1024).toFixed(0)} KiB, zip ${(zipBytes / 1024).toFixed(0)} KiB -> ${zipPath.replace(root, "")}`);
  }
}
