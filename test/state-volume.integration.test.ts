// prepare-state-volume, the script that decides whether a volume is blank, against real loop devices
// and the real e2fsprogs/util-linux: a blank volume gets a filesystem once, a volume holding data is
// never formatted (lost superblock, foreign filesystem, partition table, stray bytes), owners follow a
// uid change, and the mounts carry the restrictive options. Each run is in a private mount namespace.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { STATE_FS_LABEL, STATE_MOUNT_OPTIONS, renderPrepareStateVolume, renderStateVolumeUnit, treeArgument, volumeSerial } from "../components/state/hostFiles";
import { STATE_TREES } from "../components/base/layout";
import { isRoot, needTools } from "./support/tools";
import { removeTmpDirs, tmpDir, writeFile } from "./support/nestedSystemd";

const VOL = "vol-0c1a3e5e7a9b1d2f4";
const SERIAL = volumeSerial(VOL);
const USABLE = isRoot() && needTools("losetup", "mkfs.ext4", "blkid", "wipefs", "e2fsck", "sfdisk", "findmnt", "unshare", "shellcheck");

interface Run {
  rc: number | null;
  out: string;
  err: string;
}

describe.skipIf(!USABLE)("prepare-state-volume on loop devices", () => {
  let w: string;
  let script: string;
  const loops: string[] = [];
  beforeAll(() => {
    w = tmpDir("clawkeep-state-");
    script = path.join(w, "prepare-state-volume");
    writeFile(script, renderPrepareStateVolume(), 0o755);
    writeFile(path.join(w, "instance.env"), `CLAWKEEP_STATE_VOLUME_ID=${VOL}\n`, 0o600);
  });
  afterEach(() => {
    for (const l of loops.splice(0)) spawnSync("losetup", ["-d", l]);
    fs.rmSync(path.join(w, "by-id"), { recursive: true, force: true });
  });
  afterAll(removeTmpDirs);

  const image = (name: string, size = "96M"): string => {
    const f = path.join(w, name);
    fs.rmSync(f, { force: true });
    expect(spawnSync("truncate", ["-s", size, f]).status).toBe(0);
    return f;
  };
  /** Attach `img` as a loop device and link it as the by-id name the volume would get. */
  const attach = (img: string, link: string): string => {
    const res = spawnSync("losetup", ["--find", "--show", img], { encoding: "utf8" });
    expect(res.status, res.stderr).toBe(0);
    const dev = res.stdout.trim();
    loops.push(dev);
    fs.mkdirSync(path.join(w, "by-id"), { recursive: true });
    fs.symlinkSync(dev, path.join(w, "by-id", link));
    return dev;
  };
  const nvme = `nvme-Amazon_Elastic_Block_Store_${SERIAL}`;
  const virtio = `virtio-${SERIAL}`;

  /** The script with its test overrides, then `after` (bash) in the same private mount namespace. */
  function run(trees: string[], after = "", env: Record<string, string> = {}): Run {
    const inner = `"$0" "$@"; rc=$?; echo "script_exit=$rc"; ${after}\nexit $rc`;
    const res = spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-c", inner, script, ...trees], {
      encoding: "utf8",
      env: {
        PATH: "/usr/sbin:/usr/bin:/sbin:/bin",
        CLAWKEEP_INSTANCE_ENV: path.join(w, "instance.env"),
        CLAWKEEP_STATE_VOLUME_DIR: path.join(w, "mnt"),
        CLAWKEEP_BY_ID_DIR: path.join(w, "by-id"),
        CLAWKEEP_STATE_WAIT_SEC: "3",
        ...env,
      },
      timeout: 120_000,
    });
    return { rc: res.status, out: res.stdout, err: res.stderr };
  }
  const tree = (name: string, owner = "nobody", group = "nogroup", mode = "0700") => `${name}:${path.join(w, "trees", name)}:${owner}:${group}:${mode}`;

  it("shellcheck finds nothing in the script; the unit passes each tree as one checked argument", () => {
    const res = spawnSync("shellcheck", ["-s", "bash", script], { encoding: "utf8" });
    expect(res.stdout + res.stderr).toBe("");
    expect(renderStateVolumeUnit()).toContain(STATE_TREES.map(treeArgument).join(" "));
    expect(renderStateVolumeUnit()).toMatch(/^ExecStart=\S+ --account user:openclaw-agent --account group:openclaw-agent --account group:openclaw-work /m);
    expect(() => treeArgument({ name: "x", path: "/a b", owner: "o", group: "g", mode: "0700" })).toThrow(/not name:\/path/);
  });

  it("a blank volume gets ext4 once, mounted nodev,nosuid,noexec,noatime, the tree bind-mounted with the same options", () => {
    const img = image("blank.img");
    attach(img, nvme);
    const r = run([tree("openclaw")], `findmnt -rno FSTYPE,OPTIONS --mountpoint "$CLAWKEEP_STATE_VOLUME_DIR"; findmnt -rno OPTIONS --mountpoint ${path.join(w, "trees/openclaw")}; stat -c '%U:%G %a' "$CLAWKEEP_STATE_VOLUME_DIR" ${path.join(w, "trees/openclaw")}; echo 'memory of the agent' >${path.join(w, "trees/openclaw/memory.txt")}; chown nobody:nogroup ${path.join(w, "trees/openclaw/memory.txt")}`);
    expect(r.rc, r.err).toBe(0);
    expect(r.err).toContain("is blank (no signature, first 64 MiB zero): making an ext4 filesystem");
    const [fsLine, bindOpts, volOwner, treeOwner] = r.out.trim().split("\n").filter((l) => !l.startsWith("script_exit="));
    expect(fsLine.split(" ")[0]).toBe("ext4");
    for (const o of STATE_MOUNT_OPTIONS.split(",")) {
      expect(fsLine.split(" ")[1].split(","), o).toContain(o);
      expect(bindOpts.split(","), o).toContain(o);
    }
    expect(volOwner).toBe("root:root 700");
    expect(treeOwner).toBe("nobody:nogroup 700");
    expect(spawnSync("blkid", ["-p", "-s", "LABEL", "-o", "value", img], { encoding: "utf8" }).stdout.trim()).toBe(STATE_FS_LABEL);

    // The same volume on a replacement host (virtio link this time): checked and mounted, never formatted.
    fs.rmSync(path.join(w, "by-id"), { recursive: true, force: true });
    for (const l of loops.splice(0)) spawnSync("losetup", ["-d", l]);
    attach(img, virtio);
    const again = run([tree("openclaw")], `cat ${path.join(w, "trees/openclaw/memory.txt")}`);
    expect(again.rc, again.err).toBe(0);
    expect(again.err).not.toContain("making an ext4 filesystem");
    expect(again.out).toContain("memory of the agent");
  });

  it("maps owners when the host's ids differ from the ones the volume recorded, even when two ids trade places", () => {
    const img = image("ids.img");
    attach(img, virtio);
    // First mount as daemon/daemon, with two files; then pretend the earlier host had other ids.
    const uidDaemon = spawnSync("id", ["-u", "daemon"], { encoding: "utf8" }).stdout.trim();
    const uidBin = spawnSync("id", ["-u", "bin"], { encoding: "utf8" }).stdout.trim();
    const dir = path.join(w, "trees/work");
    const first = run([tree("work", "daemon", "daemon", "0750"), tree("other", "bin", "bin", "0700")], `touch ${dir}/a ${dir}/b; chown daemon:daemon ${dir}/a; chown bin:bin ${dir}/b; sed -i -e 's/^user daemon .*/user daemon ${uidBin}/' -e 's/^user bin .*/user bin ${uidDaemon}/' "$CLAWKEEP_STATE_VOLUME_DIR/.clawkeep-ids"; chown ${uidBin} ${dir}/a ${dir}; chown ${uidDaemon} ${dir}/b`);
    expect(first.rc, first.err).toBe(0);
    const second = run([tree("work", "daemon", "daemon", "0750"), tree("other", "bin", "bin", "0700")], `stat -c '%n %U' ${dir}/a ${dir}/b ${dir}`);
    expect(second.rc, second.err).toBe(0);
    expect(second.err).toContain(`re-owning files of user daemon: id ${uidBin} -> ${uidDaemon}`);
    expect(second.err).toContain(`re-owning files of user bin: id ${uidDaemon} -> ${uidBin}`);
    expect(second.out).toContain(`${dir}/a daemon`);
    expect(second.out).toContain(`${dir}/b bin`);
    expect(second.out).toContain(`${dir} daemon`);
  });

  it("re-owns the files of the accounts it is told to track (the agent's), keeps the record of one this host lacks, and refuses a malformed one", () => {
    const img = image("accounts.img");
    attach(img, virtio);
    const uidSys = spawnSync("id", ["-u", "sys"], { encoding: "utf8" }).stdout.trim();
    const gidSys = spawnSync("getent", ["group", "sys"], { encoding: "utf8" }).stdout.split(":")[2];
    const dir = path.join(w, "trees/work");
    // Absent accounts of both kinds (a level-0 host has no agent user or workspace group): skipped, never fatal.
    const accounts = ["--account", "user:sys", "--account", "group:sys", "--account", "user:clawkeep-absent", "--account", "group:clawkeep-absent"];
    // The earlier host's agent had ids 4242/4343; an account of that host this one lacks is on record too.
    const first = run([...accounts, tree("work", "daemon", "daemon", "0750")], `touch ${dir}/agent-file; chown 4242:4343 ${dir}/agent-file; sed -i -e 's/^user sys .*/user sys 4242/' -e 's/^group sys .*/group sys 4343/' "$CLAWKEEP_STATE_VOLUME_DIR/.clawkeep-ids"; echo 'user clawkeep-absent 777' >>"$CLAWKEEP_STATE_VOLUME_DIR/.clawkeep-ids"`);
    expect(first.rc, first.err).toBe(0);
    const second = run([...accounts, tree("work", "daemon", "daemon", "0750")], `stat -c '%n %u:%g' ${dir}/agent-file; cat "$CLAWKEEP_STATE_VOLUME_DIR/.clawkeep-ids"`);
    expect(second.rc, second.err).toBe(0);
    expect(second.err).toContain(`re-owning files of user sys: id 4242 -> ${uidSys}`);
    expect(second.err).toContain(`re-owning files of group sys: id 4343 -> ${gidSys}`);
    expect(second.out).toContain(`${dir}/agent-file ${uidSys}:${gidSys}`);
    expect(second.out).toContain("user clawkeep-absent 777");
    expect(second.out).toContain(`user sys ${uidSys}`);

    const bad = run(["--account", "nobody", tree("work", "daemon", "daemon", "0750")]);
    expect(bad.rc).not.toBe(0);
    expect(bad.err).toContain("--account takes user:NAME or group:NAME, not 'nobody'");
  });

  // Red team (a helper who did not write the script): what the agent, or a root before this host, leaves on the volume.
  it("still mounts a volume whose inodes the agent used up (the owner record is not rewritten when unchanged)", () => {
    const img = image("inodes.img");
    attach(img, virtio);
    const dir = path.join(w, "trees/work");
    const fill = `import os\ni = 0\ntry:\n    while True:\n        open(f"${dir}/f{i}", "w").close()\n        i += 1\nexcept OSError:\n    print(f"files={i}")`;
    const first = run([tree("work", "daemon", "daemon", "0750")], `python3 -c '${fill}'; df -i "$CLAWKEEP_STATE_VOLUME_DIR" | tail -1`);
    expect(first.rc, first.err).toBe(0);
    expect(first.out).toMatch(/ 100% /);
    const second = run([tree("work", "daemon", "daemon", "0750")]);
    expect(second.rc, second.err).toBe(0);
  }, 300_000);

  it("refuses a tree that is a symlink on the volume, and ignores a recorded id that is root's", () => {
    const img = image("planted.img");
    attach(img, virtio);
    const first = run([tree("work", "daemon", "daemon", "0750")], `install -d -m 0700 ${path.join(w, "elsewhere")}; rmdir "$CLAWKEEP_STATE_VOLUME_DIR/work" 2>/dev/null || umount ${path.join(w, "trees/work")}; rm -rf "$CLAWKEEP_STATE_VOLUME_DIR/work"; ln -s ${path.join(w, "elsewhere")} "$CLAWKEEP_STATE_VOLUME_DIR/work"`);
    expect(first.rc, `${first.err}\n${first.out}`).toBe(0);
    const symlinked = run([tree("work", "daemon", "daemon", "0750")]);
    expect(symlinked.rc).not.toBe(0);
    expect(symlinked.err).toMatch(/work is a symlink: only a directory is mounted/);
    expect(fs.statSync(path.join(w, "elsewhere")).uid).toBe(0);
    // A record that says the tree's owner had id 0 on the last host: root's files must stay root's.
    const img2 = image("zero.img");
    attach(img2, nvme);
    const crafted = run([tree("work2", "daemon", "daemon", "0750")], `touch "$CLAWKEEP_STATE_VOLUME_DIR/work2/roots"; sed -i 's/^user daemon .*/user daemon 0/' "$CLAWKEEP_STATE_VOLUME_DIR/.clawkeep-ids"`);
    expect(crafted.rc, crafted.err).toBe(0);
    const after = run([tree("work2", "daemon", "daemon", "0750")], `stat -c 'roots=%u' "$CLAWKEEP_STATE_VOLUME_DIR/work2/roots"; stat -c 'volume=%u' "$CLAWKEEP_STATE_VOLUME_DIR"`);
    expect(after.rc, after.err).toBe(0);
    expect(after.err).not.toMatch(/re-owning files of user daemon: id 0/);
    expect(after.out).toMatch(/^roots=0$/m);
    expect(after.out).toMatch(/^volume=0$/m);
  });

  const refusals: Array<[string, (img: string) => void, RegExp]> = [
    [
      "a lost primary superblock (no signature, data behind it)",
      (img) => {
        spawnSync("mkfs.ext4", ["-q", "-L", STATE_FS_LABEL, img]);
        spawnSync("dd", ["if=/dev/zero", `of=${img}`, "bs=1024", "seek=1", "count=1", "conv=notrunc", "status=none"]);
      },
      /no recognisable signature but holds data in its first 64 MiB: not formatting/,
    ],
    ["a foreign filesystem (ext4 labelled data)", (img) => spawnSync("mkfs.ext4", ["-q", "-L", "data", img]), /holds 'ext4' labelled 'data'.*only an ext4 labelled clawkeep-state is mounted/],
    ["a partition table", (img) => spawnSync("sfdisk", ["-q", img], { input: "label: gpt\n,,L\n" }), /holds '' labelled ''.*gpt/],
    ["no signature but random bytes at 10 MiB", (img) => spawnSync("dd", ["if=/dev/urandom", `of=${img}`, "bs=1M", "seek=10", "count=1", "conv=notrunc", "status=none"]), /holds data in its first 64 MiB/],
  ];
  for (const [what, prepare, message] of refusals) {
    it(`refuses ${what}, and leaves it as it was`, () => {
      const img = image("refuse.img");
      prepare(img);
      const before = spawnSync("sha256sum", [img], { encoding: "utf8" }).stdout.split(" ")[0];
      attach(img, virtio);
      const r = run([tree("openclaw")]);
      expect(r.rc).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.err).not.toContain("making an ext4 filesystem");
      expect(spawnSync("sha256sum", [img], { encoding: "utf8" }).stdout.split(" ")[0]).toBe(before);
    });
  }

  it("waits for a volume attached late, and gives up naming what it looked for", () => {
    const img = image("late.img");
    const dev = spawnSync("losetup", ["--find", "--show", img], { encoding: "utf8" }).stdout.trim();
    loops.push(dev);
    fs.mkdirSync(path.join(w, "by-id"), { recursive: true });
    const late = run([tree("openclaw")], "", { CLAWKEEP_STATE_WAIT_SEC: "0" });
    expect(late.rc).toBe(1);
    expect(late.err).toContain(`state volume ${VOL} not attached after 0s (looked for ${path.join(w, "by-id", nvme)} ${path.join(w, "by-id", virtio)})`);
    // Attached four seconds into the wait: found, formatted (it is blank), mounted.
    const started = Date.now();
    const lateLink = spawnSync("bash", ["-c", `mkdir -p "$2"; (sleep 4; ln -s "$1" "$2/${virtio}") & unshare --mount --propagation private "$0" "$3"; rc=$?; wait; exit $rc`, script, dev, path.join(w, "by-id-late"), tree("openclaw")], {
      encoding: "utf8",
      env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", CLAWKEEP_INSTANCE_ENV: path.join(w, "instance.env"), CLAWKEEP_STATE_VOLUME_DIR: path.join(w, "mnt"), CLAWKEEP_BY_ID_DIR: path.join(w, "by-id-late"), CLAWKEEP_STATE_WAIT_SEC: "60" },
      timeout: 120_000,
    });
    fs.rmSync(path.join(w, "by-id-late"), { recursive: true, force: true });
    expect(lateLink.status, lateLink.stderr).toBe(0);
    expect(lateLink.stderr).toContain(`waiting for state volume ${VOL}`);
    expect(lateLink.stderr).toContain("making an ext4 filesystem");
    expect(Date.now() - started).toBeGreaterThanOrEqual(4000);
  });

  it("refuses a bad volume id, a bad tree argument and files on the root disk's mount point", () => {
    writeFile(path.join(w, "bad.env"), "CLAWKEEP_STATE_VOLUME_ID=vol-XYZ\n", 0o600);
    const badId = run([tree("openclaw")], "", { CLAWKEEP_INSTANCE_ENV: path.join(w, "bad.env") });
    expect(badId.rc).toBe(1);
    expect(badId.err).toContain("CLAWKEEP_STATE_VOLUME_ID=vol-XYZ is not an EBS volume id");
    const badTree = run(["openclaw:relative:nobody:nogroup:0700"]);
    expect(badTree.rc).toBe(1);
    expect(badTree.err).toContain("not NAME:PATH:OWNER:GROUP:MODE: openclaw:relative");
    const img = image("hidden.img");
    attach(img, virtio);
    writeFile(path.join(w, "trees/forked/stray.sqlite"), "written to the root disk", 0o600);
    const hidden = run([tree("forked")]);
    expect(hidden.rc).toBe(1);
    expect(hidden.err).toContain(`${path.join(w, "trees/forked")} on the root disk holds files`);
  });
});
