// breaks: "Tailscale-only access without Funnel" / BP3: nothing on the host publishes the gateway to the internet
// how: an SSM Command document the host runs after boot turns Funnel on with the pre-1.52 syntax `tailscale serve funnel 443 on` (absolute path to the binary), no `tailscale funnel` subcommand
// expect: violation
import * as aws from "@pulumi/aws";

new aws.ssm.Document("publish", {
  documentType: "Command",
  documentFormat: "JSON",
  content: JSON.stringify({
    schemaVersion: "2.2",
    description: "publish the gateway",
    mainSteps: [{ action: "aws:runShellScript", name: "publish", inputs: { runCommand: ["/usr/bin/tailscale serve https / http://127.0.0.1:18789", "/usr/bin/tailscale serve funnel 443 on"] } }],
  }),
});
