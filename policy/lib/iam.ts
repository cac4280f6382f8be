// Where IAM identity policies sit in a Pulumi program, and whose they are. A grant reaches an identity
// through an inline document (Policy, RolePolicy, UserPolicy, GroupPolicy, a Role's inlinePolicies, an
// Identity Center permission set's inline policy) or through a managed policy attached by ARN
// (managedPolicyArns, RolePolicyAttachment, PolicyAttachment, Group/UserPolicyAttachment, the
// *AttachmentsExclusive resources, Identity Center attachments), and users inherit their groups'.
import { dangerousPolicyPath, dangerousStatements, managedPolicyName } from "./awsManagedPolicies";
import { grantOf, grantOnAny, hasWildcard, parseKnownPolicy, parsePolicy, type ParsedPolicy, type Statement } from "./policyDoc";
import { UNKNOWN, field, handles, type Known } from "./references";
import type { StackResource, StackViolation } from "./types";
import { CannotJudge } from "./unknown";
import { asArray, asStrings, isRecord, readKnown } from "./values";

export const ROLE = "aws:iam/role:Role";
export const INSTANCE_PROFILE_TYPE = "aws:iam/instanceProfile:InstanceProfile";
export const USER = "aws:iam/user:User";
export const GROUP = "aws:iam/group:Group";
export const POLICY = "aws:iam/policy:Policy";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
const GROUP_POLICY = "aws:iam/groupPolicy:GroupPolicy";
const ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const USER_ATTACHMENT = "aws:iam/userPolicyAttachment:UserPolicyAttachment";
const GROUP_ATTACHMENT = "aws:iam/groupPolicyAttachment:GroupPolicyAttachment";
const SHARED_ATTACHMENT = "aws:iam/policyAttachment:PolicyAttachment";
const ROLE_ATTACHMENTS_EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";
const USER_ATTACHMENTS_EXCLUSIVE = "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive";
const GROUP_ATTACHMENTS_EXCLUSIVE = "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive";
const SSO_INLINE = "aws:ssoadmin/permissionSetInlinePolicy:PermissionSetInlinePolicy";
const SSO_ATTACHMENT = "aws:ssoadmin/managedPolicyAttachment:ManagedPolicyAttachment";
const SSO_ATTACHMENTS_EXCLUSIVE = "aws:ssoadmin/managedPolicyAttachmentsExclusive:ManagedPolicyAttachmentsExclusive";
const GROUP_MEMBERSHIP = "aws:iam/groupMembership:GroupMembership";
const USER_GROUP_MEMBERSHIP = "aws:iam/userGroupMembership:UserGroupMembership";

/** Every resource type that carries an identity policy, inline or by managed-policy ARN. */
export const IAM_POLICY_TYPES = [
  POLICY,
  ROLE_POLICY,
  USER_POLICY,
  GROUP_POLICY,
  ROLE,
  ROLE_ATTACHMENT,
  USER_ATTACHMENT,
  GROUP_ATTACHMENT,
  SHARED_ATTACHMENT,
  ROLE_ATTACHMENTS_EXCLUSIVE,
  USER_ATTACHMENTS_EXCLUSIVE,
  GROUP_ATTACHMENTS_EXCLUSIVE,
  SSO_INLINE,
  SSO_ATTACHMENT,
  SSO_ATTACHMENTS_EXCLUSIVE,
] as const;

export interface PolicySource {
  /** Where in the resource, e.g. "policy", "inlinePolicies[0] (ops)", "policyArn (AWS managed AdministratorAccess)". */
  where: string;
  doc: ParsedPolicy;
}

/** The managed-policy ARNs a resource attaches (known strings only). */
export function attachedPolicyArns(type: string, props: Record<string, unknown>): string[] {
  switch (type) {
    case ROLE:
      return asStrings(readKnown(props, "managedPolicyArns", undefined));
    case ROLE_ATTACHMENT:
    case USER_ATTACHMENT:
    case GROUP_ATTACHMENT:
    case SHARED_ATTACHMENT:
      return asStrings(readKnown(props, "policyArn", undefined));
    case ROLE_ATTACHMENTS_EXCLUSIVE:
    case USER_ATTACHMENTS_EXCLUSIVE:
    case GROUP_ATTACHMENTS_EXCLUSIVE:
      return asStrings(readKnown(props, "policyArns", undefined));
    case SSO_ATTACHMENT:
      return asStrings(readKnown(props, "managedPolicyArn", undefined));
    case SSO_ATTACHMENTS_EXCLUSIVE:
      return asStrings(readKnown(props, "managedPolicyArns", undefined));
    default:
      return [];
  }
}

