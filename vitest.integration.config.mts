// `npm run test:integration`: every suite that needs a real tool (OpenClaw, moto, systemd, squid,
// namespaces, cloud-init, shellcheck, gpg, the AWS CLI), named *.integration.test.ts. `npm run
// setup:tools` installs them; a missing one skips its suite with its name, or fails it under CI=true.
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { defineConfig } from "vitest/config";

/**
 * The longest suites first (most to least, as measured), so that the two workers finish together; a
 * fresh clone has no timing cache and vitest would otherwise start the biggest files first.
 */
// Measured in a whole .ci/run of 5408027 (s): runtime-upgrade 352, netns-sandbox 177, agent-node 161,
// token-pickup 156, openclaw-config 150, gateway-trust 107, corpus-parity 67, audit-log-lines 53, systemd-units 47.
const LONGEST_FIRST = ["runtime-upgrade", "netns-sandbox", "agent-node", "token-pickup", "openclaw-config", "gateway-trust", "corpus-parity", "audit-log-lines", "systemd-units", "apply-bundle", "host-files", "agent-boundary", "audit-iam"];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.findIndex((name) => f.moduleId.endsWith(`/${name}.integration.test.ts`));
      return i < 0 ? LONGEST_FIRST.length : i;
    };
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ["**/*.integration.test.ts"],
    exclude: ["**/node_modules/**", ".cache/**"],
    globalSetup: ["test/support/integrationGlobalSetup.ts"],
    // Most suites run other processes (gateways, moto, the AWS CLI, a private systemd): two files at a
    // time keep both cores busy; more only slows the gateways past the bounds their scripts hold them to.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirst },
    // A suite that waits longer (a gateway start, a private systemd boot, dozens of AWS CLI runs) says so itself.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
