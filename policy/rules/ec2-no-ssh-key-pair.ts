// Protects: the host's login path. An SSH key pair is a long-lived credential that bypasses the
// audited, IAM-controlled access of SSM Session Manager (and usually comes with an open port 22).
// Checklist: best practice 5, production deployment architecture; "Role-based access control implemented".
// Fix: remove keyName and the ec2.KeyPair; use SSM Session Manager (AmazonSSMManagedInstanceCore) or Tailscale SSH.
import type { ResourceRule } from "../lib/types";

export const ec2NoSshKeyPair: ResourceRule = {
  kind: "resource",
  name: "ec2-no-ssh-key-pair",
  description: "No EC2 key pair is created or attached to an instance or launch template.",
  protects: "the host from long-lived, unaudited SSH credentials",
  checklistItems: ["production-host", "role-based-access"],
  severity: "high",
  enforcementLevel: "mandatory",
  remediation: "Remove keyName and any aws.ec2.KeyPair; operators connect with SSM Session Manager (audited in CloudTrail) or Tailscale SSH.",
  resourceTypes: ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/keyPair:KeyPair"],
  validateResource(type, props) {
    if (type === "aws:ec2/keyPair:KeyPair") return ["an SSH key pair is created"];
    return typeof props.keyName === "string" && props.keyName !== "" ? [`keyName "${props.keyName}" attaches an SSH key pair`] : [];
  },
};
