// Protects: the gradual trust model against a level claimed by the config itself. A config travels on
// its own resource (an S3 object, the host bundle, an SSM document) that can carry its own
// clawkeep:trustLevel tag, while the host that runs it declares another. The agent on a level-0 host
// must get only level-0 capabilities, whatever the config's carrier says: every OpenClaw config is judged
// at the strictest level declared by the gateway hosts that name its carrier (S3 key, document name), or
// by every gateway host of the stack when none names it (an untagged host is level 0), besides the level
// its own resource declares (openclaw-trust-envelope).
// Checklist: best practice 7, gradual trust.
// Fix: tag the config's resource with the host's level, or raise the host's clawkeep:trustLevel after a recorded review.
import { LEVELS, type TrustLevel } from "../../stacks/trustLevels";
import { CONTAINER_TYPES, hostPayload } from "../lib/userData";
import { readKnown } from "../lib/values";
import { OPENCLAW_TYPES, declaredTrustLevel, openclawEnvelopeViolations, readableConfigs, shipsOpenclaw } from "../lib/openclaw";
import { COMPUTE } from "../lib/launches";
import { label, stackIndex } from "../lib/stackIndex";
import type { StackResource, StackRule, StackViolation } from "../lib/types";

/** Resources that run the gateway themselves: their level is the host's, tagged or not. */
const GATEWAY_HOSTS: readonly string[] = [
  COMPUTE.instance, COMPUTE.spotRequest, COMPUTE.launchTemplate, COMPUTE.launchConfiguration, COMPUTE.spotFleet, COMPUTE.lightsail,
  "aws:ecs/taskDefinition:TaskDefinition", ...Object.values(CONTAINER_TYPES),
];

/** What a host's payload must say to fetch this carrier: an S3 object's key, a document's name. */
function carrierHandle(r: StackResource): string | undefined {
  const v = readKnown(r.props, r.type.startsWith("aws:s3/") ? "key" : "name", undefined);
  return typeof v === "string" && v.length >= 4 ? v : undefined;
}

const textCache = new WeakMap<StackResource, string>();
function hostText(h: StackResource): string {
  let t = textCache.get(h);
  if (t === undefined) {
    const p = hostPayload(h.type, h.props);
    t = [...p.texts.map((x) => x.text), ...p.commands.map((c) => c.line)].join("\n");
    textCache.set(h, t);
  }
  return t;
}

export const openclawTrustLevelStrictest: StackRule = {
  kind: "stack",
  name: "openclaw-trust-level-strictest",
  description:
    "Every OpenClaw config in the stack stays within the strictest trust level a gateway host of the stack declares (clawkeep:trustLevel; an untagged host is level 0), whatever level the config's own resource (an S3 object, the bundle, an SSM document) claims.",
  protects: "a host's trust level from a config whose carrier claims a higher one",
  checklistItems: ["gradual-trust"],
  judges: "OpenClaw configs whose resource declares a higher trust level than a gateway host of the stack",
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Tag the config's resource with the level of the host that runs it, or raise the host's clawkeep:trustLevel after a recorded review.",
  resourceTypes: OPENCLAW_TYPES,
  validateStack(resources) {
    const index = stackIndex(resources);
    const shipping = index.of(...OPENCLAW_TYPES).filter((r) => shipsOpenclaw(r.type, r.props));
    const hosts = shipping.filter((r) => GATEWAY_HOSTS.includes(r.type));
    if (hosts.length === 0) return [];
    const strictestOf = (list: StackResource[]) => list.reduce((min, h) => (declaredTrustLevel(h.props).level < declaredTrustLevel(min.props).level ? h : min));
    const out: StackViolation[] = [];
    for (const r of shipping) {
      const own = declaredTrustLevel(r.props).level;
      // The hosts that name this carrier (its S3 key or document name) run it; a carrier no host names may reach any of them.
      const handle = carrierHandle(r);
      const linked = handle === undefined ? [] : hosts.filter((h) => h !== r && hostText(h).includes(handle));
      const strictest = strictestOf(linked.length > 0 ? linked : hosts);
      const level: TrustLevel = declaredTrustLevel(strictest.props).level;
      if (own <= level) continue;
      for (const c of readableConfigs(r.type, r.props).filter((c) => !c.partial)) {
        for (const v of openclawEnvelopeViolations(level, c.config)) {
          out.push({ urn: r.urn, message: `${label(r)} ${c.path}${c.edited}: claims level ${own}, but ${label(strictest)} runs the gateway at level ${level} (${LEVELS[level].name}): ${v}` });
        }
      }
    }
    return out;
  },
};
