// breaks: BP5 / every host the program launches is judged (IMDSv2, encrypted disk, no public address)
// how: a self-managed CloudFormation StackSet (template in S3) deployed into the account by StackSetInstance launches the host
// expect: violation
import * as aws from "@pulumi/aws";

const set = new aws.cloudformation.StackSet("gw-host", {
  permissionModel: "SELF_MANAGED",
  administrationRoleArn: "arn:aws:iam::123456789012:role/AWSCloudFormationStackSetAdministrationRole",
  templateUrl: "https://s3.amazonaws.com/team-templates/gateway-host.yaml",
  parameters: { MetadataTokens: "optional" },
});
new aws.cloudformation.StackSetInstance("gw-host-east", { stackSetName: set.name, accountId: "123456789012", stackSetInstanceRegion: "us-east-1" });
