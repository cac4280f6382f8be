// `npm run test:integration`: every suite that needs a real tool (OpenClaw, moto, systemd, squid,
// namespaces, cloud-init, shellcheck, gpg, the AWS CLI), named *.integration.test.ts. `npm run
// setup:tools` installs them; a missing one skips its suite with its name, or fails it under CI=true.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.integration.test.ts"],
    exclude: ["**/node_modules/**", ".cache/**"],
    globalSetup: ["test/support/integrationGlobalSetup.ts"],
    // Most of these suites wait on other processes (gateways, moto, the AWS CLI): two files at a time keep both cores busy.
    maxWorkers: 2,
    // Per test and per hook: each suite that waits longer (a gateway start, a private systemd boot) says so itself.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
