// secure: least-privilege IAM written with aws.iam.getPolicyDocument: the host role reads only its own token (customer key, 30-day rotation by a Lambda scoped to this account), and the token's policy refuses that role off its instance and outside its VPC's Secrets Manager endpoint; IMDSv2 with hop limit 1, encrypted root (customer key), private subnet with no public address, no inbound and https-only egress, no SSH key, SSM-only role, status alarm to a KMS-encrypted topic
// how: getPolicyDocumentOutput for both trust policies, both permission policies and the secret's resource policy, with resources from the secret's and key's ARNs
// expect: pass
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const account = aws.getCallerIdentityOutput().accountId;
// Account root administers (AWS's default); CloudWatch may use the key to publish alarms to the encrypted topic.
const key = new aws.kms.Key("gw", {
  enableKeyRotation: true,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
      { Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
    ],
  }),
});
const topic = new aws.sns.Topic("gw-alerts", { kmsMasterKeyId: key.arn });
// DNS on: the Secrets Manager endpoint's private name answers inside the VPC.
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16", enableDnsSupport: true, enableDnsHostnames: true });
new aws.ec2.DefaultSecurityGroup("gw-default", { vpcId: vpc.id });
const subnet = new aws.ec2.Subnet("gw-private", { vpcId: vpc.id, cidrBlock: "10.42.1.0/24" });
const sg = new aws.ec2.SecurityGroup("gw", {
  vpcId: vpc.id,
  description: "no inbound; https out",
  egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
});
// The host reaches Secrets Manager through the VPC's own endpoint, so the token's policy can insist on that path.
const endpointSg = new aws.ec2.SecurityGroup("gw-endpoints", {
  vpcId: vpc.id,
  description: "Secrets Manager endpoint: https from the host only",
  ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [sg.id] }],
  egress: [],
});
new aws.ec2.VpcEndpoint("gw-secretsmanager", {
  vpcId: vpc.id,
  serviceName: "com.amazonaws.us-east-1.secretsmanager",
  vpcEndpointType: "Interface",
  privateDnsEnabled: true,
  subnetIds: [subnet.id],
  securityGroupIds: [endpointSg.id],
});
// The gateway token: customer key, rotated every 30 days by a Lambda only Secrets Manager of this account may invoke.
const token = new aws.secretsmanager.Secret("gateway-token", { kmsKeyId: key.arn });
const lambdaTrust = aws.iam.getPolicyDocumentOutput({ statements: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }] });
const rotatorRole = new aws.iam.Role("rotator", { assumeRolePolicy: lambdaTrust.json });
const rotatorPolicy = aws.iam.getPolicyDocumentOutput({
  statements: [
    { actions: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"], resources: [token.arn] },
    { actions: ["kms:Decrypt", "kms:GenerateDataKey"], resources: [key.arn] },
  ],
});
new aws.iam.RolePolicy("rotator", { role: rotatorRole.id, policy: rotatorPolicy.json });
const rotator = new aws.lambda.Function("rotator", {
  role: rotatorRole.arn,
  runtime: "nodejs22.x",
  handler: "index.handler",
  code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => {};") }),
});
const invoke = new aws.lambda.Permission("rotator", { action: "lambda:InvokeFunction", function: rotator.name, principal: "secretsmanager.amazonaws.com", sourceAccount: account });
new aws.secretsmanager.SecretRotation("gateway-token", { secretId: token.id, rotationLambdaArn: rotator.arn, rotationRules: { automaticallyAfterDays: 30 } }, { dependsOn: [invoke] });

// The host reads its own token and nothing else.
const ec2Trust = aws.iam.getPolicyDocumentOutput({ statements: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["ec2.amazonaws.com"] }] }] });
const role = new aws.iam.Role("gw-host", { assumeRolePolicy: ec2Trust.json });
new aws.iam.RolePolicyAttachment("gw-host-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const readToken = aws.iam.getPolicyDocumentOutput({
  statements: [
    { actions: ["secretsmanager:GetSecretValue"], resources: [token.arn] },
    { actions: ["kms:Decrypt"], resources: [key.arn], conditions: [{ test: "StringEquals", variable: "kms:ViaService", values: ["secretsmanager.us-east-1.amazonaws.com"] }] },
  ],
});
new aws.iam.RolePolicy("gw-host-token", { role: role.id, policy: readToken.json });
const profile = new aws.iam.InstanceProfile("gw-host", { role: role.name });
const host = new aws.ec2.Instance("gw", {
  ami: "ami-0d3b1a2c3e4f5a6b7",
  instanceType: "t3.medium",
  subnetId: subnet.id,
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: profile.name,
  metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 },
  rootBlockDevice: { encrypted: true, kmsKeyId: key.arn, volumeSize: 30 },
});
// Role credentials copied off the host are refused: the host role reads the token only as its own instance, through this VPC.
const boundToHost = aws.iam.getPolicyDocumentOutput({
  statements: [
    {
      sid: "HostRoleOnlyOnItsInstance", effect: "Deny", principals: [{ type: "*", identifiers: ["*"] }], actions: ["secretsmanager:GetSecretValue"], resources: ["*"],
      conditions: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [role.arn] }, { test: "StringNotEquals", variable: "ec2:SourceInstanceARN", values: [host.arn] }],
    },
    {
      sid: "HostRoleOnlyThroughItsVpc", effect: "Deny", principals: [{ type: "*", identifiers: ["*"] }], actions: ["secretsmanager:GetSecretValue"], resources: ["*"],
      conditions: [{ test: "ArnEquals", variable: "aws:PrincipalArn", values: [role.arn] }, { test: "StringNotEquals", variable: "aws:SourceVpc", values: [vpc.id] }],
    },
  ],
});
new aws.secretsmanager.SecretPolicy("gateway-token", { secretArn: token.arn, policy: boundToHost.json, blockPublicPolicy: true });
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
