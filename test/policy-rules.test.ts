// Every rule of the pack, judged through the offline runner on tiny Pulumi programs
// (test/fixtures/programs/policy): each rule has insecure ("bad-") resources it must flag and
// secure ones it must pass.
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateProgram, type Evaluation } from "../plan/evaluate";
import { CHECKLIST_ITEMS } from "../policy/lib/checklistItems";
import { judge, passes, type Judgement } from "../policy/judge";
import { keyShapes, looksRandomToken } from "../stacks/secretShapes";
import { stringLeaves } from "../policy/lib/values";
import { RULES } from "../policy/rules";
import { CREDENTIAL_RULE_CASES } from "./support/credentialRuleCases";

const PROGRAMS = [
  "network",
  "ec2",
  "state",
  "launch-paths",
  "account-defaults",
  "exposure",
  "front-door",
  "data-audit",
  "trail-logging",
  "trail-read-only",
  "data-at-rest",
  "unseen",
  "secrets-literal",
  "secrets-store",
  "iam",
  "public",
  "tailscale-open",
  "tailscale-closed",
  "openclaw",
  "side-doors",
  "openclaw-levels",
  "clean",
] as const;
type Program = (typeof PROGRAMS)[number];
const DIR = path.join(__dirname, "fixtures/programs/policy");

const evaluations = {} as Record<Program, Evaluation>;
const judged = {} as Record<Program, Judgement>;

beforeAll(async () => {
  // One evaluation per program: the mock runtime is process-global and a program file loads once.
  for (const p of PROGRAMS) {
    evaluations[p] = await evaluateProgram({ program: path.join(DIR, `${p}.ts`), project: "policytest", stack: "dev", config: {} });
    judged[p] = judge(evaluations[p]);
  }
}, 120_000);

interface Case {
  rule: string;
  program: Program;
  /** Resources the rule must flag. */
  bad: string[];
  /** Resources it must not flag. */
  good: string[];
  /** Text each bad resource's message must contain. */
  says?: Record<string, RegExp>;
}

