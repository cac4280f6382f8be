// secure: the kit's own GatewayCell at trust level 1 (the stack file's settings), wired as index.ts does; the kit's hardened default
// how: parseStackConfig with the level-1 raw config, one GatewayCell, outputs as index.ts exports them
// expect: pass
import * as pulumi from "@pulumi/pulumi";
import { GatewayCell } from "../../../components/cell";
import { parseStackConfig } from "../../../stacks";

const model = parseStackConfig({ trustLevel: 1, egressAllowlist: ["api.github.com"] });
const cell = new GatewayCell(model.cellName, { model, stack: pulumi.getStack(), region: "us-east-1" });

export const instanceId = cell.instanceId;
export const gatewayTokenSecretArn = cell.tokenSecretArn;
export const alarmTopicArn = cell.alarmTopicArn;
