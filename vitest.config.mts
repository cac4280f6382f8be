import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "components/**/*.test.ts", "stacks/**/*.test.ts", "policy/**/*.test.ts", "plan/**/*.test.ts", "lambda/**/*.test.ts"],
    // Real tools (openclaw gateway, moto, systemd-analyze) are slow to start on 2 cores.
    testTimeout: 180_000,
    hookTimeout: 600_000,
    pool: "forks",
  },
});
