// Protects: data encrypted with a customer managed key, by limiting how much any one key version
// ever encrypted.
// Checklist: "Keys rotated within last 90 days" (key material rotates on a schedule).
// A rotation period longer than a year (AWS allows up to 2560 days) leaves one key version encrypting for years.
// Fix: enableKeyRotation: true on symmetric KMS keys, rotationPeriodInDays unset (AWS's 365) or at most maxRotationPeriodDays.
import type { ResourceRule } from "../lib/types";

const SYMMETRIC = "SYMMETRIC_DEFAULT";

export const kmsKeyRotation: ResourceRule = {
  kind: "resource",
  name: "kms-key-rotation",
  description: "Symmetric customer managed KMS keys rotate their key material automatically, at least every maxRotationPeriodDays (365, AWS's default period).",
  protects: "secrets, logs and volumes encrypted with the key",
  checklistItems: ["keys-rotated-90-days"],
  severity: "medium",
  enforcementLevel: "mandatory",
  remediation: "Set enableKeyRotation: true on the aws.kms.Key and leave rotationPeriodInDays unset (365) or set it between 90 and 365 (asymmetric and HMAC keys cannot rotate and are not judged).",
  configSchema: {
    maxRotationPeriodDays: { type: "integer", default: 365, minimum: 90, maximum: 2560, description: "Longest allowed rotationPeriodInDays (AWS's default period is 365)." },
  },
  resourceTypes: ["aws:kms/key:Key"],
  // Only symmetric encryption keys support automatic rotation.
  appliesTo: (_type, props) => (props.customerMasterKeySpec ?? props.keySpec ?? SYMMETRIC) === SYMMETRIC,
  validateResource(_type, props, config) {
    if (props.enableKeyRotation !== true) return ["enableKeyRotation is not true"];
    const period = props.rotationPeriodInDays;
    if (period === undefined || period === null) return [];
    return typeof period === "number" && period <= config.maxRotationPeriodDays
      ? []
      : [`rotationPeriodInDays is ${String(period)}; the key material must rotate at least every ${config.maxRotationPeriodDays} days`];
  },
};
