// Protects: the host's login path. An SSH key pair is a long-lived credential that bypasses the
// audited, IAM-controlled access of SSM Session Manager (and usually comes with an open port 22).
// Question: does any host of the program accept a long-lived SSH key? Every launch path and every
// other compute service that takes one: instances and spot requests (own or template key), launch
// templates and configurations, spot fleet specifications, EKS node groups (remoteAccess), Batch
// (ec2KeyPair), Elastic Beanstalk (EC2KeyName), Lightsail (always: the region's default key when none is named).
// Checklist: best practice 5, production deployment architecture; "Role-based access control implemented".
// Fix: remove keyName and the ec2.KeyPair; use SSM Session Manager (AmazonSSMManagedInstanceCore) or Tailscale SSH.
import { COMPUTE, LAUNCH_TYPES, beanstalkSettings, decide, known, launches, ownsFinding, requireTemplate } from "../lib/launches";
import { at, label, stackIndex, throwBlind } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";

const named = (v: unknown): v is string => typeof v === "string" && v !== "";

export const ec2NoSshKeyPair: StackRule = {
  kind: "stack",
  name: "ec2-no-ssh-key-pair",
  description:
    "No host takes an SSH key pair, on any launch path or compute service (instances, spot requests, launch templates and configurations, spot fleets, EKS node group remote access, Batch, Elastic Beanstalk, Lightsail), and no key pair is created.",
  protects: "the host from long-lived, unaudited SSH credentials",
  checklistItems: ["production-host", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation:
    "Remove keyName (ec2SshKey, ec2KeyPair, EC2KeyName) and any aws.ec2.KeyPair; operators connect with SSM Session Manager (audited in CloudTrail) or Tailscale SSH. Lightsail always installs a key: run the gateway on EC2.",
  resourceTypes: [...LAUNCH_TYPES, COMPUTE.keyPair, COMPUTE.lightsail, COMPUTE.lightsailKeyPair],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const launch of launches(index)) {
      if (launch.generatedBy) continue;
      try {
        const key = decide(launch, (l) => {
          const v = known(at(l.props, "keyName"));
          return named(v) ? v : undefined;
        });
        if (!key) requireTemplate(launch);
        else if (ownsFinding(launch, key)) out.push({ urn: launch.at.urn, message: `${launch.what}: keyName "${key.value}" attaches an SSH key pair` });
      } catch (e) {
        if (e instanceof CannotJudge) blind.push(e);
        else throw e;
      }
    }
    for (const k of index.of(COMPUTE.keyPair, COMPUTE.lightsailKeyPair)) out.push({ urn: k.urn, message: `${label(k)}: an SSH key pair is created` });
    for (const n of index.of(COMPUTE.eksNodeGroup)) {
      const key = known(at(n.props, "remoteAccess", "ec2SshKey"));
      if (named(key)) out.push({ urn: n.urn, message: `${label(n)}: remoteAccess.ec2SshKey "${key}" puts an SSH key on every node` });
    }
    for (const b of index.of(COMPUTE.batch)) {
      const key = known(at(b.props, "computeResources", "ec2KeyPair"));
      if (named(key)) out.push({ urn: b.urn, message: `${label(b)}: computeResources.ec2KeyPair "${key}" puts an SSH key on every host` });
    }
    for (const env of index.of(COMPUTE.beanstalk)) {
      const key = beanstalkSettings(env).get("aws:autoscaling:launchconfiguration:EC2KeyName");
      if (named(key)) out.push({ urn: env.urn, message: `${label(env)}: EC2KeyName "${key}" puts an SSH key on every host` });
    }
    for (const l of index.of(COMPUTE.lightsail)) {
      const key = known(at(l.props, "keyPairName"));
      out.push({ urn: l.urn, message: `${label(l)}: ${named(key) ? `keyPairName "${key}" attaches an SSH key` : "Lightsail installs the region's default SSH key pair when none is named"}` });
    }
    throwBlind(blind);
    return out;
  },
};
