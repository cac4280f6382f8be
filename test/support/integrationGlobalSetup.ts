// Once per `npm run test:integration` run: the pinned OpenClaw installed (one install, before any file
// needs it) and one moto server per vitest worker, which startMoto() resets for each test file.
import type { TestProject } from "vitest/node";
import { loadStackFile } from "../../stacks/load";
import { SHARED_MOTO_ENV, motoSettings, spawnMoto, type MotoServer } from "./moto";
import { ensureOpenclaw } from "./openclaw";
import { hasCommand } from "./tools";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const workers = project.config.maxWorkers;
  // A missing tool is reported by each suite that needs it (needTools), skipped or failed there.
  const [servers] = await Promise.all([
    hasCommand("moto_server") ? Promise.all(Array.from({ length: workers }, () => spawnMoto())) : Promise.resolve([] as MotoServer[]),
    hasCommand("npm") ? ensureOpenclaw(loadStackFile("level0").host.openclawVersion) : Promise.resolve(undefined),
  ]);
  if (servers.length > 0) {
    process.env[SHARED_MOTO_ENV.endpoints] = servers.map((m) => m.endpoint).join(",");
    process.env[SHARED_MOTO_ENV.settings] = await motoSettings(servers[0]?.endpoint ?? "");
  }
  return async () => {
    await Promise.all(servers.map((m) => m.stop()));
  };
}