/** The document of an AWS managed policy whose grant decides a judgement (awsManagedPolicies.ts), else undefined. */
export function managedPolicyDoc(arn: string): { name: string; doc: ParsedPolicy } | undefined {
  const path = managedPolicyName(arn);
  const name = path === undefined ? undefined : dangerousPolicyPath(path);
  const statements = name === undefined ? undefined : dangerousStatements(name);
  return name !== undefined && statements ? { name, doc: parsePolicy({ Statement: statements }) } : undefined;
}

/**
 * The identity policies one resource carries: its inline documents, and the AWS managed policies it
 * attaches whose documents decide a judgement. A customer managed policy attached by ARN is judged
 * where it is defined (its aws.iam.Policy), not at each attachment.
 */
export function identityPolicies(type: string, props: Record<string, unknown>): PolicySource[] {
  const out: PolicySource[] = [];
  if (type === ROLE) {
    asArray(readKnown(props, "inlinePolicies", undefined)).forEach((p, i) => {
      if (isRecord(p) && p.policy !== undefined) out.push({ where: `inlinePolicies[${i}]${typeof p.name === "string" ? ` (${p.name})` : ""}`, doc: parseKnownPolicy(p.policy, `the role's inline policy ${i}`) });
    });
  } else if (type === SSO_INLINE) {
    const inline = readKnown(props, "inlinePolicy", undefined);
    if (inline !== undefined) out.push({ where: "inlinePolicy", doc: parseKnownPolicy(inline, "the permission set's inline policy") });
  } else if (type === POLICY || type === ROLE_POLICY || type === USER_POLICY || type === GROUP_POLICY) {
    const policy = readKnown(props, "policy", undefined);
    if (policy !== undefined) out.push({ where: "policy", doc: parseKnownPolicy(policy, "the policy document") });
  }
  for (const arn of attachedPolicyArns(type, props)) {
    const managed = managedPolicyDoc(arn);
    if (managed) out.push({ where: `AWS managed policy ${managed.name}`, doc: managed.doc });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Identities and everything they hold, across the stack (for stack rules).

export type IdentityKind = "role" | "user" | "group";

export interface Identity {
  kind: IdentityKind;
  /** The stack resource, when the identity is created by the program. */
  resource?: StackResource;
  /** What to call it in messages: the resource name, or the name a program attached to. */
  label: string;
  /** Its ARN when known (for statements that name it). */
  arn?: string;
  /** Every statement it holds, with where each came from. */
  grants: Array<{ statement: Statement; from: string }>;
  /** Its permissions boundary's statements, when the boundary's document is known; undefined: no boundary known. */
  boundary?: Statement[];
  /** Customer managed policies attached to it that the program does not define: only the account knows what they grant. */
  unresolved: Array<{ arn: string; by: string }>;
}

const KIND_TYPE: Record<IdentityKind, string> = { role: ROLE, user: USER, group: GROUP };

interface Carrier {
  kind: IdentityKind;
  /** The property (path) naming the identity or identities. */
  path: string;
}

/** Which identities a carrier resource gives its policies to. */
const CARRIERS: Readonly<Record<string, readonly Carrier[]>> = {
  [ROLE_POLICY]: [{ kind: "role", path: "role" }],
  [USER_POLICY]: [{ kind: "user", path: "user" }],
  [GROUP_POLICY]: [{ kind: "group", path: "group" }],
  [ROLE_ATTACHMENT]: [{ kind: "role", path: "role" }],
  [USER_ATTACHMENT]: [{ kind: "user", path: "user" }],
  [GROUP_ATTACHMENT]: [{ kind: "group", path: "group" }],
  [SHARED_ATTACHMENT]: [
    { kind: "role", path: "roles" },
    { kind: "user", path: "users" },
    { kind: "group", path: "groups" },
  ],
  [ROLE_ATTACHMENTS_EXCLUSIVE]: [{ kind: "role", path: "roleName" }],
  [USER_ATTACHMENTS_EXCLUSIVE]: [{ kind: "user", path: "userName" }],
  [GROUP_ATTACHMENTS_EXCLUSIVE]: [{ kind: "group", path: "groupName" }],
};

/** Index of resources by every handle (id, ARN, name) they can be referred to by. */
export class HandleIndex {
  private readonly byHandle = new Map<string, StackResource[]>();
  constructor(resources: readonly StackResource[]) {
    for (const r of resources) {
      for (const h of handles(r)) {
        const list = this.byHandle.get(h);
        if (list) list.push(r);
        else this.byHandle.set(h, [r]);
      }
    }
  }
  find(handle: string, type: string): StackResource | undefined {
    return this.byHandle.get(handle)?.find((r) => r.type === type);
  }
}

/**
 * Every identity the program creates or attaches policies to, with the statements it holds: inline and
 * attached documents (customer managed policies of the program resolved by ARN, AWS managed ones from
 * awsManagedPolicies.ts), and for users their groups' too.
 */
export function identitiesOf(resources: readonly StackResource[]): Identity[] {
  const relevant = resources.filter((r) => r.type in CARRIERS || r.type === ROLE || r.type === USER || r.type === GROUP || r.type === POLICY || r.type === GROUP_MEMBERSHIP || r.type === USER_GROUP_MEMBERSHIP);
  const index = new HandleIndex(relevant);
  const byUrn = new Map(relevant.map((r) => [r.urn, r]));
  const identities = new Map<string, Identity>();
  const identityFor = (kind: IdentityKind, r: StackResource | undefined, name: string): Identity => {
    const key = r ? r.urn : `${kind}:${name}`;
    let id = identities.get(key);
    if (!id) {
      const arn = r ? field(r.props, "arn") : undefined;
      id = { kind, resource: r, label: r ? r.name : name, arn: typeof arn === "string" ? arn : undefined, grants: [], unresolved: [] };
      identities.set(key, id);
    }
    return id;
  };
  /** The identities a reference (name, id or ARN; a list of them; or not known yet) points at. */
  const resolve = (from: StackResource, kind: IdentityKind, value: Known<unknown>): Identity[] => {
    const type = KIND_TYPE[kind];
    if (value === UNKNOWN) return from.dependencies.map((d) => byUrn.get(d)).filter((r): r is StackResource => r?.type === type).map((r) => identityFor(kind, r, r.name));
    return asArray(value).flatMap((v) => (typeof v === "string" && v !== "" ? [identityFor(kind, index.find(v, type), v.split("/").pop() ?? v)] : []));
  };
  /** A policy ARN's document: one of the program's customer managed policies, or a decisive AWS managed one. */
  const policyDoc = (arn: string): PolicySource | undefined => {
    const managed = managedPolicyDoc(arn);
    if (managed) return { where: `AWS managed policy ${managed.name}`, doc: managed.doc };
    const own = index.find(arn, POLICY);
    const doc = own ? readKnown(own.props, "policy", undefined) : undefined;
    return own && doc !== undefined ? { where: `policy ${own.name}`, doc: parseKnownPolicy(doc, `the document of policy ${own.name}`) } : undefined;
  };
  /** Attached ARNs whose documents are neither AWS managed nor the program's own. */
  const unresolvedOf = (arns: string[]) => arns.filter((arn) => managedPolicyName(arn) === undefined && !index.find(arn, POLICY));
  const give = (to: Identity[], sources: PolicySource[], carrier: StackResource, unresolved: string[] = []) => {
    for (const id of to) for (const arn of unresolved) id.unresolved.push({ arn, by: carrier.name });
    for (const id of to) {
      for (const src of sources) {
        const from = src.where.startsWith("policy ") || src.where.startsWith("AWS managed") ? `${src.where} (through ${carrier.name})` : `${carrier.name} ${src.where}`;
        for (const statement of src.doc.statements) id.grants.push({ statement, from });
      }
    }
  };

  for (const r of relevant) {
    if (r.type === ROLE || r.type === USER || r.type === GROUP) {
      const kind: IdentityKind = r.type === ROLE ? "role" : r.type === USER ? "user" : "group";
      const id = identityFor(kind, r, r.name);
      const inline = identityPolicies(r.type, r.props).filter((p) => !p.where.startsWith("AWS managed"));
      const arns = attachedPolicyArns(r.type, r.props);
      give([id], [...inline, ...arns.flatMap((arn) => policyDoc(arn) ?? [])], r, unresolvedOf(arns));
      const boundaryArn = field(r.props, "permissionsBoundary");
      if (typeof boundaryArn === "string" && boundaryArn !== "") id.boundary = policyDoc(boundaryArn)?.doc.statements;
      continue;
    }
    const carriers = CARRIERS[r.type];
    if (!carriers) continue;
    const inline = identityPolicies(r.type, r.props).filter((p) => p.where === "policy");
    const arns = attachedPolicyArns(r.type, r.props);
    const attached = arns.flatMap((arn) => policyDoc(arn) ?? []);
    const unresolved = unresolvedOf(arns);
    if (inline.length + attached.length + unresolved.length === 0) continue;
    for (const c of carriers) give(resolve(r, c.kind, field(r.props, c.path)), [...inline, ...attached], r, unresolved);
  }

  // Users hold their groups' statements too.
  for (const r of relevant) {
    const pairs: Array<[Identity[], Identity[]]> = [];
    if (r.type === GROUP_MEMBERSHIP) pairs.push([resolve(r, "user", field(r.props, "users")), resolve(r, "group", field(r.props, "group"))]);
    if (r.type === USER_GROUP_MEMBERSHIP) pairs.push([resolve(r, "user", field(r.props, "user")), resolve(r, "group", field(r.props, "groups"))]);
    for (const [users, groups] of pairs) {
      for (const u of users) {
        for (const g of groups) {
          for (const grant of g.grants) u.grants.push({ statement: grant.statement, from: `${grant.from}, as a member of group ${g.label}` });
          u.unresolved.push(...g.unresolved);
        }
      }
    }
  }
  return [...identities.values()];
}

// ---------------------------------------------------------------------------------------------
// "Can this identity make itself administrator?" The classic IAM escalation paths: change its own
// (or any) identity's policies, trust or boundary; mint credentials for other users; assume any role;
// run code as any role (pass a role to new compute, or replace another function's code).

export interface Escalation {
  /** What the identity can do, e.g. "iam:PutRolePolicy on every role". */
  how: string;
  /** The statements that allow it. */
  statements: Statement[];
}

interface OneStep {
  actions: readonly string[];
  service: string;
  /** The ARN tail of a resource nobody named, e.g. "role/zz-unnamed-probe". */
  resource: string;
  regional: boolean;
  /** Which kind of identity's own ARN the actions also escalate on. */
  self?: IdentityKind;
  what: string;
}

const PROBE = "zz-unnamed-probe";

const ONE_STEP: readonly OneStep[] = [
  {
    actions: ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary", "sts:AssumeRole"],
    service: "iam",
    resource: `role/${PROBE}`,
    regional: false,
    self: "role",
    what: "every role",
  },
  {
    actions: ["iam:PutUserPolicy", "iam:AttachUserPolicy", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:DeleteUserPermissionsBoundary", "iam:PutUserPermissionsBoundary"],
    service: "iam",
    resource: `user/${PROBE}`,
    regional: false,
    self: "user",
    what: "every user",
  },
  { actions: ["iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:AddUserToGroup"], service: "iam", resource: `group/${PROBE}`, regional: false, self: "group", what: "every group" },
  { actions: ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"], service: "iam", resource: `policy/${PROBE}`, regional: false, what: "every customer managed policy" },
  { actions: ["lambda:UpdateFunctionCode"], service: "lambda", resource: `function:${PROBE}`, regional: true, what: "every function (its code then runs with that function's role)" },
];

/** Creating compute that runs with a role the caller passes: with iam:PassRole on any role, code runs as that role. */
const PASSED_ROLE_LAUNCHERS: ReadonlyArray<{ action: string; service: string; resource: string }> = [
  { action: "ec2:RunInstances", service: "ec2", resource: `instance/${PROBE}` },
  { action: "lambda:CreateFunction", service: "lambda", resource: `function:${PROBE}` },
  { action: "ecs:RegisterTaskDefinition", service: "ecs", resource: `task-definition/${PROBE}:1` },
  { action: "cloudformation:CreateStack", service: "cloudformation", resource: `stack/${PROBE}/x` },
  { action: "glue:CreateDevEndpoint", service: "glue", resource: `devEndpoint/${PROBE}` },
  { action: "glue:CreateJob", service: "glue", resource: `job/${PROBE}` },
  { action: "sagemaker:CreateNotebookInstance", service: "sagemaker", resource: `notebook-instance/${PROBE}` },
  { action: "sagemaker:CreateProcessingJob", service: "sagemaker", resource: `processing-job/${PROBE}` },
  { action: "sagemaker:CreateTrainingJob", service: "sagemaker", resource: `training-job/${PROBE}` },
  { action: "codebuild:CreateProject", service: "codebuild", resource: `project/${PROBE}` },
  { action: "datapipeline:CreatePipeline", service: "datapipeline", resource: `pipeline/${PROBE}` },
  { action: "states:CreateStateMachine", service: "states", resource: `stateMachine:${PROBE}` },
  { action: "apprunner:CreateService", service: "apprunner", resource: `service/${PROBE}/x` },
  { action: "batch:RegisterJobDefinition", service: "batch", resource: `job-definition/${PROBE}:1` },
  { action: "autoscaling:CreateLaunchConfiguration", service: "autoscaling", resource: `launchConfiguration:x:launchConfigurationName/${PROBE}` },
  { action: "ec2:CreateLaunchTemplate", service: "ec2", resource: `launch-template/${PROBE}` },
  { action: "ec2:RequestSpotInstances", service: "ec2", resource: `spot-instances-request/${PROBE}` },
  // Handing a role to compute that exists already: an instance, a function, a stack, a job.
  { action: "ec2:AssociateIamInstanceProfile", service: "ec2", resource: `instance/${PROBE}` },
  { action: "ec2:ReplaceIamInstanceProfileAssociation", service: "ec2", resource: `instance/${PROBE}` },
  { action: "lambda:UpdateFunctionConfiguration", service: "lambda", resource: `function:${PROBE}` },
  { action: "cloudformation:UpdateStack", service: "cloudformation", resource: `stack/${PROBE}/x` },
  { action: "cloudformation:CreateChangeSet", service: "cloudformation", resource: `stack/${PROBE}/x` },
  { action: "cloudformation:CreateStackSet", service: "cloudformation", resource: `stackset/${PROBE}:x` },
  { action: "ecs:RunTask", service: "ecs", resource: `task-definition/${PROBE}:1` },
  { action: "ecs:StartTask", service: "ecs", resource: `task-definition/${PROBE}:1` },
  { action: "glue:UpdateJob", service: "glue", resource: `job/${PROBE}` },
  { action: "glue:UpdateDevEndpoint", service: "glue", resource: `devEndpoint/${PROBE}` },
  { action: "codebuild:UpdateProject", service: "codebuild", resource: `project/${PROBE}` },
  { action: "states:UpdateStateMachine", service: "states", resource: `stateMachine:${PROBE}` },
  { action: "scheduler:CreateSchedule", service: "scheduler", resource: `schedule/default/${PROBE}` },
  { action: "events:PutTargets", service: "events", resource: `rule/${PROBE}` },
];

/** A grant of a launcher on every resource, or on one it names: a stack name pattern still creates new stacks, a named function still takes a new role. */
function launcherGrant(statements: readonly Statement[], l: { action: string; service: string; resource: string }, boundary?: readonly Statement[]): Statement | undefined {
  return grantOnAny(statements, l.action, l.service, l.resource, true, boundary) ?? namedGrant(statements, l.action, boundary);
}

/** An account id no program names: a Resource pattern that matches it covers roles of other accounts. */
const OTHER_ACCOUNT = "000000000000";

/**
 * sts:AssumeRole on a named role of ANY account (a Resource whose account part is a wildcard, e.g.
 * arn:aws:iam::*:role/OrganizationAccountAccessRole): the role is often an administrator there.
 * Resource "*" is ONE_STEP's "every role"; this finds the patterns that name a role but not an account.
 */
function anyAccountAssume(statements: readonly Statement[], boundary?: readonly Statement[]): { pattern: string; statement: Statement } | undefined {
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    for (const pattern of s.resources) {
      const arn = /^arn:([^:]*):iam::([^:]*):(.+)$/.exec(pattern);
      if (!arn || !hasWildcard(arn[2])) continue;
      const probe = `arn:${arn[1].replace(/[*?]/g, "") || "aws"}:iam::${OTHER_ACCOUNT}:${arn[3].replace(/[*?]/g, "x")}`;
      const grant = grantOf(statements, "sts:AssumeRole", probe, boundary);
      if (grant) return { pattern, statement: grant };
    }
  }
  return undefined;
}

/** The escalation paths `statements` open (empty: none). `selfArn`: the identity's own ARN, when known. */
export function escalationPaths(statements: readonly Statement[], self?: { kind: IdentityKind; arn?: string }, boundary?: readonly Statement[]): Escalation[] {
  const out: Escalation[] = [];
  for (const step of ONE_STEP) {
    for (const action of step.actions) {
      const onAny = grantOnAny(statements, action, step.service, step.resource, step.regional, boundary);
      if (onAny) {
        out.push({ how: `${action} on ${step.what}`, statements: [onAny] });
        continue;
      }
      const onSelf = self?.arn && step.self === self.kind ? grantOf(statements, action, self.arn, boundary) : undefined;
      if (onSelf) out.push({ how: `${action} on itself`, statements: [onSelf] });
    }
  }
  const crossAccount = anyAccountAssume(statements, boundary);
  if (crossAccount) out.push({ how: `sts:AssumeRole on ${crossAccount.pattern} (that role in every account: a door into each of them)`, statements: [crossAccount.statement] });
  const passRole = grantOnAny(statements, "iam:PassRole", "iam", `role/${PROBE}`, false, boundary);
  if (passRole) {
    for (const l of PASSED_ROLE_LAUNCHERS) {
      const launch = launcherGrant(statements, l, boundary);
      if (launch) {
        out.push({ how: `iam:PassRole on every role with ${l.action} (new compute runs as any role it names)`, statements: [passRole, launch] });
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// "Can this identity switch off or erase the audit trail?" Stopping or reconfiguring CloudTrail,
// deleting or shortening the logs (CloudWatch Logs, the trail's bucket), silencing the alarms and
// rules that watch them, disabling the key that encrypts them or the detectors that read them.

interface TamperAction {
  action: string;
  service: string;
  /** ARN tail of a resource nobody named: with `anyResource`, only a grant on every such resource counts. */
  resource: string;
  regional: boolean;
  /** A host may delete objects of its own bucket: only a grant on every bucket is tampering. */
  anyResource?: boolean;
}

const TAMPER = (service: string, actions: string[], resource: string, regional = true, anyResource = false): TamperAction[] =>
  actions.map((a) => ({ action: `${service}:${a}`, service, resource, regional, anyResource }));

/** What erases or silences the audit trail, whatever resource it names. */
export const AUDIT_TAMPER_ACTIONS: readonly TamperAction[] = [
  ...TAMPER("cloudtrail", ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors", "PutInsightSelectors", "DeleteEventDataStore", "UpdateEventDataStore", "StopEventDataStoreIngestion"], `trail/${PROBE}`),
  ...TAMPER("logs", ["DeleteLogGroup", "DeleteLogStream", "PutRetentionPolicy", "DeleteRetentionPolicy", "DisassociateKmsKey", "DeleteSubscriptionFilter", "DeleteDataProtectionPolicy", "DeleteMetricFilter"], `log-group:${PROBE}`),
  ...TAMPER("cloudwatch", ["DeleteAlarms", "DisableAlarmActions", "SetAlarmState"], `alarm:${PROBE}`),
  ...TAMPER("events", ["DisableRule", "DeleteRule", "RemoveTargets"], `rule/${PROBE}`),
  ...TAMPER("kms", ["ScheduleKeyDeletion", "DisableKey"], `key/${PROBE}`),
  ...TAMPER("config", ["StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"], `config-recorder/${PROBE}`),
  ...TAMPER("guardduty", ["DeleteDetector", "UpdateDetector", "DisassociateFromMasterAccount", "DisassociateFromAdministratorAccount", "CreateFilter"], `detector/${PROBE}`),
  ...TAMPER("securityhub", ["DisableSecurityHub", "BatchDisableStandards", "DisableImportFindingsForProduct", "DeleteActionTarget", "BatchUpdateFindings"], `hub/${PROBE}`),
  ...TAMPER("access-analyzer", ["DeleteAnalyzer"], `analyzer/${PROBE}`),
  ...TAMPER("s3", ["DeleteBucket", "DeleteObject", "DeleteObjectVersion", "PutLifecycleConfiguration", "PutBucketVersioning"], PROBE, false, true),
];

/**
 * The audit-tampering actions `statements` allow (with the statement of each), honouring unconditional
 * Denies and the permissions `boundary`: on any resource for the audit services, on every bucket for S3.
 */
export function auditTamperGrants(statements: readonly Statement[], boundary?: readonly Statement[]): Array<{ action: string; statement: Statement }> {
  const out: Array<{ action: string; statement: Statement }> = [];
  for (const t of AUDIT_TAMPER_ACTIONS) {
    const onAny =
      t.service === "s3"
        ? (grantOf(statements, t.action, `arn:aws:s3:::${PROBE}`, boundary) ?? grantOf(statements, t.action, `arn:aws:s3:::${PROBE}/x`, boundary))
        : grantOnAny(statements, t.action, t.service, t.resource, t.regional, boundary);
    // A named trail, log group, alarm or key of the program's: tampering all the same (its own trail is the one that matters).
    const onNamed = onAny ?? (t.anyResource ? undefined : namedGrant(statements, t.action, boundary));
    if (onNamed) out.push({ action: t.action, statement: onNamed });
  }
  return out;
}

/** An Allow of `action` on one of the resources a statement names (wildcards filled), that no Deny or boundary takes away. */
function namedGrant(statements: readonly Statement[], action: string, boundary?: readonly Statement[]): Statement | undefined {
  for (const s of statements) {
    if (s.effect !== "Allow") continue;
    for (const pattern of s.resources) {
      const grant = grantOf(statements, action, pattern.replace(/[*?]/g, "x"), boundary);
      if (grant) return grant;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// "Can the agent's host undo its own confinement?" A host role never needs these on any resource, named
// or not: they run code as another role, loosen the policies that bind the host's secrets and keys, or
// open the host's network and metadata service. Judged on every resource a statement names.

/** Actions a host's role may hold on no resource at all, each with why. */
export const HOST_BOUNDARY_ACTIONS: ReadonlyArray<{ action: string; why: string }> = [
  ...["lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PublishLayerVersion", "lambda:UpdateAlias"].map((action) => ({ action, why: "runs its code as a function's role" })),
  ...["secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy", "secretsmanager:RotateSecret", "secretsmanager:CancelRotateSecret", "secretsmanager:ReplicateSecretToRegions"].map((action) => ({ action, why: "unbinds or re-routes a secret" })),
  ...["kms:PutKeyPolicy", "kms:CreateGrant", "kms:RevokeGrant"].map((action) => ({ action, why: "hands a key to someone else" })),
  ...["ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:ModifySecurityGroupRules", "ec2:ModifyInstanceMetadataOptions", "ec2:ModifyInstanceAttribute", "ec2:ModifyNetworkInterfaceAttribute", "ec2:AssociateAddress", "ec2:CreateRoute", "ec2:ReplaceRoute"].map((action) => ({ action, why: "opens its own network or metadata service" })),
  ...ONE_STEP.filter((s) => s.service === "iam").flatMap((s) => s.actions.filter((a) => a.startsWith("iam:")).map((action) => ({ action, why: "rewrites an identity's permissions" }))),
];

/** What lets a host's role escape its confinement: boundary actions on any resource it names, and iam:PassRole on any role beside a way to run it. */
export function hostBoundaryGrants(statements: readonly Statement[], boundary?: readonly Statement[]): Array<{ how: string; statements: Statement[] }> {
  const out: Array<{ how: string; statements: Statement[] }> = [];
  const byWhy = new Map<string, { actions: string[]; statements: Statement[] }>();
  for (const b of HOST_BOUNDARY_ACTIONS) {
    const service = b.action.split(":")[0];
    const grant = grantOnAny(statements, b.action, service, PROBE, true, boundary) ?? namedGrant(statements, b.action, boundary);
    if (!grant) continue;
    const e = byWhy.get(b.why) ?? { actions: [], statements: [] };
    e.actions.push(b.action);
    e.statements.push(grant);
    byWhy.set(b.why, e);
  }
  for (const [why, e] of byWhy) out.push({ how: `${e.actions.join(", ")} (${why})`, statements: e.statements });
  const passRole = grantOnAny(statements, "iam:PassRole", "iam", `role/${PROBE}`, false, boundary) ?? namedGrant(statements, "iam:PassRole", boundary);
  if (passRole) {
    for (const l of PASSED_ROLE_LAUNCHERS) {
      const launch = launcherGrant(statements, l, boundary);
      if (launch) {
        out.push({ how: `iam:PassRole with ${l.action} (code runs as the role it passes, whatever that role may do)`, statements: [passRole, launch] });
        break;
      }
    }
  }
  return out;
}

const INSTANCE_PROFILE = INSTANCE_PROFILE_TYPE;

/** URNs of the roles the program's instance profiles carry (by name, id or ARN; not known yet: by dependency). */
export function hostRoleUrns(resources: readonly StackResource[]): Set<string> {
  const index = new HandleIndex(resources.filter((r) => r.type === ROLE));
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const out = new Set<string>();
  for (const p of resources.filter((r) => r.type === INSTANCE_PROFILE)) {
    for (const key of ["role", "roles"]) {
      const v = field(p.props, key);
      if (v === UNKNOWN) for (const d of p.dependencies) if (byUrn.get(d)?.type === ROLE) out.add(d);
      for (const h of asArray(v)) {
        const role = typeof h === "string" ? index.find(h, ROLE) : undefined;
        if (role) out.add(role.urn);
      }
    }
  }
  return out;
}

/**
 * The stack's own account: that of the ARNs its resources got (AWS managed policies and S3's account-less ARNs
 * aside). Before any exists (a first preview) it is the account whose root a KMS key policy of the program
 * names, the statement every key policy needs for IAM to govern the key; naming another account's root there
 * would hand that account the key, so it is no free decoy.
 */
export function ownAccounts(resources: readonly StackResource[]): Set<string> {
  const out = new Set<string>();
  for (const r of resources) {
    const arn = field(r.props, "arn");
    const account = typeof arn === "string" ? /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(arn)?.[1] : undefined;
    if (account) out.add(account);
  }
  if (out.size > 0) return out;
  for (const key of resources.filter((r) => r.type === "aws:kms/key:Key" && typeof r.props.policy === "string")) {
    let doc;
    try {
      doc = parseKnownPolicy(key.props.policy, `the key policy of ${key.name}`);
    } catch {
      continue;
    }
    for (const s of doc.statements) {
      if (s.effect !== "Allow" || s.principal === undefined || s.principal === "*") continue;
      for (const p of s.principal.AWS ?? []) {
        const root = /^arn:[^:]+:iam::(\d{12}):root$/.exec(p)?.[1];
        if (root) out.add(root);
      }
    }
  }
  return out;
}


/**
 * Every EC2 host role judged by `find` over its grants (boundary applied): one finding a role, worded by
 * `describe` (what was found, and which policies granted it). A customer managed policy the program attaches
 * to a host role but does not define only the account knows: with no finding, that is "cannot judge", never a pass.
 */
export function judgeHostRoles<F>(
  resources: readonly StackResource[],
  find: (statements: Statement[], boundary?: Statement[]) => F[],
  describe: (role: string, found: F[], grantedBy: (s: Statement) => string) => string,
): StackViolation[] {
  const hostRoles = hostRoleUrns(resources);
  if (hostRoles.size === 0) return [];
  const out: StackViolation[] = [];
  const unseen: string[] = [];
  for (const id of identitiesOf(resources)) {
    if (id.kind !== "role" || !id.resource || !hostRoles.has(id.resource.urn)) continue;
    for (const u of id.unresolved) unseen.push(`${u.arn} (attached to host role ${id.label} by ${u.by})`);
    const from = new Map(id.grants.map((g) => [g.statement, g.from]));
    const found = find(id.grants.map((g) => g.statement), id.boundary);
    if (found.length > 0) out.push({ urn: id.resource.urn, message: describe(id.label, found, (st) => from.get(st) ?? "its policies") });
  }
  if (out.length === 0 && unseen.length > 0) throw new CannotJudge(`the documents of customer managed policies the program attaches to host roles but does not define: ${[...new Set(unseen)].join("; ")}`);
  return out;
}
