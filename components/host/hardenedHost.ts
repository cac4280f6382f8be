import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { failureAlarm } from "../alarms/failureAlarm";
import type { StackModel } from "../../stacks/schema";
import { DEBIAN_AMI_NAME, DEBIAN_AMI_OWNER, hostReadPolicy, instanceRoleTrust, metadataOptions, ssmAgentPolicy } from "./instanceSpec";

export interface HardenedHostArgs {
  model: StackModel;
  /** Fixed, so the cell's key policy can name the role before it exists (cellRoleName). */
  roleName: string;
  /** The cell's IAM path (cellRolePath). */
  rolePath: string;
  subnetId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  associatePublicIp: boolean;
  /** Rotating customer KMS key for the root volume and the secrets the host reads. */
  dataKeyArn: pulumi.Input<string>;
  /** The only secrets the instance role may read. */
  readableSecretArns: pulumi.Input<string>[];
  /** Rendered cloud-init user data, gzip+base64. Holds no secret: it is stored in clear text. */
  userDataBase64: pulumi.Input<string>;
  /** The host bundle object the user data fetches at first boot; the role may read exactly it. */
  bundleObjectArn: pulumi.Input<string>;
  /** Resources that must exist before the instance boots (the bundle object). */
  dependsOn?: pulumi.Resource[];
  region: pulumi.Input<string>;
  /** SNS topic for status-check alarms. */
  alarmTopicArn: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * The dedicated EC2 host for one OpenClaw gateway: official Debian 12 AMI, IMDSv2 only with hop
 * limit 1 (containers and namespaced processes cannot reach the metadata service), encrypted root
 * volume, no key pair and no SSH (SSM Session Manager only), an instance role that can read its
 * own secrets and nothing else (and only root on the host reaches it: the metadata guard), and
 * status-check alarms with automatic recovery.
 */
export class HardenedHost extends pulumi.ComponentResource {
  public readonly instance: aws.ec2.Instance;
  public readonly role: aws.iam.Role;
  /** The status-check alarms (the security dashboard shows them too). */
  public readonly statusAlarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: HardenedHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:host:HardenedHost", name, {}, opts);
    const { model } = args;
    const self = { parent: this };
    const tags = { ...args.tags, Name: name };

    this.role = new aws.iam.Role(`${name}-role`, { name: args.roleName, path: args.rolePath, assumeRolePolicy: JSON.stringify(instanceRoleTrust()), tags }, self);
    // The SSM agent's minimum, not AmazonSSMManagedInstanceCore (which reads every SSM parameter).
    new aws.iam.RolePolicy(`${name}-ssm-agent`, { role: this.role.id, policy: JSON.stringify(ssmAgentPolicy()) }, { parent: this.role });
    new aws.iam.RolePolicy(
      `${name}-read-own-secrets`,
      {
        role: this.role.id,
        policy: pulumi
          .all([pulumi.all(args.readableSecretArns), args.dataKeyArn, args.region, args.bundleObjectArn])
          .apply(([secretArns, keyArn, region, bundleArn]) => JSON.stringify(hostReadPolicy({ secretArns, dataKeyArn: keyArn, region, bundleObjectArn: bundleArn }))),
      },
      { parent: this.role },
    );
    const profile = new aws.iam.InstanceProfile(`${name}-profile`, { role: this.role.name, tags }, { parent: this.role });

    const ami = aws.ec2.getAmiOutput(
      {
        owners: [DEBIAN_AMI_OWNER],
        mostRecent: true,
        filters: [
          { name: "name", values: [DEBIAN_AMI_NAME] },
          { name: "architecture", values: ["x86_64"] },
          { name: "virtualization-type", values: ["hvm"] },
        ],
      },
      self,
    );

    this.instance = new aws.ec2.Instance(
      `${name}-vm`,
      {
        ami: ami.id,
        instanceType: model.host.instanceType,
        subnetId: args.subnetId,
        vpcSecurityGroupIds: [args.securityGroupId],
        associatePublicIpAddress: args.associatePublicIp,
        iamInstanceProfile: profile.name,
        metadataOptions: metadataOptions(),
        rootBlockDevice: {
          encrypted: true,
          kmsKeyId: args.dataKeyArn,
          volumeType: "gp3",
          volumeSize: model.host.rootVolumeGb,
          deleteOnTermination: true,
        },
        ebsOptimized: true,
        monitoring: true,
        userDataBase64: args.userDataBase64,
        // The host is cattle: new host files mean a new host, never an in-place edit of a running one.
        userDataReplaceOnChange: true,
        tags,
        volumeTags: tags,
      },
      // A newer Debian AMI must not silently replace a running host; unattended-upgrades patches it.
      { parent: this, ignoreChanges: ["ami"], dependsOn: args.dependsOn },
    );

    const region = pulumi.output(args.region);
    // System-level failure: AWS moves the instance to healthy hardware (automatic recovery);
    // instance-level failure (kernel, boot, network config): reboot. Both tell a person.
    const statusAlarm = (check: "System" | "Instance", action: "recover" | "reboot", evaluationPeriods: number, what: string) =>
      failureAlarm(
        `${name}-${check.toLowerCase()}-status`,
        {
          description: `${name}: EC2 ${check.toLowerCase()} status check failed; ${what}`,
          namespace: "AWS/EC2",
          metricName: `StatusCheckFailed_${check}`,
          dimensions: { InstanceId: this.instance.id },
          statistic: "Maximum",
          periodSeconds: 60,
          evaluationPeriods,
          treatMissingData: "missing",
          alarmActions: [pulumi.interpolate`arn:aws:automate:${region}:ec2:${action}`, args.alarmTopicArn],
          okActions: [args.alarmTopicArn],
          tags,
        },
        { parent: this.instance },
      );
    const systemStatus = statusAlarm("System", "recover", 2, "recovering the instance");
    const instanceStatus = statusAlarm("Instance", "reboot", 3, "rebooting");

    this.statusAlarms = [systemStatus, instanceStatus];
    this.registerOutputs({ instanceId: this.instance.id, roleArn: this.role.arn });
  }
}
