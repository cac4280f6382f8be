// breaks: "Role-based access control implemented" / BP3 isolation: no SSH key and no port 22 open to the internet on hosts that run the agent
// how: EKS managed node group with remoteAccess { ec2SshKey } and no sourceSecurityGroupIds: EKS opens 22 to 0.0.0.0/0 on the nodes itself
// expect: violation
import * as aws from "@pulumi/aws";

const assumedBy = (service: string) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }] });
const vpc = new aws.ec2.Vpc("gw", { cidrBlock: "10.42.0.0/16" });
const subnets = ["a", "b"].map((az, i) => new aws.ec2.Subnet(`gw-private-${az}`, { vpcId: vpc.id, cidrBlock: `10.42.${i + 1}.0/24`, availabilityZone: `us-east-1${az}` }));
const key = new aws.kms.Key("gw", { enableKeyRotation: true });

const clusterRole = new aws.iam.Role("eks-cluster", { assumeRolePolicy: assumedBy("eks.amazonaws.com"), managedPolicyArns: ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"] });
const cluster = new aws.eks.Cluster("gw", {
  roleArn: clusterRole.arn,
  vpcConfig: { subnetIds: subnets.map((s) => s.id), endpointPrivateAccess: true, endpointPublicAccess: false },
  encryptionConfig: { provider: { keyArn: key.arn }, resources: ["secrets"] },
  enabledClusterLogTypes: ["api", "audit", "authenticator"],
});
const nodeRole = new aws.iam.Role("eks-node", {
  assumeRolePolicy: assumedBy("ec2.amazonaws.com"),
  managedPolicyArns: [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ],
});
new aws.eks.NodeGroup("gw", {
  clusterName: cluster.name,
  nodeRoleArn: nodeRole.arn,
  subnetIds: subnets.map((s) => s.id),
  scalingConfig: { desiredSize: 1, minSize: 1, maxSize: 1 },
  instanceTypes: ["t3.medium"],
  remoteAccess: { ec2SshKey: "ops" },
});
