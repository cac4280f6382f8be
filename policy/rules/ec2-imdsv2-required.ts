// Protects: the instance role's credentials. IMDSv1 answers any request a tricked process (SSRF)
// makes; IMDSv2 needs a session token, and a hop limit of 1 keeps containers from reaching it.
// Question: does a host that can run the gateway answer IMDSv1, or let a container reach the metadata service?
// Judged on every launch path (instance, spot request, launch template or configuration, ASG, fleets,
// EKS node groups, Batch, Elastic Beanstalk) with the settings the host really gets: its own, else its
// template's, else the account default the program sets in the host's region (region argument, else
// its provider's), else the image's, else AWS's (IMDSv1 on). An unset hop limit on an image the program
// does not register is judged as 2 (ImdsSupport v2.0 images, AL2023's among them, launch with 2).
// Checklist: best practice 5, production deployment architecture (hardened host).
// Fix: metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } on the Instance or LaunchTemplate.
import { COMPUTE, LAUNCH_TYPES, beanstalkSettings, decide, known, launches, ownsFinding, programImage, requireTemplate, type Found, type Launch } from "../lib/launches";
import { at, label, stackIndex, throwBlind, type StackIndex } from "../lib/stackIndex";
import { sameRegion } from "../lib/regions";
import type { StackResource, StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { isRecord } from "../lib/values";

interface Metadata {
  tokens: Found<string>;
  hop: Found<number>;
  endpoint: Found<string>;
}

/** The account-wide defaults the program sets (ec2.InstanceMetadataDefaults) in `host`'s region, field by field. */
function accountDefaults(index: StackIndex, host: StackResource): { tokens?: Found<string>; hop?: Found<number>; endpoint?: Found<string> } {
  const d = index.of(COMPUTE.metadataDefaults).find((x) => sameRegion(x, host, `whether ${label(x)}, a per-region setting, applies to its hosts`));
  if (!d) return {};
  const src = `the account default (${label(d)})`;
  const tokens = known(at(d.props, "httpTokens"));
  const hop = known(at(d.props, "httpPutResponseHopLimit"));
  const endpoint = known(at(d.props, "httpEndpoint"));
  return {
    tokens: typeof tokens === "string" && tokens !== "no-preference" ? { value: tokens, source: src } : undefined,
    hop: typeof hop === "number" && hop > 0 ? { value: hop, source: src } : undefined,
    endpoint: typeof endpoint === "string" && endpoint !== "no-preference" ? { value: endpoint, source: src } : undefined,
  };
}

function effective(index: StackIndex, launch: Launch): Metadata {
  // The first layer with a metadataOptions block decides it whole (a partial block takes defaults, not the template's).
  const block = decide(launch, (l) => {
    if (l.kind === "spot-spec") return undefined;
    const md = known(at(l.props, "metadataOptions"));
    return isRecord(md) && Object.values(md).some((v) => v !== undefined && v !== null) ? md : undefined;
  });
  if (!block) requireTemplate(launch);
  const md = block?.value ?? {};
  // Read only when a field falls through to it: a host that sets its own options needs no region.
  let accountMemo: ReturnType<typeof accountDefaults> | undefined;
  const account = () => (accountMemo ??= accountDefaults(index, launch.at));
  const image = programImage(index, launch);
  const v2Image = image !== undefined && known(at(image.props, "imdsSupport")) === "v2.0";
  const imageSrc = image ? `the image ${label(image)} (imdsSupport v2.0)` : "";
  const aws = "AWS's default";
  // An image the program does not register (a literal id, an SSM or AMI lookup) may carry ImdsSupport v2.0,
  // whose instances launch with hop limit 2: an unset hop limit is judged as that, never as AWS's 1.
  const foreignHop = image === undefined ? { value: 2, source: "the image's default (an image registered with ImdsSupport v2.0, as AL2023's are, launches with 2; the program does not say what this one is)" } : undefined;
  const field = <T>(key: string, ok: (v: unknown) => v is T, acct: () => Found<T> | undefined, fromImage: T | undefined, fallback: T, unknownImage?: Found<T>): Found<T> => {
    const v = known(at(md, key));
    if (ok(v)) return { value: v, source: block?.source ?? "", layer: block?.layer };
    return acct() ?? (fromImage !== undefined ? { value: fromImage, source: imageSrc } : (unknownImage ?? { value: fallback, source: aws }));
  };
  const isString = (v: unknown): v is string => typeof v === "string";
  const isNumber = (v: unknown): v is number => typeof v === "number";
  return {
    tokens: field("httpTokens", isString, () => account().tokens, v2Image ? "required" : undefined, "optional"),
    hop: field("httpPutResponseHopLimit", isNumber, () => account().hop, v2Image ? 2 : undefined, 1, foreignHop),
    endpoint: field("httpEndpoint", isString, () => account().endpoint, undefined, "enabled"),
  };
}

const from = (f: Found<unknown>, launch: Launch) =>
  f.layer ? `is ${JSON.stringify(f.value)}${f.layer === launch.layers[0] ? "" : ` (from ${f.layer.source})`}` : `is unset (${f.source}: ${JSON.stringify(f.value)})`;

export const ec2Imdsv2Required: StackRule = {
  kind: "stack",
  name: "ec2-imdsv2-required",
  description:
    "Every host a launch path starts (instance, spot request, launch template or configuration, ASG, EC2 or spot fleet, EKS node group, Batch, Elastic Beanstalk) requires IMDSv2 session tokens with a PUT response hop limit of 1, as it would really launch: its own settings, else its template's, else the program's account default in the host's region, else the image's, else AWS's (IMDSv1 on); an unset hop limit on an image the program does not register counts as 2.",
  protects: "the instance role's temporary credentials from SSRF and from containers on the host",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } (or httpEndpoint: "disabled") on the instance or its launch template; spot fleets: use a launch template; Elastic Beanstalk: aws:autoscaling:launchconfiguration DisableIMDSv1 "true"; EKS and Batch: give them such a launch template.',
  configSchema: {
    maxHopLimit: { type: "integer", default: 1, minimum: 1, maximum: 64, description: "Highest allowed httpPutResponseHopLimit." },
  },
  resourceTypes: LAUNCH_TYPES,
  validateStack(resources, config) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const launch of launches(index)) {
      try {
        if (launch.generatedBy === "EKS") {
          out.push({ urn: launch.at.urn, message: `${launch.what}: without a launch template, EKS's generated one lets every pod reach the node's metadata service and its role credentials` });
          continue;
        }
        if (launch.generatedBy === "AWS Batch") {
          out.push({ urn: launch.at.urn, message: `${launch.what}: without a launch template, the hosts take AWS's default metadata options (IMDSv1 answered)` });
          continue;
        }
        const md = effective(index, launch);
        if (md.endpoint.value === "disabled") continue;
        if (md.tokens.value !== "required" && ownsFinding(launch, md.tokens)) {
          out.push({ urn: launch.at.urn, message: `${launch.what}: metadataOptions.httpTokens ${from(md.tokens, launch)}, so IMDSv1 answers unauthenticated requests` });
        }
        if (md.hop.value > config.maxHopLimit && ownsFinding(launch, md.hop)) {
          out.push({ urn: launch.at.urn, message: `${launch.what}: metadataOptions.httpPutResponseHopLimit ${from(md.hop, launch)}; it must be at most ${config.maxHopLimit} so containers cannot reach the metadata service` });
        }
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
    }
    for (const env of index.of(COMPUTE.beanstalk)) {
      const v = beanstalkSettings(env).get("aws:autoscaling:launchconfiguration:DisableIMDSv1");
      if (!(v === true || v === "true")) {
        out.push({ urn: env.urn, message: `${label(env)}: aws:autoscaling:launchconfiguration DisableIMDSv1 is ${v === undefined ? "unset (Beanstalk leaves IMDSv1 on)" : JSON.stringify(v)}, so IMDSv1 answers unauthenticated requests` });
      }
    }
    throwBlind(blind);
    return out;
  },
};
