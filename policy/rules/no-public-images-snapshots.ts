// Protects: what a disk of the agent host holds (openclaw.json, workspace, memory, transcripts, cached
// credentials) from anyone who can copy a shared image or snapshot.
// Question: can anyone outside the account launch an image or create a volume from a snapshot the
// program makes? AMI launch permissions for the group "all" (ec2.AmiLaunchPermission, Image Builder
// distribution launchPermission userGroups), and the AWS CLI calls that do it from a command resource
// or a host's user data (modify-image-attribute / modify-snapshot-attribute adding the group "all",
// since the provider has no switch for a public snapshot); a call whose group is a shell variable is a blind spot.
// Checklist: "Network restrictions in place" (no disk of the host readable from outside the account).
// Fix: share with named accounts (accountId) or your organization (organizationArn), never the group "all".
import { COMPUTE } from "../lib/launches";
import { COMMAND_FIELDS, COMMAND_TYPES, publicSharingCalls } from "../lib/publicData";
import { at, known, label, stackIndex, throwBlind } from "../lib/stackIndex";
import type { StackRule, StackViolation } from "../lib/types";
import { CannotJudge } from "../lib/unknown";
import { hostPayload } from "../lib/userData";
import { asArray, isRecord } from "../lib/values";

const AMI_LAUNCH_PERMISSION = "aws:ec2/amiLaunchPermission:AmiLaunchPermission";
const IMAGE_BUILDER_DISTRIBUTION = "aws:imagebuilder/distributionConfiguration:DistributionConfiguration";
const USER_DATA_TYPES = [COMPUTE.instance, COMPUTE.spotRequest, COMPUTE.launchTemplate, COMPUTE.launchConfiguration, COMPUTE.spotFleet];

export const noPublicImagesSnapshots: StackRule = {
  kind: "stack",
  name: "no-public-images-snapshots",
  description:
    'No image or snapshot is shared with everyone: no AMI launch permission or Image Builder distribution for the group "all", and no modify-image-attribute / modify-snapshot-attribute call adding the group "all" in a command resource or a host\'s user data.',
  protects: "the agent host's disks (config, workspace, transcripts, cached credentials) from being copied by anyone",
  checklistItems: ["network-restrictions"],
  severity: "critical",
  enforcementLevel: "mandatory",
  remediation: 'Share images and snapshots with named accounts (accountId) or your organization (organizationArn / organizationalUnitArn), never the group "all"; keep ec2.ImageBlockPublicAccess and ebs.SnapshotBlockPublicAccess on.',
  resourceTypes: [AMI_LAUNCH_PERMISSION, IMAGE_BUILDER_DISTRIBUTION, ...COMMAND_TYPES, ...USER_DATA_TYPES],
  validateStack(resources) {
    const index = stackIndex(resources);
    const out: StackViolation[] = [];
    const blind: CannotJudge[] = [];
    for (const p of index.of(AMI_LAUNCH_PERMISSION)) {
      const group = known(at(p.props, "group"));
      if (typeof group === "string" && group.toLowerCase() === "all") out.push({ urn: p.urn, message: `${label(p)}: group "all" lets anyone launch the image` });
    }
    for (const d of index.of(IMAGE_BUILDER_DISTRIBUTION)) {
      asArray(known(at(d.props, "distributions"))).forEach((dist, i) => {
        const groups = asArray(known(at(dist, "amiDistributionConfiguration", "launchPermission", "userGroups")));
        if (groups.some((g) => typeof g === "string" && g.toLowerCase() === "all")) out.push({ urn: d.urn, message: `${label(d)} distributions[${i}]: launchPermission userGroups "all" makes every image it builds public` });
      });
    }
    const judgeText = (r: (typeof resources)[number], where: string, text: string) => {
      for (const call of publicSharingCalls(text).filter((x) => x.what === "image" || x.what === "snapshot")) {
        if (call.verdict === "public") out.push({ urn: r.urn, message: `${label(r)} ${where}: ${call.call} adds the group "all", making the ${call.what} public` });
        else blind.push(new CannotJudge(`who ${call.call} in ${where} shares the ${call.what} with (a shell variable)`, label(r)));
      }
    };
    for (const c of index.of(...COMMAND_TYPES)) {
      for (const field of COMMAND_FIELDS) {
        const text = known(at(c.props, field));
        if (typeof text === "string") judgeText(c, field, text);
      }
    }
    for (const h of index.of(...USER_DATA_TYPES)) {
      if (!isRecord(h.props)) continue;
      const payload = hostPayload(h.type, h.props);
      for (const { via, line } of payload.commands) if (/modify-(image|snapshot)-attribute/.test(line)) judgeText(h, via, line);
    }
    throwBlind(blind);
    return out;
  },
};
