// Model -> every file that lands on the host, and the user data that carries them. Pure: the
// component, the offline plan and the tests all call this one function.
import type { StackModel } from "../../stacks/schema";
import { renderExecApprovalsJson, renderOpenclawJson } from "../gateway/openclawConfig";
import type { HostFacts } from "./bootScripts";
import { renderGatewayUnit, renderJournaldConf, renderTokenUnit } from "./systemdUnits";
import { encodeUserData, hostFiles, renderUserData, type HostFile } from "./userData";

export interface RenderedHost {
  files: HostFile[];
  /** The #cloud-config document, before compression. */
  userData: string;
  /** gzip + base64, for the instance's userDataBase64. */
  userDataBase64: string;
  userDataBytes: number;
}

/** Every secret the host may read sits under its cell's prefix; the instance role is scoped to it. */
export function cellSecretPrefix(stack: string, cellName: string): string {
  return `clawkeep/${stack}/${cellName}/`;
}

/** Name of the gateway token's secret: deterministic, so the boot script can ask for it by name. */
export function tokenSecretName(stack: string, cellName: string): string {
  return `${cellSecretPrefix(stack, cellName)}gateway-token`;
}

export function providerKeySecretName(stack: string, cellName: string, provider: string): string {
  return `${cellSecretPrefix(stack, cellName)}${provider}-api-key`;
}

/** Admin credentials (the OpenAI admin key) live outside the cell prefix: the host can never read them. */
export function adminSecretName(stack: string, cellName: string, what: string): string {
  return `clawkeep-admin/${stack}/${cellName}/${what}`;
}

/** The non-secret facts the host needs beyond the model. */
export function hostFacts(model: StackModel, stack: string, region: string): HostFacts {
  const providerKeySecretIds = Object.fromEntries(model.providers.map((p) => [p, providerKeySecretName(stack, model.cellName, p)]));
  return { region, gatewayTokenSecretId: tokenSecretName(stack, model.cellName), providerKeySecretIds };
}

export function renderHost(model: StackModel, facts: HostFacts): RenderedHost {
  const files = hostFiles(
    model,
    {
      gatewayUnit: renderGatewayUnit(model),
      tokenUnit: renderTokenUnit(model),
      journald: renderJournaldConf(),
      openclawJson: renderOpenclawJson(model),
      execApprovalsJson: renderExecApprovalsJson(model),
    },
    facts,
  );
  const userData = renderUserData(model, files);
  const encoded = encodeUserData(userData);
  return { files, userData, userDataBase64: encoded.base64, userDataBytes: encoded.gzippedBytes };
}
