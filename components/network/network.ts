import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackModel } from "../../stacks/schema";
import { cellInterfaceEndpoints, hostEgressRules, hostIngressRules, subnetCidrs } from "./securityRules";

export interface NetworkArgs {
  model: StackModel;
  region: pulumi.Input<string>;
  availabilityZone: pulumi.Input<string>;
  /** KMS key (rotating) for the flow-log group. */
  logsKeyArn: pulumi.Input<string>;
  /** The cell's IAM path (cellRolePath) for the flow-log role. */
  rolePath?: string;
  tags?: Record<string, string>;
}

/**
 * One cell's VPC. Nothing outside the VPC can open a connection to it; the host reaches out over
 * HTTPS (and Tailscale's UDP) only. Two egress modes: the host in a public subnet with its own IPv4
 * (cheap), or the host in a private subnet behind a NAT gateway with optional interface endpoints.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpc: aws.ec2.Vpc;
  /** Where the host goes. */
  public readonly hostSubnet: aws.ec2.Subnet;
  public readonly hostSecurityGroup: aws.ec2.SecurityGroup;
  /** The host gets a public IPv4 in public-egress mode only. */
  public readonly hostNeedsPublicIp: boolean;
  public readonly flowLogGroup: aws.cloudwatch.LogGroup;
  /** The cell's S3 gateway endpoint (the host bundle is read through it). */
  public readonly s3Endpoint: aws.ec2.VpcEndpoint;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clawkeep:network:Network", name, {}, opts);
    const { model } = args;
    const self = { parent: this };
    const tags = (suffix: string) => ({ ...args.tags, Name: `${name}-${suffix}` });
    const cidrs = subnetCidrs(model.network.vpcCidr);
    const privateNat = model.network.egressMode === "private-nat";

    this.vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      { cidrBlock: model.network.vpcCidr, enableDnsSupport: true, enableDnsHostnames: true, tags: tags("vpc") },
      self,
    );
    // Adopting the default security group with no rules empties it: nothing can use it to talk.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: this.vpc.id, tags: tags("default-sg-emptied") }, self);

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: this.vpc.id, tags: tags("igw") }, { parent: this.vpc });
    const publicSubnet = new aws.ec2.Subnet(
      `${name}-public`,
      {
        vpcId: this.vpc.id,
        cidrBlock: cidrs.public,
        availabilityZone: args.availabilityZone,
        // Addresses are given per instance, explicitly, never by default.
        mapPublicIpOnLaunch: false,
        tags: tags("public"),
      },
      { parent: this.vpc },
    );
    const publicRt = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags: tags("public-rt") },
      { parent: this.vpc },
    );
    new aws.ec2.RouteTableAssociation(`${name}-public-rta`, { subnetId: publicSubnet.id, routeTableId: publicRt.id }, { parent: publicRt });

    if (privateNat) {
      const eip = new aws.ec2.Eip(`${name}-nat-eip`, { domain: "vpc", tags: tags("nat-eip") }, { parent: this.vpc });
      const nat = new aws.ec2.NatGateway(
        `${name}-nat`,
        { allocationId: eip.id, subnetId: publicSubnet.id, connectivityType: "public", tags: tags("nat") },
        { parent: this.vpc, dependsOn: [igw] },
      );
      this.hostSubnet = new aws.ec2.Subnet(
        `${name}-private`,
        { vpcId: this.vpc.id, cidrBlock: cidrs.private, availabilityZone: args.availabilityZone, mapPublicIpOnLaunch: false, tags: tags("private") },
        { parent: this.vpc },
      );
      const privateRt = new aws.ec2.RouteTable(
        `${name}-private-rt`,
        { vpcId: this.vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }], tags: tags("private-rt") },
        { parent: this.vpc },
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-rta`, { subnetId: this.hostSubnet.id, routeTableId: privateRt.id }, { parent: privateRt });
      this.s3Endpoint = this.endpoints(name, args, privateRt, tags);
    } else {
      this.hostSubnet = publicSubnet;
      this.s3Endpoint = this.endpoints(name, args, publicRt, tags);
    }
    this.hostNeedsPublicIp = !privateNat;

    this.hostSecurityGroup = new aws.ec2.SecurityGroup(
      `${name}-host-sg`,
      {
        vpcId: this.vpc.id,
        description: "clawkeep gateway host: no inbound from outside the VPC; HTTPS and Tailscale out",
        ingress: hostIngressRules(model),
        egress: hostEgressRules(model),
        tags: tags("host-sg"),
      },
      { parent: this.vpc },
    );

    this.flowLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { retentionInDays: model.logRetentionDays, kmsKeyId: args.logsKeyArn, tags: tags("flow-logs") },
      self,
    );
    const flowRole = new aws.iam.Role(
      `${name}-flow-logs-role`,
      {
        path: args.rolePath,
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
        tags: tags("flow-logs-role"),
      },
      self,
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs-write`,
      {
        role: flowRole.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
              Resource: [this.flowLogGroup.arn, pulumi.interpolate`${this.flowLogGroup.arn}:*`],
            },
          ],
        }),
      },
      { parent: flowRole },
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      {
        vpcId: this.vpc.id,
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: this.flowLogGroup.arn,
        iamRoleArn: flowRole.arn,
        maxAggregationInterval: 60,
        tags: tags("flow-log"),
      },
      self,
    );

    this.registerOutputs({ vpcId: this.vpc.id, hostSubnetId: this.hostSubnet.id, hostSecurityGroupId: this.hostSecurityGroup.id });
  }

  /**
   * Every cell reaches Secrets Manager and S3 through endpoints in its own VPC: the secrets' and the
   * bundle's policies then accept the instance role only from this VPC (aws:SourceVpc) and the host's
   * address in it (aws:VpcSourceIp), so copied credentials are refused anywhere else. With
   * interfaceEndpoints (private-nat), the other AWS APIs the host calls get endpoints too.
   */
  private endpoints(name: string, args: NetworkArgs, hostRt: aws.ec2.RouteTable, tags: (s: string) => Record<string, string>): aws.ec2.VpcEndpoint {
    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-endpoints-sg`,
      {
        vpcId: this.vpc.id,
        description: "clawkeep interface endpoints: HTTPS from inside the VPC only",
        // Inbound from the VPC's own range only: these are AWS API endpoints the host calls.
        ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [args.model.network.vpcCidr] }],
        egress: [],
        tags: tags("endpoints-sg"),
      },
      { parent: this.vpc },
    );
    for (const service of cellInterfaceEndpoints(args.model)) {
      new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: this.vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${args.region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: [this.hostSubnet.id],
          securityGroupIds: [endpointSg.id],
          tags: tags(`${service}-endpoint`),
        },
        { parent: this.vpc },
      );
    }
    // Free: the host bundle, SSM agent updates and AWS-hosted downloads stay inside AWS's network.
    return new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      { vpcId: this.vpc.id, serviceName: pulumi.interpolate`com.amazonaws.${args.region}.s3`, vpcEndpointType: "Gateway", routeTableIds: [hostRt.id], tags: tags("s3-endpoint") },
      { parent: this.vpc },
    );
  }
}
