// breaks: "Data exposure" / "API keys stored in ... secrets manager": an image of the agent host (config, workspace, cached credentials) is never public
// how: the gateway's golden image registered as aws.ec2.Ami from its root snapshot, then aws.ec2.AmiLaunchPermission with group "all" ("for the community")
// expect: violation
import * as aws from "@pulumi/aws";

const image = new aws.ec2.Ami("gateway-golden", {
  name: "openclaw-gateway-2026-12",
  virtualizationType: "hvm",
  rootDeviceName: "/dev/xvda",
  enaSupport: true,
  imdsSupport: "v2.0",
  ebsBlockDevices: [{ deviceName: "/dev/xvda", snapshotId: "snap-0a1b2c3d4e5f60718", volumeSize: 30 }],
});
new aws.ec2.AmiLaunchPermission("gateway-golden-public", { imageId: image.id, group: "all" });
