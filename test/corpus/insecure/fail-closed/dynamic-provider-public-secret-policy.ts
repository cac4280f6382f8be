// breaks: the gate (a resource the judge cannot read is "cannot judge", not silence); behind it, "API keys stored in ... secrets manager" with the store open to Principal "*"
// how: a pulumi.dynamic.Resource whose provider calls secretsmanager:PutResourcePolicy (BlockPublicPolicy false) on the gateway token; offline it is an opaque pulumi-nodejs:dynamic:Resource
// expect: cannot-judge
import * as pulumi from "@pulumi/pulumi";
import { PutResourcePolicyCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";

interface PolicyInputs {
  secretId: string;
  policy: string;
}
const secretPolicyProvider: pulumi.dynamic.ResourceProvider<PolicyInputs> = {
  async create(inputs) {
    await new SecretsManagerClient({}).send(new PutResourcePolicyCommand({ SecretId: inputs.secretId, ResourcePolicy: inputs.policy, BlockPublicPolicy: false }));
    return { id: inputs.secretId, outs: inputs };
  },
};
class SecretResourcePolicy extends pulumi.dynamic.Resource {
  constructor(name: string, args: { secretId: pulumi.Input<string>; policy: pulumi.Input<string> }) {
    super(secretPolicyProvider, name, args);
  }
}
new SecretResourcePolicy("gateway-token-sharing", {
  secretId: "arn:aws:secretsmanager:us-east-1:123456789012:secret:openclaw/gw/gateway-token-AbCdEf",
  policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }] }),
});
