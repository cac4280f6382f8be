// breaks: BP5 hardened host / encrypted storage: the agent's state volume is encrypted
// how: the standalone state volume (no encrypted flag) is created through an ap-southeast-2 provider; EBS encryption by default is on only in the stack's own region
// expect: violation
import * as aws from "@pulumi/aws";

const sydney = new aws.Provider("ap-southeast-2", { region: "ap-southeast-2" });
new aws.ebs.EncryptionByDefault("home", { enabled: true });
new aws.ebs.Volume("gw-state", { availabilityZone: "ap-southeast-2a", size: 20, type: "gp3" }, { provider: sydney });