const GOOD_GATEWAYS = ["good-l0", "good-l1", "good-l2-gzip", "good-l3-lt", "good-no-openclaw", "good-json5", "good-heredoc", "good-s3-config", "good-bundle", "good-custom-path"];
const CASES: Case[] = [
  { rule: "no-public-ingress", program: "network", bad: ["bad-inline-ssh", "bad-inline-v6", "bad-rule-ingress", "bad-vpc-ingress", "bad-vpc-ingress-v6"], good: ["good-inline", "good-rule-ingress", "good-vpc-ingress", "target", "bad-inline-egress"], says: { "bad-inline-v6": /::\/0/ } },
  { rule: "no-unrestricted-egress", program: "network", bad: ["bad-inline-egress", "bad-rule-egress", "bad-vpc-egress-v6", "bad-vpc-egress-ports"], good: ["good-inline", "good-rule-egress", "good-vpc-egress", "bad-inline-ssh"] },
  { rule: "ec2-imdsv2-required", program: "ec2", bad: ["bad-vm", "bad-vm-defaults", "bad-lt"], good: ["good-vm", "good-vm-imds-off", "good-lt"], says: { "bad-lt": /HopLimit is 3/ } },
  { rule: "ec2-ebs-encrypted", program: "ec2", bad: ["bad-vm", "bad-vm-defaults", "bad-lt", "bad-volume"], good: ["good-vm", "good-vm-imds-off", "good-lt", "good-volume"], says: { "bad-vm": /ebsBlockDevices\[0\]/ } },
  { rule: "ec2-no-ssh-key-pair", program: "ec2", bad: ["bad-vm", "bad-lt", "bad-key"], good: ["good-vm", "good-lt", "bad-vm-defaults"] },
  { rule: "ec2-status-check-alarm", program: "ec2", bad: ["bad-vm", "bad-vm-defaults"], good: ["good-vm", "good-vm-imds-off"], says: { "bad-vm-defaults": /no enabled alarmActions/ } },
  // Every launch path, with the settings the host really gets.
  {
    rule: "ec2-imdsv2-required",
    program: "launch-paths",
    bad: ["bad-overrides-template", "bad-lt-bare", "bad-spot-defaults", "bad-lc", "bad-spot-fleet", "bad-v2-image-hop", "bad-eks", "bad-beanstalk", "bad-foreign-image-tokens-only"],
    good: ["good-lt-hardened", "good-from-template", "good-spot", "good-lc", "good-eks-template", "bad-batch", "bad-lightsail", "good-foreign-image-hop-1"],
    says: { "bad-v2-image-hop": /HopLimit is unset \(the image ami "v2-image"/, "bad-foreign-image-tokens-only": /HopLimit is unset \(the image's default .*: 2\)/, "bad-lt-bare": /httpTokens is unset \(AWS's default/, "bad-eks": /every pod/ },
  },
  {
    rule: "ec2-ebs-encrypted",
    program: "launch-paths",
    bad: ["bad-overrides-template", "bad-lt-bare", "bad-spot-defaults", "bad-lc", "bad-eks", "bad-beanstalk"],
    good: ["good-lt-hardened", "good-from-template", "good-spot", "good-lc", "bad-spot-fleet", "bad-v2-image-hop", "good-eks-template", "bad-batch"],
    says: { "bad-lt-bare": /no block device mapping for the root volume/ },
  },
  {
    rule: "ec2-no-ssh-key-pair",
    program: "launch-paths",
    bad: ["bad-overrides-template", "bad-lc", "bad-spot-fleet", "bad-eks", "bad-batch", "bad-beanstalk", "bad-lightsail"],
    good: ["good-lt-hardened", "good-from-template", "bad-lt-bare", "bad-spot-defaults", "good-spot", "good-lc", "good-eks-template"],
  },
  { rule: "ec2-status-check-alarm", program: "launch-paths", bad: ["bad-spot-defaults", "good-spot", "good-from-template"], good: ["bad-lc", "bad-lt-bare"] },
  { rule: "ec2-imdsv2-required", program: "account-defaults", bad: ["bad-asks-imdsv1", "bad-region-without-defaults"], good: ["good-account-defaults", "good-beanstalk", "good-west-host", "good-explicit-east-host"] },
  {
    rule: "ec2-ebs-encrypted",
    program: "account-defaults",
    bad: ["bad-region-without-defaults", "bad-volume-other-region"],
    good: ["good-account-defaults", "good-volume-by-default", "good-beanstalk", "bad-asks-imdsv1", "good-west-host", "good-explicit-east-host", "good-volume-region-argument"],
  },
  // What the internet can reach, and where hosts send.
  {
    rule: "no-public-address",
    program: "exposure",
    bad: ["bad-public-ip", "bad-subnet-mapped", "bad-public-office-ssh", "bad-eip", "bad-eip-association", "bad-asg-public-nic", "bad-ecs-public", "bad-v6-subnet-assigns", "bad-v6-count-main-table", "bad-v6-asg-template", "bad-v6-eni", "bad-v6-ecs"],
    good: ["good-private", "good-public-egress-watched", "good-ecs-private", "good-inherits-adopted-default", "bad-inherits-default-sg", "good-on-private-eni", "good-v6-egress-only", "good-v6-no-address", "good-v6-address-private-route"],
    says: { "bad-v6-subnet-assigns": /subnet "v6-public" assigns IPv6 addresses on creation, and route table "v6-to-igw" routes ::\/0 to an internet gateway/, "bad-v6-count-main-table": /route "v6-main-default" sends ::\/0/, "bad-subnet-mapped": /subnet "dark-mapped" maps one on launch/, "bad-public-office-ssh": /admits public addresses/, "bad-eip-association": /instance "eni-host"/ },
  },
  { rule: "no-public-address", program: "launch-paths", bad: ["bad-beanstalk", "bad-lightsail"], good: ["good-from-template", "good-spot", "bad-spot-defaults"] },
  { rule: "no-public-address", program: "account-defaults", bad: [], good: ["good-beanstalk", "good-account-defaults"] },
  {
    rule: "no-public-ingress",
    program: "exposure",
    bad: ["bad-split-low", "bad-split-high", "bad-prefix-every-eight", "bad-lightsail-ports", "bad-eks-ssh-world", "bad-alb", "bad-nlb-gateway-port", "bad-apprunner"],
    good: ["good-prefix-office", "good-internal-alb", "good-apprunner-private", "good-egress-443-dns", "bad-public-office-ssh"],
    says: { "bad-prefix-every-eight": /together every public IPv4 address/, "bad-alb": /forwards to instance "lb-target"/, "bad-nlb-gateway-port": /port 18789/ },
  },
  {
    rule: "no-unrestricted-egress",
    program: "exposure",
    bad: ["bad-egress-port-halves", "bad-prefix-entry-v6", "bad-inherits-default-sg", "bad-eks-ssh-world"],
    good: ["good-egress-443-dns", "good-inherits-adopted-default", "good-private", "good-prefix-office", "good-on-private-eni"],
    says: { "bad-egress-port-halves": /tcp on every port/, "bad-prefix-entry-v6": /::\/0/, "bad-inherits-default-sg": /default security group of vpc "bare", with AWS's rules/, "bad-eks-ssh-world": /cluster security group/ },
  },
  // Data that leaves the account, and agent hosts' audit.
  {
    rule: "s3-no-public-acl",
    program: "data-audit",
    bad: ["bad-bucket-legacy-acl", "bad-bucket-acl", "bad-grant-all-users", "bad-object-acl", "bad-cmd-bucket-acl"],
    good: ["good-acl-ignored", "good-object-private", "good-object-acls-disabled"],
    says: { "bad-grant-all-users": /AllUsers/ },
  },
  {
    rule: "no-public-images-snapshots",
    program: "data-audit",
    bad: ["bad-ami-public", "bad-cmd-share-snapshot", "bad-distribution", "bad-ud-share-image"],
    good: ["good-ami-one-account", "good-cmd-share-snapshot-account"],
    says: { "bad-cmd-share-snapshot": /modify-snapshot-attribute adds the group "all"/ },
  },
  {
    rule: "agent-host-audit-logging",
    program: "data-audit",
    bad: ["bad-agent-no-audit", "bad-agent-local-file", "bad-agent-ecs-local", "bad-trail-off", "bad-agent-role-only-may-write-logs"],
    good: ["good-agent-cloudwatch", "good-agent-fluent-bit", "good-agent-ecs-awslogs"],
    says: { "bad-trail-off": /enableLogging is false/, "bad-agent-role-only-may-write-logs": /its role may write CloudWatch Logs .* a permission ships nothing/ },
  },
  { rule: "agent-host-audit-logging", program: "trail-logging", bad: [], good: ["good-agent-with-trail"] },
  { rule: "agent-host-audit-logging", program: "trail-read-only", bad: ["bad-agent-read-only-trail"], good: [], says: { "bad-agent-read-only-trail": /trail "read-only" records no write management events/ } },
  {
    rule: "cloudtrail-trail-complete",
    program: "data-at-rest",
    bad: ["bad-trail-defaults", "bad-trail-no-global"],
    good: ["good-trail", "good-trail-data-only-regional"],
    says: { "bad-trail-defaults": /enableLogFileValidation is unset/, "bad-trail-no-global": /includeGlobalServiceEvents is false/ },
  },
  {
    rule: "log-group-retention",
    program: "data-at-rest",
    bad: ["bad-lifecycle-1-day", "bad-flow-bucket-inline", "bad-config-archive-date"],
    good: ["good-lifecycle-scratch", "good-scratch-bucket-inline", "good-config-archive-other-prefix"],
    says: { "bad-lifecycle-1-day": /expires objects after 1 day, in the bucket trail "[^"]+" writes its audit logs to; they must be kept at least 90 days/, "bad-flow-bucket-inline": /flow log "flows"/, "bad-config-archive-date": /on a fixed date/ },
  },
  {
    rule: "data-store-encrypted",
    program: "data-at-rest",
    bad: ["bad-rds-default", "bad-aurora-default", "bad-docdb", "bad-efs-default", "bad-redis-group", "bad-cache-standalone", "bad-redshift-off", "bad-opensearch", "bad-dax"],
    good: ["good-rds", "good-rds-replica-with-key", "good-aurora-serverless-v1", "good-neptune", "good-efs", "good-valkey-group", "good-cache-group-member", "good-redshift-default", "good-opensearch", "bad-rds-public"],
    says: { "bad-rds-default": /storageEncrypted is unset, and AWS's default is unencrypted/, "bad-opensearch": /encryptAtRest\.enabled/ },
  },
  {
    rule: "no-public-images-snapshots",
    program: "data-at-rest",
    bad: ["bad-snapshot-copy-all", "bad-rds-public", "bad-dms-default", "bad-cmd-db-cluster-snapshot"],
    good: ["good-cluster-snapshot-copy-account", "good-rds", "good-cmd-db-snapshot-account"],
    says: { "bad-dms-default": /unset, and AWS's default is true/, "bad-cmd-db-cluster-snapshot": /modify-db-cluster-snapshot-attribute/ },
  },
  { rule: "kms-key-rotation", program: "data-at-rest", bad: ["bad-key-2560"], good: ["good-key-180"], says: { "bad-key-2560": /rotationPeriodInDays is 2560/ } },
  { rule: "agent-host-audit-logging", program: "clean", bad: [], good: ["gateway"] },
  {
    rule: "ec2-state-volume-cmk",
    program: "state",
    bad: ["bad-state-awskey", "bad-state-alias", "bad-host-blockdev-awskey"],
    good: ["good-state", "good-state-tagged", "good-state-dlm", "bad-state-unbacked", "bad-state-excluded", "bad-host-blockdev", "good-host"],
    says: { "bad-state-awskey": /AWS managed key \(no kmsKeyId\)/, "bad-state-alias": /alias\/aws\/ebs/, "bad-host-blockdev-awskey": /ebsBlockDevices\[0\] \(\/dev\/sdf\)/ },
  },
  {
    rule: "ec2-state-volume-backed-up",
    program: "state",
    bad: ["bad-state-unbacked", "bad-state-excluded", "bad-host-blockdev-awskey"],
    good: ["good-state", "good-state-tagged", "good-state-dlm", "bad-state-awskey", "bad-state-alias", "bad-host-blockdev", "good-host"],
    says: { "bad-state-unbacked": /volume "bad-state-unbacked" \(attached to "good-host"\) is in no backup plan/ },
  },
  {
    rule: "ec2-state-volume-kept",
    program: "state",
    bad: ["bad-host-blockdev", "bad-host-blockdev-awskey"],
    good: ["good-host", "good-state", "bad-state-unbacked", "bad-host-nostate"],
    says: { "bad-host-blockdev": /deleted with the instance \(deleteOnTermination is not false\)/, "bad-host-blockdev-awskey": /left behind detached/ },
  },
  { rule: "ec2-state-volume-separate", program: "state", bad: ["bad-host-nostate"], good: ["good-host", "bad-host-blockdev"], says: { "bad-host-nostate": /state lives on its root volume/ } },
  {
    rule: "no-plaintext-secrets",
    program: "secrets-literal",
    bad: [
      "bad-ud-anthropic", "bad-ud-gzip", "bad-ud-token", "bad-lt-ud", "bad-lt-tags", "bad-lambda-token", "bad-lambda-akia", "bad-ssm-string", "bad-ssm-tskey", "bad-tags", "bad-tags-secret",
      "bad-ud-unit-env", "bad-ud-flag-token", "bad-ud-mime", "bad-ud-b64-pipe", "bad-ud-binary", "bad-ud-weak", "bad-ud-minted-key", "bad-s3-env", "bad-s3-asset", "bad-ecs-env",
      "bad-provider", "bad-lambda-weak", "bad-ssm-secure-weak", "bad-secret-version-weak-wo", "bad-ud-sed-literal",
    ],
    good: ["good-secret-version", "bad-secret-version-wo-literal", "good-secret-version-minted", "good-ssm-secure", "good-ud-ref", "good-ud-placeholder", "good-lambda-env", "good-tags", "bad-secret-version-literal", "bad-secret-version-depends"],
    says: {
      "bad-ud-anthropic": /Anthropic/,
      "bad-ud-gzip": /user data \(base64\) \(gzip\) write_files \/etc\/openai\.env holds an OpenAI/,
      "bad-ud-token": /GATEWAY_TOKEN/,
      "bad-lambda-akia": /AWS access key/,
      "bad-lt-ud": /Tailscale/,
      "bad-ud-unit-env": /openclaw-gateway\.service assigns a random-looking token to OPENCLAW_GATEWAY_TOKEN/,
      "bad-ud-flag-token": /random-looking token to token/,
      "bad-ud-mime": /MIME part 1 \(text\/x-shellscript\)[\s\S]*Anthropic/,
      "bad-ud-b64-pipe": /writes \/etc\/openclaw\/openai\.env holds an OpenAI/,
      "bad-ud-binary": /write_files \/etc\/gw\.env holds a Tailscale key/,
      "bad-ud-weak": /human-chosen \(weak\) value to OPENCLAW_GATEWAY_TOKEN/,
      "bad-ud-minted-key": /Tailscale key/,
      "bad-ecs-env": /container gw environment assigns a random-looking token to OPENCLAW_GATEWAY_TOKEN/,
      "bad-provider": /stack's state/,
      "bad-ssm-secure-weak": /SecureString parameter "\/clawkeep\/gateway-token" is a human-chosen/,
    },
  },
  {
    rule: "no-credential-in-state",
    program: "secrets-literal",
    bad: ["bad-secret-version-literal", "bad-secret-version-depends", "bad-secret-version-wo-literal", "good-ssm-secure"],
    good: ["good-secret-version", "good-secret-version-minted", "bad-secret-version-weak-wo"],
    says: { "bad-secret-version-literal": /secretString holds an Anthropic API key[\s\S]*secretStringWo/, "bad-secret-version-wo-literal": /secretStringWo holds an Anthropic API key .* written in the program/ },
  },
  {
    rule: "secrets-rotation-max-days",
    program: "secrets-store",
    bad: ["bad-secret-no-rotation", "bad-secret-120d", "bad-secret-disabled", "bad-secret-inline-policy", "bad-secret-tagged-not-credential", "bad-secret-tailnet-key-long", "bad-secret-tailnet-key-and-more"],
    good: ["good-secret-30d", "good-secret-rate", "good-secret-tailnet-key", "good-secret-federated"],
    says: { "bad-secret-120d": /every 120 days/, "bad-secret-tailnet-key-long": /Tailscale auth key join-120d, which stays valid 120 days/, "bad-secret-tagged-not-credential": /has no SecretRotation/ },
  },
  { rule: "rotation-lambda-permission-scoped", program: "secrets-store", bad: ["bad-perm-open"], good: ["good-perm-account", "good-perm-arn"] },
  { rule: "secret-policy-not-public", program: "secrets-store", bad: ["bad-secret-policy", "bad-secret-inline-policy"], good: ["good-secret-policy-condition", "good-secret-policy-role"] },
  { rule: "kms-key-rotation", program: "secrets-store", bad: ["bad-key"], good: ["good-key", "good-asymmetric-key"] },
  { rule: "log-group-retention", program: "secrets-store", bad: ["bad-logs-30"], good: ["good-logs", "good-logs-forever", "bad-logs-nokms"] },
  { rule: "log-group-kms-encrypted", program: "secrets-store", bad: ["bad-logs-nokms"], good: ["good-logs", "good-logs-forever", "bad-logs-30"] },
  {
    rule: "iam-no-wildcard-admin",
    program: "iam",
    bad: ["bad-admin-policy", "bad-notaction-policy", "bad-notresource-policy", "bad-role-inline", "bad-attach-admin", "bad-role-managed-power", "bad-group-attach-admin", "bad-user-attach-lookup", "bad-shared-attach-admin", "bad-break-glass-admin"],
    good: ["good-secret-read", "good-policy-document", "good-attach-ssm", "good-mfa-deny", "bad-secret-read", "bad-attach-secrets-rw", "good-secret-denied"],
    says: { "bad-user-attach-lookup": /AWS managed policy AdministratorAccess/, "bad-notresource-policy": /except arn:aws:iam::123456789012:role\/break-glass \(NotResource\)/ },
  },
  {
    rule: "iam-no-secret-read-wildcard",
    program: "iam",
    bad: ["bad-secret-read", "bad-secret-wildcard", "bad-attach-secrets-rw", "bad-secret-notresource"],
    good: ["good-secret-read", "good-policy-document", "good-secret-tagged", "good-secret-denied", "bad-admin-policy", "bad-role-inline", "bad-attach-admin"],
    says: { "bad-attach-secrets-rw": /SecretsManagerReadWrite/ },
  },
  {
    rule: "iam-no-privilege-escalation",
    program: "iam",
    bad: ["bad-esc-iam-star", "bad-esc-passrole", "bad-esc-self", "bad-esc-group", "bad-esc-assume-any", "bad-esc-service-policy-on-host", "bad-esc-assume-any-account"],
    good: ["good-esc-spot-fleet-role", "good-esc-scoped-passrole", "good-esc-denied", "good-esc-boundary", "good-instance-role", "esc-member", "host-role", "bad-role-inline", "break-glass", "good-esc-assume-own-role"],
    says: {
      "bad-esc-assume-any-account": /sts:AssumeRole on arn:aws:iam::\*:role\/OrganizationAccountAccessRole \(that role in every account/,
      "bad-esc-passrole": /iam:PassRole on every role with ec2:RunInstances.*esc-pass.*policy esc-launch \(through esc-launch\)/,
      "bad-esc-self": /iam:PutRolePolicy on itself/,
      "bad-esc-group": /AWS managed policy IAMFullAccess/,
      "bad-esc-assume-any": /sts:AssumeRole on every role/,
    },
  },
  {
    rule: "iam-no-public-trust",
    program: "iam",
    bad: ["bad-trust-star", "bad-trust-notprincipal", "bad-trust-arn-wildcard", "bad-trust-github-any", "bad-trust-github-owner-wildcard", "bad-trust-github-nosub", "bad-trust-github-negated", "bad-trust-cognito"],
    good: ["good-trust", "good-trust-github", "good-trust-github-org", "good-trust-star-account", "good-trust-cognito", "good-trust-saml", "good-instance-role"],
    says: { "bad-trust-github-any": /any GitHub repository of any owner/, "bad-trust-github-nosub": /no condition on token\.actions\.githubusercontent\.com:sub/, "bad-trust-cognito": /every Cognito identity pool/ },
  },
  {
    rule: "iam-trust-external-id",
    program: "iam",
    bad: ["bad-trust-vendor-root", "bad-trust-vendor-id-array", "bad-trust-vendor-external-id-any"],
    good: ["good-trust-vendor-external-id", "good-trust-vendor-org", "break-glass", "good-trust-star-account", "good-trust", "bad-trust-star"],
    says: { "bad-trust-vendor-id-array": /lets account 999988887777 \(not this stack's account\)/, "bad-trust-vendor-external-id-any": /bind neither an sts:ExternalId/ },
  },
  {
    rule: "iam-host-no-audit-tamper",
    program: "iam",
    bad: ["bad-tamper-host", "bad-tamper-managed-host", "host-role"],
    good: ["good-host-own-bucket", "good-tamper-not-host", "good-instance-role", "bad-role-inline", "bad-role-managed-power"],
    says: { "bad-tamper-host": /cloudtrail:StopLogging, logs:PutRetentionPolicy/, "bad-tamper-managed-host": /logs:DeleteLogGroup.*AWS managed policy CloudWatchLogsFullAccess/ },
  },
  {
    rule: "iam-host-no-boundary-escape",
    program: "iam",
    bad: ["bad-escape-host", "host-role"],
    good: ["good-confined-host", "good-host-own-bucket", "good-tamper-not-host", "bad-tamper-host"],
    says: { "bad-escape-host": /secretsmanager:DeleteResourcePolicy \(unbinds or re-routes a secret\); iam:PassRole with cloudformation:CreateStack/ },
  },
  { rule: "log-delivery-in-account", program: "data-audit", bad: ["bad-sub-foreign"], good: ["good-sub-own"], says: { "bad-sub-foreign": /account 999988887777, not the stack's own/ } },
  { rule: "sns-topic-not-public", program: "public", bad: ["bad-topic", "bad-topic-policy", "bad-topic-sourceowner-wild"], good: ["good-topic", "good-topic-policy", "plain-topic"] },
  {
    rule: "lambda-not-public",
    program: "public",
    bad: ["bad-url", "bad-perm-public", "bad-perm-url", "bad-perm-service-open", "bad-perm-service-any-account", "bad-perm-public-wild-arn"],
    good: ["good-url", "good-perm-sns", "good-perm-org", "good-perm-s3-bucket"],
  },
  {
    rule: "resource-policy-not-public",
    program: "public",
    bad: ["bad-key-policy", "bad-key-policy-resource", "bad-queue-policy", "bad-queue-inline", "bad-bucket-policy", "bad-bucket-ip-internet", "bad-ecr-policy", "bad-event-permission", "bad-layer-public"],
    good: ["good-key-policy", "good-queue-policy", "good-bucket-vpce", "good-bucket-deny-tls", "good-ecr-org", "good-event-permission-org", "good-layer-org", "bad-topic"],
    says: { "bad-queue-inline": /its conditions do not narrow who/, "bad-key-policy-resource": /everyone but its NotPrincipal/ },
  },
  { rule: "tailscale-acl-no-any-to-any", program: "tailscale-open", bad: ["bad-acl", "bad-acl-members"], good: ["good-acl-members-self", "bad-acl-ssh-root", "bad-acl-funnel", "bad-acl-owners"], says: { "bad-acl-members": /tag:helper, which autogroup:member may apply/ } },
  { rule: "tailscale-acl-no-any-to-any", program: "tailscale-closed", bad: [], good: ["good-acl"] },
  { rule: "tailscale-ssh-check-mode", program: "tailscale-open", bad: ["bad-acl-ssh-root"], good: ["good-acl-members-self", "bad-acl", "bad-acl-funnel"], says: { "bad-acl-ssh-root": /as root without re-authentication/ } },
  { rule: "tailscale-ssh-check-mode", program: "tailscale-closed", bad: [], good: ["good-acl"] },
  { rule: "tailscale-no-funnel-attr", program: "tailscale-open", bad: ["bad-acl-funnel"], good: ["good-acl-members-self", "bad-acl"] },
  { rule: "tailscale-no-funnel-attr", program: "tailscale-closed", bad: [], good: ["good-acl"] },
  { rule: "tailscale-no-funnel-host", program: "side-doors", bad: ["bad-funnel-socket-flag", "bad-funnel-serve-config"], good: ["good-serve-tailnet-only", "good-serve-config-no-funnel"], says: { "bad-funnel-socket-flag": /--socket .* funnel --bg 18789/, "bad-funnel-serve-config": /AllowFunnel true/ } },
  { rule: "no-network-side-door", program: "side-doors", bad: ["bad-peering", "bad-tgw", "bad-vgw-inline", "bad-cvpn-everyone"], good: ["good-vgw-detached", "good-cvpn-one-group"], says: { "bad-peering": /account 999988887777/ } },
  { rule: "tailscale-tag-owners", program: "tailscale-open", bad: ["bad-acl", "bad-key-unowned-tag", "bad-acl-owners"], good: ["mid-key-week", "bad-key-loose", "good-acl-members-self", "bad-acl-members"], says: { "bad-acl": /tag:unowned/, "bad-acl-owners": /tag:gw may be applied by autogroup:member/ } },
  { rule: "tailscale-tag-owners", program: "tailscale-closed", bad: [], good: ["good-acl", "good-key"] },
  { rule: "tailscale-auth-key-hardened", program: "tailscale-open", bad: ["bad-key-loose", "bad-oauth-mints-keys"], good: ["mid-key-week", "mid-key-default-expiry", "bad-key-unowned-tag", "good-oauth-read-only"], says: { "bad-oauth-mints-keys": /never expires.*auth_keys.*tag:gw/ } },
  { rule: "tailscale-auth-key-short-lived", program: "tailscale-open", bad: ["bad-key-loose", "mid-key-week", "mid-key-default-expiry"], good: ["bad-key-unowned-tag"] },
  { rule: "tailscale-node-key-expiry", program: "tailscale-open", bad: ["bad-node-key-forever"], good: ["good-node-key-expires"] },
  { rule: "tailscale-auth-key-short-lived", program: "tailscale-closed", bad: [], good: ["good-key"] },
  { rule: "openclaw-config-readable", program: "openclaw", bad: ["bad-unreadable"], good: GOOD_GATEWAYS },
  { rule: "openclaw-trust-level-strictest", program: "openclaw-levels", bad: ["bad-self-tagged"], good: ["good-own-cell"], says: { "bad-self-tagged": /claims level 2, but instance "cell-l0" runs the gateway at level 0/ } },
  {
    rule: "openclaw-gateway-loopback",
    program: "openclaw",
    bad: ["bad-bind", "bad-flag-bind", "bad-config-set", "bad-include", "bad-custom-path", "bad-mime", "bad-s3-json5", "bad-ssm-doc-bind", "bad-ssm-doc-yaml-flag", "bad-ssm-assoc-bind"],
    good: [...GOOD_GATEWAYS, "bad-funnel", "bad-flag-auth", "good-ssm-doc", "good-ssm-assoc", "bad-ssm-window-auth"],
    says: { "bad-ssm-doc-bind": /after `sudo -u openclaw openclaw config set gateway\.bind lan`/, "bad-ssm-doc-yaml-flag": /--bind lan/, "bad-ssm-assoc-bind": /"tailnet"/, "bad-flag-bind": /--bind lan \(the flag overrides the config\)/, "bad-config-set": /after `openclaw config set gateway\.bind lan`/, "bad-custom-path": /gw\.conf: gateway\.bind is "custom"/, "bad-include": /"tailnet"/ },
  },
  {
    rule: "openclaw-gateway-auth",
    program: "openclaw",
    bad: ["bad-auth-none", "bad-auth-unset", "bad-funnel", "bad-flag-auth", "bad-password", "bad-weak-token", "bad-rate-limit", "bad-bundle", "bad-ssm-window-auth"],
    good: [...GOOD_GATEWAYS, "bad-bind", "bad-flag-bind", "good-ssm-doc", "good-ssm-assoc", "bad-ssm-doc-bind"],
    says: {
      "bad-password": /mode is "password"/,
      "bad-flag-auth": /--auth none/,
      "bad-weak-token": /written in the file and is human-chosen/,
      "bad-rate-limit": /maxAttempts 1000 > 10, lockoutMs 0 < 300000[\s\S]*allowedOrigins/,
    },
  },
  { rule: "openclaw-no-funnel", program: "openclaw", bad: ["bad-funnel", "bad-funnel-command", "bad-launch-config"], good: [...GOOD_GATEWAYS, "bad-bind"], says: { "bad-funnel-command": /tailscale funnel --bg 18789/ } },
  {
    rule: "openclaw-exec-approvals",
    program: "openclaw",
    bad: ["bad-approvals-shell", "bad-approvals-set-file", "bad-approvals-add", "bad-approvals-yolo", "bad-approvals-fallback"],
    good: [...GOOD_GATEWAYS, "good-approvals"],
    says: {
      "bad-approvals-shell": /agents.main.allowlist\[0\]: pattern "\/bin\/bash": allowed is not bash: a shell/,
      "bad-approvals-set-file": /an anchored argPattern: find can run programs/,
      "bad-approvals-add": /"\/usr\/bin\/\*" is a glob/,
      "bad-approvals-yolo": /preset yolo: security is "full"/,
      "bad-approvals-fallback": /askFallback is "full"[\s\S]*autoAllowSkills is true/,
    },
  },
  { rule: "openclaw-no-dangerous-flags", program: "openclaw", bad: ["bad-dangerous", "bad-ssm-doc-dangerous"], good: [...GOOD_GATEWAYS, "good-ssm-doc", "good-ssm-assoc"] },
  {
    rule: "openclaw-trust-envelope",
    program: "openclaw",
    bad: [
      "bad-l0-coding", "bad-l1-cron", "bad-gateway-tool", "bad-elevated", "bad-exec-full", "bad-exec-auto", "bad-exec-default", "bad-exec-gateway-host", "bad-exec-policy-preset", "bad-workspace", "bad-untagged",
      "bad-tag-invalid", "bad-agent-override", "bad-channel-grant", "bad-dm-open", "bad-session", "bad-audit-off",
    ],
    good: [...GOOD_GATEWAYS, "bad-bind", "bad-funnel", "bad-dangerous"],
    says: {
      "bad-l0-coding": /exec, process, code_execution reachable, but level 0 \(advisor\) allows no commands/,
      "bad-l1-cron": /cron reachable, but level 1/,
      "bad-exec-gateway-host": /exec, process, code_execution reachable and exec\.host is "gateway": the agent's commands would run as the gateway/,
      "bad-exec-policy-preset": /reachable and exec\.host is "gateway"/,
      "bad-gateway-tool": /gateway reachable/,
      "bad-elevated": /elevated/,
      "bad-exec-auto": /exec\.mode is "auto"/,
      "bad-workspace": /workspaceOnly/,
      "bad-untagged": /untagged, so judged as level 0/,
      "bad-tag-invalid": /"7" is not one of/,
      "bad-agent-override": /agents\.entries\.worker\.tools/,
      "bad-channel-grant": /exec reachable, but level 1/,
      "bad-dm-open": /dmPolicy is "open"[\s\S]*allowFrom allows "\*"/,
      "bad-session": /idleMinutes is 600[\s\S]*reset "daily"/,
      "bad-audit-off": /audit\.enabled is false[\s\S]*redactPatterns is empty/,
    },
  },
  {
    rule: "no-public-front-door",
    program: "front-door",
    bad: ["bad-v2-route-none", "bad-v2-websocket", "bad-v2-openapi", "bad-v1-integration", "bad-endpoint-service-any", "bad-endpoint-principal-any", "bad-cloudfront-vpc-origin", "bad-accelerator-endpoints"],
    good: ["good-v2-route-iam", "good-v2-route-jwt", "good-v2-route-public-backend", "good-v2-websocket-authed", "good-v1-integration-iam", "good-v1-integration-private", "good-endpoint-service-named", "good-endpoint-principal-named"],
    says: { "bad-v2-route-none": /authorization NONE/, "bad-v2-websocket": /on \$connect/, "bad-v2-openapi": /ANY \/\{proxy\+\}/, "bad-endpoint-service-any": /any AWS account/ },
  },
  { rule: "no-opaque-dynamic-resource", program: "unseen", bad: ["opaque-policy", "opaque-cfn-stack", "opaque-stack-set", "opaque-stack-set-instance", "opaque-product", "opaque-sar-app"], good: ["unseen-private", "in-account-sg"], says: { "opaque-policy": /decided by its provider code at deploy time/, "opaque-cfn-stack": /CloudFormation stack: its template/, "opaque-product": /Service Catalog provisioned product/ } },
];

const flagged = (c: Case) => judged[c.program].violations.filter((v) => v.rule === c.rule);

describe("each rule on insecure and secure programs", () => {
  it.each(CASES.map((c) => [c.rule, c.program, c] as const))("%s on %s", (_rule, _program, c) => {
    const names = new Set(flagged(c).map((v) => v.name));
    expect([...c.bad].filter((n) => !names.has(n)), "bad resources the rule missed").toEqual([]);
    expect(c.good.filter((n) => names.has(n)), "good resources the rule flagged").toEqual([]);
    for (const [name, re] of Object.entries(c.says ?? {})) {
      expect(flagged(c).filter((v) => v.name === name).map((v) => v.message).join("\n")).toMatch(re);
    }
  });

  it("covers every rule with at least one insecure and one secure resource", () => {
    // Issue 16's rules have their own program and file (test/policy-rules-credentials.test.ts).
    for (const rule of RULES) {
      const mine = [...CASES, ...CREDENTIAL_RULE_CASES].filter((c) => c.rule === rule.name);
      expect(mine.flatMap((c) => c.bad).length, rule.name).toBeGreaterThan(0);
      expect(mine.flatMap((c) => c.good).length, rule.name).toBeGreaterThan(0);
    }
  });

  it("names every resource it judges in the cases, so none escape the expectations", () => {
    for (const p of PROGRAMS) {
      const listed = new Set(CASES.filter((c) => c.program === p).flatMap((c) => [...c.bad, ...c.good]));
      const unexpected = judged[p].violations.filter((v) => /^(bad|good|mid)-/.test(v.name) && !listed.has(v.name) && CASES.some((c) => c.program === p && c.rule === v.rule));
      expect(unexpected.map((v) => `${v.rule}: ${v.name}`), p).toEqual([]);
    }
  });

  it("says cannot judge, naming what, when a rule needs what only the account knows", () => {
    const blindRules = new Set(judged.unseen.blind.map((b) => b.rule));
    for (const rule of ["ec2-imdsv2-required", "ec2-ebs-encrypted", "ec2-no-ssh-key-pair", "no-public-address", "no-unrestricted-egress", "agent-host-audit-logging", "no-public-images-snapshots"]) {
      expect(blindRules, rule).toContain(rule);
    }
    const whats = judged.unseen.blind.map((b) => b.what).join("\n");
    expect(whats).toMatch(/launch template gateway-golden, which the program names but does not define/);
    expect(whats).toMatch(/prefix list pl-0123456789abcdef0/);
    expect(whats).toMatch(/security group sg-0123456789abcdef0/);
    expect(whats).toMatch(/ssm:\/cw\/agent-config/);
    expect(whats).toMatch(/shell variable/);
    expect(whats).toMatch(/the region of encryption by default "unplaced" \(whether encryption by default "unplaced", a per-region setting, covers its volumes\)/);
    expect(passes(judged.unseen)).toBe(false);
  });

  it("cannot judge (never passes) a config that pulls in a file the resource does not deliver", () => {
    expect(judged.openclaw.blind.map((b) => `${b.rule ?? ""} ${b.where}: ${b.what}`)).toEqual([
      expect.stringMatching(/^openclaw-config-readable aws:ssm\/document:Document bad-ssm-doc-yaml-flag .*nohup openclaw gateway --bind lan --port 18789 &: starts the gateway, but this resource delivers no OpenClaw config/),
      expect.stringMatching(/^openclaw-config-readable aws:ec2\/instance:Instance bad-include-missing .*elsewhere\.json5, which \/etc\/openclaw\/openclaw\.json pulls in with \$include, is not delivered/),
    ]);
  });

  it("evaluated every program without errors, and no rule threw", () => {
    for (const p of PROGRAMS) {
      expect(evaluations[p].errors.map((e) => e.message), p).toEqual([]);
      expect(judged[p].errors, p).toEqual([]);
    }
  });
});

describe("violations", () => {
  it("carry the rule's remediation, severity and level", () => {
    for (const p of PROGRAMS) {
      for (const v of judged[p].violations) {
        const rule = RULES.find((r) => r.name === v.rule);
        expect(rule).toBeDefined();
        expect(v).toMatchObject({ remediation: rule?.remediation, severity: rule?.severity, enforcementLevel: rule?.enforcementLevel });
        expect(v.urn).toMatch(/^urn:pulumi:dev::policytest::/);
      }
    }
  });

  it("never quote a secret value", () => {
    const secrets = evaluations["secrets-literal"].resources.flatMap((r) =>
      [...stringLeaves(JSON.parse(JSON.stringify(r.inputs)))].map((l) => l.value).filter((s) => keyShapes(s).length > 0 || looksRandomToken(s)),
    );
    expect(secrets.length).toBeGreaterThan(5);
    const messages = judged["secrets-literal"].violations.map((v) => v.message).join("\n");
    for (const s of secrets) expect(messages.includes(s)).toBe(false);
  });
});

describe("the clean program", () => {
  it("has no violation and passes the gate", () => {
    expect(judged.clean.violations).toEqual([]);
    expect(passes(judged.clean)).toBe(true);
  });

  it("fills the guides' checklist: every item judged by a rule passes, the rest say where they are decided", () => {
    const checklist = judged.clean.checklist;
    expect(checklist.map((c) => c.id).sort()).toEqual(CHECKLIST_ITEMS.map((i) => i.id).sort());
    for (const entry of checklist) {
      if (entry.rules.length === 0) {
        expect(entry.status, entry.id).toBe("not-applicable");
        expect(entry.note, entry.id).toMatch(/decided outside the pack/);
      } else {
        expect(entry.status, entry.id).toBe("pass");
      }
    }
  });
});

describe("the gate and its config", () => {
  it("fails on a mandatory violation; advisory ones alone do not block", () => {
    expect(passes(judged.network)).toBe(false);
    const advisoryOnly = judged["tailscale-open"].violations.filter((v) => v.enforcementLevel === "advisory");
    expect(advisoryOnly.map((v) => v.rule)).toContain("tailscale-auth-key-short-lived");
    expect(passes(judge(evaluations["tailscale-open"], { all: "advisory" }))).toBe(true);
  });

  it("marks checklist items failed by the rules that found violations", () => {
    const byId = new Map(judged.network.checklist.map((c) => [c.id, c]));
    expect(byId.get("network-restrictions")?.status).toBe("fail");
    expect(byId.get("network-restrictions")?.note).toMatch(/violated: no-public-ingress/);
    expect(byId.get("audit-logging")?.status).toBe("not-applicable");
  });

  it("passes a checklist row only when one of its rules judged something; otherwise says why", () => {
    // A host that runs no OpenClaw: the audit rule has nothing to judge, so the row is not a pass.
    const byId = new Map(judged["account-defaults"].checklist.map((c) => [c.id, c]));
    expect(byId.get("audit-logging")?.status).toBe("not-applicable");
    expect(byId.get("audit-logging")?.note).toMatch(/nothing in the stack for agent-host-audit-logging \(hosts whose user data installs or runs OpenClaw/);
    expect(byId.get("production-host")?.status).toBe("fail");
    const clean = new Map(judged.clean.checklist.map((c) => [c.id, c]));
    expect(clean.get("audit-logging")?.status).toBe("pass");
    expect(clean.get("audit-logging")?.note).toMatch(/judged by .*agent-host-audit-logging/);
    // Blind rules make the row unknown, never a pass.
    const unseen = new Map(judged.unseen.checklist.map((c) => [c.id, c]));
    expect(unseen.get("production-host")?.status).toBe("unknown");
    // A rule switched off by the pack config is named as such.
    const deciding = RULES.filter((r) => r.checklistItems.includes("audit-logging")).map((r) => r.name);
    const off = judge(evaluations.clean, Object.fromEntries(deciding.map((name) => [name, "disabled" as const])));
    const row = off.checklist.find((c) => c.id === "audit-logging");
    expect(row?.status).toBe("not-applicable");
    expect(row?.note).toMatch(/switched off by the pack config: .*agent-host-audit-logging/);
  });

  it("takes thresholds and levels in pulumi's policy-pack-config shape", () => {
    const relaxed = judge(evaluations["secrets-store"], { "secrets-rotation-max-days": { maxRotationDays: 150 } });
    expect(relaxed.violations.filter((v) => v.rule === "secrets-rotation-max-days").map((v) => v.name)).not.toContain("bad-secret-120d");
    const strict = judge(evaluations["secrets-store"], { "secrets-rotation-max-days": { maxRotationDays: 7 } });
    expect(strict.violations.filter((v) => v.rule === "secrets-rotation-max-days").map((v) => v.name)).toContain("good-secret-30d");
    const off = judge(evaluations["secrets-literal"], { "no-plaintext-secrets": "disabled" });
    expect(off.violations.some((v) => v.rule === "no-plaintext-secrets")).toBe(false);
    expect(off.applied).not.toContain("no-plaintext-secrets");
    const demoted = judge(evaluations.network, { "no-public-ingress": { enforcementLevel: "advisory" } });
    expect(demoted.violations.filter((v) => v.rule === "no-public-ingress").every((v) => v.enforcementLevel === "advisory")).toBe(true);
  });
});
