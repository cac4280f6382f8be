// The CrossGuard policy pack: `pulumi preview --policy-pack policy`. Only this file constructs it
// (a PolicyPack starts a gRPC server; tests import policies.ts instead). Bad exceptions or a pack
// config that weakens an always-mandatory rule stop it (packStartup.ts).
import { PolicyPack } from "@pulumi/policy";
import { exceptionsOrExit, guardPackConfig } from "./packStartup";
import { packPolicies } from "./policies";

guardPackConfig();
new PolicyPack("clawkeep", {
  policies: packPolicies({ exceptions: exceptionsOrExit() }),
  description: "Refuses stacks that break the OpenClaw production-security guides; the same rules run offline in `npm run plan`.",
});
