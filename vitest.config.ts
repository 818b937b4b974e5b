import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["schemas/**/*.test.ts", "lambdas/**/*.test.ts", "scripts/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/.build/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
