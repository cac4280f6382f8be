import { describe, expect, it } from "vitest";
import { isPublicAcl, isPublicGrantee, publicSharingCalls } from "./publicData";

describe("AWS CLI calls that make data public", () => {
  it("finds a snapshot or image shared with the group all, in every spelling", () => {
    const cases = [
      "aws ec2 modify-snapshot-attribute --snapshot-id snap-1 --attribute createVolumePermission --operation-type add --group-names all",
      "aws ec2 modify-snapshot-attribute \\\n  --snapshot-id snap-1 \\\n  --create-volume-permission 'Add=[{Group=all}]'",
      'aws ec2 modify-image-attribute --image-id ami-1 --launch-permission "Add=[{Group=all}]"',
      "set -e; aws ec2 modify-image-attribute --image-id ami-1 --attribute launchPermission --operation-type add --user-groups all",
      'aws ec2 modify-image-attribute --image-id ami-1 --launch-permission \'{"Add":[{"Group":"all"}]}\'',
    ];
    for (const c of cases) expect(publicSharingCalls(c).map((x) => x.verdict), c).toEqual(["public"]);
  });

  it("leaves named accounts, removals and other commands alone, and flags a variable as unknown", () => {
    expect(publicSharingCalls("aws ec2 modify-snapshot-attribute --snapshot-id s --attribute createVolumePermission --operation-type add --user-ids 210987654321")).toEqual([]);
    expect(publicSharingCalls("aws ec2 modify-snapshot-attribute --snapshot-id s --attribute createVolumePermission --operation-type remove --group-names all")).toEqual([]);
    expect(publicSharingCalls("echo all done; aws s3 ls")).toEqual([]);
    expect(publicSharingCalls("aws ec2 modify-snapshot-attribute --snapshot-id s --operation-type add --group-names $GROUP")).toEqual([{ call: "aws ec2 modify-snapshot-attribute", verdict: "unknown", what: "snapshot" }]);
  });

  it("finds public S3 ACLs set from the CLI", () => {
    expect(publicSharingCalls("aws s3api put-bucket-acl --bucket b --acl public-read")[0]).toMatchObject({ verdict: "public", what: "bucket" });
    expect(publicSharingCalls("aws s3 cp ./bundle.tgz s3://b/ --acl public-read")[0]).toMatchObject({ verdict: "public", what: "object" });
    expect(publicSharingCalls("aws s3api put-object-acl --bucket b --key k --grant-read uri=http://acs.amazonaws.com/groups/global/AllUsers")[0]).toMatchObject({ verdict: "public" });
    expect(publicSharingCalls("aws s3 cp ./bundle.tgz s3://b/ --acl bucket-owner-full-control")).toEqual([]);
  });

  it("knows the public canned ACLs and grantees", () => {
    expect(["public-read", "public-read-write", "authenticated-read"].every(isPublicAcl)).toBe(true);
    expect(isPublicAcl("private")).toBe(false);
    expect(isPublicGrantee("http://acs.amazonaws.com/groups/global/AllUsers")).toBe(true);
    expect(isPublicGrantee("http://acs.amazonaws.com/groups/s3/LogDelivery")).toBe(false);
  });
});
