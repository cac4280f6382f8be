// The VM's state-volume row (issue 18), judged without a VM: it passes on what a host with the state on
// its volume prints, and fails on each departure. The script itself runs in `npm run test:vm`.
import { describe, expect, it } from "vitest";
import { STATE_VOLUME_CHECK, type CheckContext } from "./checks";

const ctx: CheckContext = { port: 18789, hostOfflineScore: 0.7, ingress: true, egressProxy: null, dayTwo: { volumeSerial: "vol0c1a3e5e7a9b1d2f4", bundleSha256: "a".repeat(64) } };
const OPTS = "rw,nosuid,nodev,noexec,noatime";
const good: Record<string, string> = {
  device: "/dev/vdc",
  volume: `/dev/vdc ${OPTS}`,
  state_tree: OPTS,
  workspace_tree: `/dev/vdc[/workspace] ${OPTS}`,
  state_owner: "openclaw:openclaw 700",
  requires: "clawkeep-state-volume.service",
  state_unit: "active",
  bundle: "a".repeat(64),
  apply_timer: "enabled/active",
};
const judge = (f: Record<string, string>) => STATE_VOLUME_CHECK.judge?.(f, 0, ctx);

describe("the VM's state-volume row", () => {
  it("passes on a host whose state and workspace are on the cell's volume", () => {
    expect(judge(good)).toMatchObject({ pass: true });
  });

  it.each<[string, Partial<Record<string, string>>, RegExp]>([
    ["the state on the root disk", { volume: "", device: "no link for serial vol0c1a3e5e7a9b1d2f4" }, /is not the disk/],
    ["another disk", { volume: `/dev/vdb ${OPTS}` }, /is not the disk \/dev\/vdc/],
    ["exec allowed on the state tree", { state_tree: "rw,nosuid,nodev,noatime" }, /no noexec/],
    ["the workspace on the root disk", { workspace_tree: "" }, /the workspace .* is not the volume's workspace tree/],
    ["the workspace with devices", { workspace_tree: `/dev/vdc[/workspace] rw,nosuid,noexec` }, /no nodev/],
    ["a state dir others can read", { state_owner: "openclaw:openclaw 755" }, /state dir openclaw:openclaw 755/],
    ["a gateway that does not wait for the volume", { requires: "" }, /does not require the state volume/],
    ["another bundle than the pointer's", { bundle: "b".repeat(64) }, /runs bundle bbbbbbbbbbbb, the pointer names aaaaaaaaaaaa/],
    ["no fallback timer", { apply_timer: "disabled/inactive" }, /clawkeep-apply-bundle\.timer disabled\/inactive/],
  ])("fails on %s", (_name, change, why) => {
    const v = judge({ ...good, ...change } as Record<string, string>);
    expect(v?.pass).toBe(false);
    expect(v?.detail).toMatch(why);
  });
});
