// `npm test`: the unit tier. Pure, schema, rule, renderer and mock-runtime tests and the plan CLI in
// process: only Node, no system tool, no network. Suites that need a real tool are
// *.integration.test.ts (vitest.integration.config.mts, `npm run test:integration`).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "components/**/*.test.ts", "stacks/**/*.test.ts", "policy/**/*.test.ts", "plan/**/*.test.ts", "lambda/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.integration.test.ts"],
    globalSetup: ["test/support/unitGlobalSetup.ts"],
    setupFiles: ["test/support/shareEvaluations.ts"],
    // A mock-runtime evaluation of the kit takes 2-5 s on 2 idle cores, up to ~15 s at load 20; a file's
    // hook evaluates at most the four level stacks. No unit test waits on anything else.
    testTimeout: 30_000,
    hookTimeout: 90_000,
    pool: "forks",
    // Both cores, and each worker loads @pulumi/aws and the kit once instead of once per file: CPU 17 s
    // instead of 43 s. These tests share no state through modules (they pass isolated and shuffled too:
    // `npx vitest run --isolate`, `--sequence.shuffle`).
    maxWorkers: 2,
    isolate: false,
  },
});
