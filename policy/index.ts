// The CrossGuard policy pack: `pulumi preview --policy-pack policy`. Only this line constructs it
// (a PolicyPack starts a gRPC server; tests import policies.ts instead).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("clawkeep", { policies, description: "Refuses stacks that break the OpenClaw production-security guides; the same rules run offline in `npm run plan`." });
