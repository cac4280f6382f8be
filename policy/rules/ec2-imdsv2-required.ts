// Protects: the instance role's credentials. IMDSv1 answers any request a tricked process (SSRF)
// makes; IMDSv2 needs a session token, and a hop limit of 1 keeps containers from reaching it.
// Checklist: best practice 5, production deployment architecture (hardened host).
// Fix: metadataOptions { httpTokens: "required", httpPutResponseHopLimit: 1 } on the Instance or LaunchTemplate.
import type { ResourceRule } from "../lib/types";
import { isRecord } from "../lib/values";

export const ec2Imdsv2Required: ResourceRule = {
  kind: "resource",
  name: "ec2-imdsv2-required",
  description: "EC2 instances and launch templates require IMDSv2 session tokens, with a PUT response hop limit of 1.",
  protects: "the instance role's temporary credentials from SSRF and from containers on the host",
  checklistItems: ["production-host"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: 'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } (or httpEndpoint: "disabled").',
  configSchema: {
    maxHopLimit: { type: "integer", default: 1, minimum: 1, maximum: 64, description: "Highest allowed httpPutResponseHopLimit." },
  },
  resourceTypes: ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"],
  validateResource(_type, props, config) {
    const md = isRecord(props.metadataOptions) ? props.metadataOptions : {};
    if (md.httpEndpoint === "disabled") return [];
    const problems: string[] = [];
    if (md.httpTokens !== "required") {
      problems.push(`metadataOptions.httpTokens is ${md.httpTokens === undefined ? "unset" : `"${String(md.httpTokens)}"`}, so IMDSv1 answers unauthenticated requests`);
    }
    const hop = md.httpPutResponseHopLimit;
    if (typeof hop !== "number" || hop > config.maxHopLimit) {
      problems.push(`metadataOptions.httpPutResponseHopLimit is ${hop === undefined ? "unset" : String(hop)}; it must be set to at most ${config.maxHopLimit}`);
    }
    return problems;
  },
};
