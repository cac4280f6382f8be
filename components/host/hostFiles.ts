// Model -> every file that lands on the host, and the user data that carries them. Pure: the
// component, the offline plan and the tests all call this one function.
import type { StackModel } from "../../stacks/schema";
import { execOnNode, renderExecApprovalsJson, renderOpenclawJson } from "../gateway/openclawConfig";
import { agentHostFiles } from "../agent/nodeHost";
import { secretsGateFile } from "./secretsGate";
import type { HostFacts } from "./bootScripts";
import { renderGatewayUnit, renderJournaldConf, renderTokenUnit } from "./systemdUnits";
import { METRICS, auditLogGroupNames, metricNamespace } from "../audit/names";
import { netsandboxHostFiles } from "../netsandbox/hostFiles";
import { tailscaleHostFiles } from "../tailscale/hostFiles";
import { bundleBucketName, providerKeySecretName, tailscaleHostname, tailscaleJoinSecretName, tokenSecretName } from "../base/names";
import { auditHostFiles } from "./cloudwatchAgent";
import { packBundle, type PackedBundle } from "./hostBundle";
import { applyBundleFile, bundleParameterName } from "./bundleApply";
import { SQUID_CONF_PATH } from "../netsandbox/egressProxy";
import { imdsGuardEarlyFiles } from "./imdsGuard";
import { assertNoSecrets, encodeUserData, hostFiles, instanceEnvFile, renderUserData } from "./userData";
import type { HostFile } from "../base/hostFile";

export interface RenderedHost {
  /** Every file that lands on the host (for review and --out); all but the user data's own travel in the bundle. */
  files: HostFile[];
  bundle: PackedBundle & { bucket: string; parameter: string };
  /** The #cloud-config document, before compression. */
  userData: string;
  /** gzip + base64, for the instance's userDataBase64. */
  userDataBase64: string;
  userDataBytes: number;
}

/** The non-secret facts the host needs beyond the model. */
export function hostFacts(model: StackModel, stack: string, region: string): HostFacts {
  const providerKeySecretIds = Object.fromEntries(model.providers.map((p) => [p, providerKeySecretName(stack, model.cellName, p)]));
  return { region, gatewayTokenSecretId: tokenSecretName(stack, model.cellName), providerKeySecretIds, metricNamespace: metricNamespace(stack, model.cellName) };
}

export interface BundleLocation {
  accountId: string;
  stack: string;
  /** The cell's state volume: a host-lifetime fact in the user data. */
  stateVolumeId: string;
}

export function renderHost(model: StackModel, facts: HostFacts, where: BundleLocation): RenderedHost {
  const execApprovalsJson = renderExecApprovalsJson(model);
  const files = hostFiles(
    model,
    {
      gatewayUnit: renderGatewayUnit(model),
      tokenUnit: renderTokenUnit(model),
      journald: renderJournaldConf(),
      openclawJson: renderOpenclawJson(model),
      execApprovalsJson,
    },
    facts,
  );
  files.push(secretsGateFile());
  // The agent's side (levels that run commands): the node host, its pairing, the git wrapper.
  files.push(...agentHostFiles(model, execApprovalsJson));
  // Audit: the CloudWatch agent's config, auditd rules and the /healthz metric timer.
  const names = auditLogGroupNames(where.stack, model.cellName);
  files.push(...auditHostFiles({ names, namespace: metricNamespace(where.stack, model.cellName), healthMetric: METRICS.gatewayHealthy, gatewayPort: model.gateway.port, agentCommands: execOnNode(model.capabilities) }));
  // The network sandbox (egress proxy, bridges) and the tailnet join.
  files.push(...netsandboxHostFiles(model));
  files.push(
    ...tailscaleHostFiles(model.tailscale, {
      region: facts.region,
      joinSecretId: tailscaleJoinSecretName(where.stack, model.cellName),
      hostname: tailscaleHostname(where.stack, model.cellName),
      gatewayPort: model.gateway.port,
      repo: model.packageMirror.tailscaleRepo,
    }),
  );
  assertNoSecrets(model, files);
  const packed = packBundle(files);
  const bucket = bundleBucketName(where.accountId, where.stack, model.cellName);
  const parameter = bundleParameterName(where.stack, model.cellName);
  const own = [...imdsGuardEarlyFiles(), applyBundleFile(SQUID_CONF_PATH), instanceEnvFile({ region: facts.region, stateVolumeId: where.stateVolumeId, bundleBucket: bucket, bundleParameter: parameter })];
  const userData = renderUserData(model, own);
  const encoded = encodeUserData(userData);
  const inBundle = new Set(files.map((f) => f.path));
  return { files: [...files, ...own.filter((f) => !inBundle.has(f.path))], bundle: { ...packed, bucket, parameter }, userData, userDataBase64: encoded.base64, userDataBytes: encoded.gzippedBytes };
}
