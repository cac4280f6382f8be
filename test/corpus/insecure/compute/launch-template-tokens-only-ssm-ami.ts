// breaks: BP5 hardened host / "IMDSv2 only" with hop limit 1
// how: a launch template takes its AMI from an SSM parameter lookup and sets only metadataOptions.httpTokens "required": the image may register ImdsSupport v2.0 (AL2023 does), whose default hop limit is 2
// expect: violation
import * as aws from "@pulumi/aws";

const ami = aws.ssm.getParameterOutput({ name: "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" });
const template = new aws.ec2.LaunchTemplate("gw", { imageId: ami.value, instanceType: "t4g.medium", metadataOptions: { httpTokens: "required" } });
new aws.autoscaling.Group("gw", { minSize: 1, maxSize: 1, availabilityZones: ["us-east-1a"], launchTemplate: { id: template.id, version: "$Latest" } });
