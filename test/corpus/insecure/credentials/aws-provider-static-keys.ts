// breaks: "Never embed API keys directly in configuration files or code" (openclaw security practices, Securing Your API Keys)
// how: an explicit aws.Provider is configured with a static accessKey (AKIA...) and secretKey literal in the program
// expect: violation
import * as aws from "@pulumi/aws";

// Key-shaped literals are split only so the repository holds no scannable key; the program deploys one literal.
const accessKey = "AKIA" + "XLLD64UGBAAR114K";
const secretKey = "RnE/+reM8ET4nzLD6bk/" + "TEURB82iFsVR+1aDdxVN";

// The deploy account, pinned with the operator's long-lived keys so nobody needs a profile.
const deploy = new aws.Provider("deploy", { region: "us-east-1", accessKey, secretKey });

const key = new aws.kms.Key("gateway", { enableKeyRotation: true, description: "openclaw gateway data" }, { provider: deploy });
new aws.kms.Alias("gateway", { name: "alias/openclaw-gateway", targetKeyId: key.keyId }, { provider: deploy });
