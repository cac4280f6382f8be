// Protects: data encrypted with a customer managed key, by limiting how much any one key version
// ever encrypted.
// Checklist: "Keys rotated within last 90 days" (key material rotates on a schedule).
// Fix: enableKeyRotation: true on symmetric KMS keys (rotationPeriodInDays 90..2560, default 365).
import type { ResourceRule } from "../lib/types";

const SYMMETRIC = "SYMMETRIC_DEFAULT";

export const kmsKeyRotation: ResourceRule = {
  kind: "resource",
  name: "kms-key-rotation",
  description: "Symmetric customer managed KMS keys rotate their key material automatically.",
  protects: "secrets, logs and volumes encrypted with the key",
  checklistItems: ["keys-rotated-90-days"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation: "Set enableKeyRotation: true on the aws.kms.Key (asymmetric and HMAC keys cannot rotate and are not judged).",
  resourceTypes: ["aws:kms/key:Key"],
  // Only symmetric encryption keys support automatic rotation.
  appliesTo: (_type, props) => (props.customerMasterKeySpec ?? props.keySpec ?? SYMMETRIC) === SYMMETRIC,
  validateResource(_type, props) {
    return props.enableKeyRotation === true ? [] : ["enableKeyRotation is not true"];
  },
};
