// breaks: "Network restrictions in place" / BP3 "Network segmentation and isolation": nothing on the internet reaches the agent host
// how: internet-facing ALB (its SG: 443 from 0.0.0.0/0) forwarding to the host on 18789; the host SG admits only the ALB SG
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const igw = new aws.ec2.InternetGateway("gw", { vpcId: vpc.id });
const publicRoutes = new aws.ec2.RouteTable("public", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] });
const lbSubnets = ["a", "b"].map((az, i) => new aws.ec2.Subnet(`lb-public-${az}`, { vpcId: vpc.id, cidrBlock: `10.42.10${i}.0/24`, availabilityZone: `us-east-1${az}` }));
lbSubnets.forEach((s, i) => new aws.ec2.RouteTableAssociation(`lb-public-${i}`, { subnetId: s.id, routeTableId: publicRoutes.id }));
const lbSg = new aws.ec2.SecurityGroup("lb", {
  vpcId: vpc.id,
  description: "https from anywhere",
  ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
  egress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, cidrBlocks: ["10.42.1.0/24"] }],
});
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "gateway from the ALB only",
  ingress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, securityGroups: [lbSg.id] }],
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  vpcSecurityGroupIds: [sg.id],
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn },
});
new aws.cloudwatch.MetricAlarm("gw-status", {
  namespace: "AWS/EC2",
  metricName: "StatusCheckFailed",
  dimensions: { InstanceId: host.id },
  statistic: "Maximum",
  period: 60,
  evaluationPeriods: 2,
  threshold: 0,
  comparisonOperator: "GreaterThanThreshold",
  alarmActions: [topic.arn],
});
const lb = new aws.lb.LoadBalancer("gw", { loadBalancerType: "application", internal: false, subnets: lbSubnets.map((s) => s.id), securityGroups: [lbSg.id] });
const targets = new aws.lb.TargetGroup("gw", { vpcId: vpc.id, targetType: "instance", protocol: "HTTP", port: 18789 });
new aws.lb.TargetGroupAttachment("gw", { targetGroupArn: targets.arn, targetId: host.id, port: 18789 });
new aws.lb.Listener("gw", { loadBalancerArn: lb.arn, protocol: "HTTPS", port: 443, certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-1111-2222-3333-444455556666", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", defaultActions: [{ type: "forward", targetGroupArn: targets.arn }] });
