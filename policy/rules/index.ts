// Every rule of the pack, in the order the pack and the offline plan report them.
import type { Rule } from "../lib/types";
import { agentHostAuditLogging } from "./agent-host-audit-logging";
import { cloudtrailTrailComplete } from "./cloudtrail-trail-complete";
import { dataStoreEncrypted } from "./data-store-encrypted";
import { ec2EbsEncrypted } from "./ec2-ebs-encrypted";
import { ec2Imdsv2Required } from "./ec2-imdsv2-required";
import { ec2NoSshKeyPair } from "./ec2-no-ssh-key-pair";
import { ec2StateVolumeBackedUp } from "./ec2-state-volume-backed-up";
import { ec2StateVolumeCmk } from "./ec2-state-volume-cmk";
import { ec2StateVolumeKept } from "./ec2-state-volume-kept";
import { ec2StateVolumeSeparate } from "./ec2-state-volume-separate";
import { ec2StatusCheckAlarm } from "./ec2-status-check-alarm";
import { iamNoPrivilegeEscalation } from "./iam-no-privilege-escalation";
import { iamHostNoAuditTamper } from "./iam-host-no-audit-tamper";
import { iamHostNoBoundaryEscape } from "./iam-host-no-boundary-escape";
import { logDeliveryInAccount } from "./log-delivery-in-account";
import { iamNoPublicTrust } from "./iam-no-public-trust";
import { iamTrustExternalId } from "./iam-trust-external-id";
import { iamNoSecretReadWildcard } from "./iam-no-secret-read-wildcard";
import { iamNoServiceWildcard } from "./iam-no-service-wildcard";
import { imdsRootOnly } from "./imds-root-only";
import { iamNoWildcardAdmin } from "./iam-no-wildcard-admin";
import { kmsKeyRotation } from "./kms-key-rotation";
import { lambdaNotPublic } from "./lambda-not-public";
import { logGroupKmsEncrypted } from "./log-group-kms-encrypted";
import { logGroupRetention } from "./log-group-retention";
import { noCredentialInState } from "./no-credential-in-state";
import { noOpaqueDynamicResource } from "./no-opaque-dynamic-resource";
import { noPlaintextSecrets } from "./no-plaintext-secrets";
import { noPublicImagesSnapshots } from "./no-public-images-snapshots";
import { noPublicAddress } from "./no-public-address";
import { noPublicFrontDoor } from "./no-public-front-door";
import { noPublicIngress } from "./no-public-ingress";
import { noNetworkSideDoor } from "./no-network-side-door";
import { noUnrestrictedEgress } from "./no-unrestricted-egress";
import { openclawConfigReadable } from "./openclaw-config-readable";
import { openclawExecApprovals } from "./openclaw-exec-approvals";
import { openclawGatewayAuth } from "./openclaw-gateway-auth";
import { openclawGatewayLoopback } from "./openclaw-gateway-loopback";
import { openclawNoDangerousFlags } from "./openclaw-no-dangerous-flags";
import { openclawNoFunnel } from "./openclaw-no-funnel";
import { openclawTrustEnvelope } from "./openclaw-trust-envelope";
import { openclawTrustLevelStrictest } from "./openclaw-trust-level-strictest";
import { resourcePolicyNotPublic } from "./resource-policy-not-public";
import { s3NoPublicAcl } from "./s3-no-public-acl";
import { rotationLambdaPermissionScoped } from "./rotation-lambda-permission-scoped";
import { secretPolicyBoundToHost } from "./secret-policy-bound-to-host";
import { secretPolicyNotPublic } from "./secret-policy-not-public";
import { secretsRotationMaxDays } from "./secrets-rotation-max-days";
import { snsTopicNotPublic } from "./sns-topic-not-public";
import { ssmNoShellDocument } from "./ssm-no-shell-document";
import { tailscaleAclNoAnyToAny } from "./tailscale-acl-no-any-to-any";
import { tailscaleAuthKeyHardened } from "./tailscale-auth-key-hardened";
import { tailscaleAuthKeyShortLived } from "./tailscale-auth-key-short-lived";
import { tailscaleNoFunnelAttr } from "./tailscale-no-funnel-attr";
import { tailscaleNoFunnelHost } from "./tailscale-no-funnel-host";
import { tailscaleNodeKeyExpiry } from "./tailscale-node-key-expiry";
import { tailscaleSshCheckMode } from "./tailscale-ssh-check-mode";
import { tailscaleTagOwners } from "./tailscale-tag-owners";

export const RULES: readonly Rule[] = [
  // network
  noPublicIngress,
  noPublicFrontDoor,
  noPublicAddress,
  noNetworkSideDoor,
  noUnrestrictedEgress,
  // EC2 host
  ec2Imdsv2Required,
  ec2EbsEncrypted,
  dataStoreEncrypted,
  ec2NoSshKeyPair,
  ec2StatusCheckAlarm,
  imdsRootOnly,
  // the agent's state (issue 18)
  ec2StateVolumeCmk,
  ec2StateVolumeBackedUp,
  ec2StateVolumeKept,
  ec2StateVolumeSeparate,
  // secrets and keys
  noPlaintextSecrets,
  noCredentialInState,
  secretsRotationMaxDays,
  rotationLambdaPermissionScoped,
  secretPolicyNotPublic,
  secretPolicyBoundToHost,
  kmsKeyRotation,
  // logs and audit
  agentHostAuditLogging,
  cloudtrailTrailComplete,
  logGroupRetention,
  logGroupKmsEncrypted,
  // IAM
  iamNoWildcardAdmin,
  iamNoSecretReadWildcard,
  iamNoPublicTrust,
  iamTrustExternalId,
  iamNoPrivilegeEscalation,
  iamNoServiceWildcard,
  iamHostNoAuditTamper,
  iamHostNoBoundaryEscape,
  logDeliveryInAccount,
  ssmNoShellDocument,
  // open to everyone
  snsTopicNotPublic,
  lambdaNotPublic,
  resourcePolicyNotPublic,
  s3NoPublicAcl,
  noPublicImagesSnapshots,
  // what no rule can see
  noOpaqueDynamicResource,
  // Tailscale
  tailscaleAclNoAnyToAny,
  tailscaleTagOwners,
  tailscaleAuthKeyHardened,
  tailscaleAuthKeyShortLived,
  tailscaleSshCheckMode,
  tailscaleNoFunnelAttr,
  tailscaleNoFunnelHost,
  tailscaleNodeKeyExpiry,
  // OpenClaw on the host
  openclawConfigReadable,
  openclawGatewayLoopback,
  openclawGatewayAuth,
  openclawNoFunnel,
  openclawNoDangerousFlags,
  openclawTrustEnvelope,
  openclawTrustLevelStrictest,
  openclawExecApprovals,
];
