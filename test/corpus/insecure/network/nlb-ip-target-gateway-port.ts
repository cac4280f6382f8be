// breaks: "Network restrictions in place" / BP3 "Network segmentation and isolation": nothing on the internet reaches the agent host
// how: internet-facing NLB, TCP 443 forwarded to the host on 18789 through an "ip" target group; the host SG only allows the VPC CIDR (the NLB's own address), so no /0 appears anywhere
// expect: violation
import * as aws from "@pulumi/aws";

const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const key = new aws.kms.Key("gw", { enableKeyRotation: true });
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
const igw = new aws.ec2.InternetGateway("gw", { vpcId: vpc.id });
const publicRoutes = new aws.ec2.RouteTable("public", { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] });
const lbSubnet = new aws.ec2.Subnet("lb-public", { vpcId: vpc.id, cidrBlock: "10.42.100.0/24" });
new aws.ec2.RouteTableAssociation("lb-public", { subnetId: lbSubnet.id, routeTableId: publicRoutes.id });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "gateway from inside the VPC only",
  ingress: [{ protocol: "tcp", fromPort: 18789, toPort: 18789, cidrBlocks: ["10.42.0.0/16"] }],
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
const lb = new aws.lb.LoadBalancer("gw", { loadBalancerType: "network", internal: false, subnets: [lbSubnet.id] });
const targets = new aws.lb.TargetGroup("gw", { vpcId: vpc.id, targetType: "ip", protocol: "TCP", port: 18789 });
new aws.lb.TargetGroupAttachment("gw", { targetGroupArn: targets.arn, targetId: host.privateIp, port: 18789 });
new aws.lb.Listener("gw", { loadBalancerArn: lb.arn, protocol: "TCP", port: 443, defaultActions: [{ type: "forward", targetGroupArn: targets.arn }] });
