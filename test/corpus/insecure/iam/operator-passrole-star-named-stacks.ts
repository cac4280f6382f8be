// breaks: "Principle of Least Privilege" / BP4: no identity can make itself administrator
// how: a deploy role may iam:PassRole on "*" and cloudformation:CreateStack only on stacks named helper-*: a new helper-x stack runs any template as any role it passes, administrator included
// expect: violation
import * as aws from "@pulumi/aws";

// ---- the rt-pack2 hardened base (/work/rt-pack2/lib/base.ts), inlined: corpus programs are standalone ----

const doc = (Statement: object[]) => JSON.stringify({ Version: "2012-10-17", Statement });
const ACCOUNT = "123456789012";
// ---- the program ----

const deployer = new aws.iam.Role("deployer", { assumeRolePolicy: doc([{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }]) });
new aws.iam.RolePolicy("deployer", {
  role: deployer.id,
  policy: doc([
    { Effect: "Allow", Action: "iam:PassRole", Resource: "*" },
    { Effect: "Allow", Action: ["cloudformation:CreateStack", "cloudformation:DescribeStacks"], Resource: `arn:aws:cloudformation:us-east-1:${ACCOUNT}:stack/helper-*/*` },
  ]),
});
