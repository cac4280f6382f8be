// The host side of the state volume: a root oneshot that finds the cell's EBS volume by its id (the
// NVMe serial on Nitro, a virtio serial in the VM test), makes a filesystem only on a provably blank
// volume, checks and mounts it with restrictive options, fixes owners after a uid change, and
// bind-mounts each state tree at its path. The gateway requires it, so it never runs on the root disk.
import { AGENT_USER, GATEWAY_UNIT, PATHS, STATE_TREES, STATE_VOLUME_UNIT, WORK_GROUP, type StateTree } from "../base/layout";
import { ROOT_OWNER, unitFile, type HostFile } from "../base/hostFile";
import { STRICT, factsReader } from "../base/shellPrelude";

export const PREPARE_STATE_VOLUME = `${PATHS.libexecDir}/prepare-state-volume`;
/** The filesystem label the script makes and the only one it mounts. */
export const STATE_FS_LABEL = "clawkeep-state";
/** The device name the attachment asks for; Nitro ignores it (NVMe), the volume id finds the disk. */
export const STATE_DEVICE_NAME = "/dev/sdf";
/** How long a boot waits for the volume: a replaced host's drain (330 s), stop, detach and attach. */
export const STATE_WAIT_SECONDS = 1800;
/** Mount options of the volume and of every bind mount of it. */
export const STATE_MOUNT_OPTIONS = "nodev,nosuid,noexec,noatime";

const EBS_VOLUME_ID = /^vol-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Throws unless `id` is an EBS volume id. */
export function assertVolumeId(id: string): string {
  if (!EBS_VOLUME_ID.test(id)) throw new Error(`${JSON.stringify(id)} is not an EBS volume id (vol- and 8 or 17 hex digits)`);
  return id;
}

/** The serial a volume shows the instance: its id without the dash (NVMe on Nitro; the VM test sets virtio's to it). */
export function volumeSerial(volumeId: string): string {
  return assertVolumeId(volumeId).replace("-", "");
}

/** `name:path:owner:group:mode`, one argument per tree: the script checks each part again. */
export function treeArgument(t: StateTree): string {
  const arg = [t.name, t.path, t.owner, t.group, t.mode].join(":");
  if (!/^[a-z0-9-]+:\/[A-Za-z0-9/_.-]+:[a-z_][a-z0-9_-]*:[a-z_][a-z0-9_-]*:[0-7]{4}$/.test(arg)) throw new Error(`state tree ${JSON.stringify(arg)} is not name:/path:owner:group:mode`);
  return arg;
}

const SCRIPT = `#!/bin/bash
# Finds the cell's state volume by its EBS volume id, waits for it to be attached, makes an ext4
# filesystem only when the volume is provably blank, checks and mounts it (${STATE_MOUNT_OPTIONS}),
# maps file owners to this host's ids, and bind-mounts each state tree at its path.
#   prepare-state-volume [--account user|group:NAME]... NAME:PATH:OWNER:GROUP:MODE...    mount (the unit's ExecStart)
#   prepare-state-volume --unmount NAME:PATH:OWNER:GROUP:MODE...
${STRICT}${factsReader("instance_env", "CLAWKEEP_INSTANCE_ENV", PATHS.instanceEnvFile)}
vol=\${CLAWKEEP_STATE_VOLUME_ID:?missing in $instance_env}
[[ $vol =~ ^vol-([0-9a-f]{8}|[0-9a-f]{17})$ ]] || die "CLAWKEEP_STATE_VOLUME_ID=$vol is not an EBS volume id"
# Overridden by the tests only: production uses the kit's paths.
mnt=\${CLAWKEEP_STATE_VOLUME_DIR:-${PATHS.stateVolumeDir}}
by_id=\${CLAWKEEP_BY_ID_DIR:-/dev/disk/by-id}
wait_s=\${CLAWKEEP_STATE_WAIT_SEC:-${STATE_WAIT_SECONDS}}
[[ $wait_s =~ ^[0-9]+$ ]] || die "CLAWKEEP_STATE_WAIT_SEC must be a number of seconds"
label=${STATE_FS_LABEL}
options=${STATE_MOUNT_OPTIONS}
ids_file=$mnt/.clawkeep-ids

unmount=0
# Accounts beyond the trees' owners whose files live on the volume (the agent's, in the workspace).
declare -a accounts=()
while (($# > 0)); do
  case $1 in
    --unmount) unmount=1; shift ;;
    --account)
      [[ \${2:-} =~ ^(user|group):[a-z_][a-z0-9_-]*$ ]] || die "--account takes user:NAME or group:NAME, not '\${2:-}'"
      accounts+=("$2"); shift 2 ;;
    *) break ;;
  esac
done
(($# > 0)) || die "usage: \${0##*/} [--unmount] [--account user|group:NAME]... NAME:PATH:OWNER:GROUP:MODE..."
declare -a names paths owners groups modes
for t in "$@"; do
  [[ $t =~ ^([a-z0-9-]+):(/[A-Za-z0-9/_.-]+):([a-z_][a-z0-9_-]*):([a-z_][a-z0-9_-]*):([0-7]{4})$ ]] || die "not NAME:PATH:OWNER:GROUP:MODE: $t"
  names+=("\${BASH_REMATCH[1]}"); paths+=("\${BASH_REMATCH[2]}"); owners+=("\${BASH_REMATCH[3]}"); groups+=("\${BASH_REMATCH[4]}"); modes+=("\${BASH_REMATCH[5]}")
done

mounted_from() { findmnt -rno SOURCE --mountpoint "$1" 2>/dev/null || true; }

if ((unmount)); then
  # Trees first (the gateway has stopped: it requires this unit), then the volume; the kernel flushes it.
  for p in "\${paths[@]}"; do if [[ -n $(mounted_from "$p") ]]; then umount "$p"; fi; done
  if [[ -n $(mounted_from "$mnt") ]]; then umount "$mnt"; fi
  log "state volume $vol unmounted"
  exit 0
fi

# Nitro: the NVMe serial is the volume id without its dash (udev's 60-persistent-storage rules make the
# link); the VM test: a virtio-blk disk whose serial is set to the same string.
serial=\${vol/-/}
candidates=("$by_id/nvme-Amazon_Elastic_Block_Store_$serial" "$by_id/virtio-$serial")
dev=""
deadline=$((SECONDS + wait_s))
announced=0
while :; do
  for c in "\${candidates[@]}"; do
    if [[ -b $c ]]; then dev=$(readlink -f "$c"); break; fi
  done
  [[ -z $dev ]] || break
  ((SECONDS < deadline)) || die "state volume $vol not attached after \${wait_s}s (looked for \${candidates[*]})"
  if ((!announced)); then log "waiting for state volume $vol (a replaced host detaches it once it has stopped)"; announced=1; fi
  sleep 2
done
log "state volume $vol is $dev"

if [[ -n $(mounted_from "$mnt") ]]; then
  [[ $(mounted_from "$mnt") == "$dev" ]] || die "$mnt is already a mount of $(mounted_from "$mnt"), not $dev"
  log "$mnt already mounted"
else
  # Blank means no signature of any kind (filesystem, partition table, RAID, LUKS) AND the first 64 MiB
  # all zeros: a volume that lost only its primary superblock is never taken for a new one. mkfs is no
  # safety net (without a terminal it overwrites a filesystem without asking), so this test is the only one.
  probe_rc=0
  probe=$(blkid -p -o export "$dev" 2>&1) || probe_rc=$?
  sigs=$(wipefs --no-act --noheadings --output TYPE "$dev")
  if ((probe_rc == 2)) && [[ -z $sigs ]]; then
    if cmp -s -n $((64 << 20)) "$dev" /dev/zero; then
      log "$dev is blank (no signature, first 64 MiB zero): making an ext4 filesystem labelled $label"
      mkfs.ext4 -q -L "$label" -m 1 "$dev"
    else
      die "$dev has no recognisable signature but holds data in its first 64 MiB: not formatting (restore or inspect it)"
    fi
  elif ((probe_rc != 0)); then
    die "blkid -p $dev failed ($probe_rc): $probe"
  fi
  type=$(blkid -p -s TYPE -o value "$dev" || true)
  have_label=$(blkid -p -s LABEL -o value "$dev" || true)
  [[ $type == ext4 && $have_label == "$label" ]] || die "$dev holds '$type' labelled '$have_label' (signatures: \${sigs//$'\\n'/ }); only an ext4 labelled $label is mounted"
  # -p repairs only what is safe without a person; 4 and above means one is needed.
  fsck_rc=0
  e2fsck -p "$dev" >&2 || fsck_rc=$?
  ((fsck_rc < 4)) || die "e2fsck -p $dev exited $fsck_rc: needs a person"
  install -d -m 0700 -o root -g root "$mnt"
  mount -t ext4 -o "$options" "$dev" "$mnt"
fi
chown root:root "$mnt"
chmod 0700 "$mnt"

# Owners: a new host may give the kit's users and groups other ids. The volume records the ids it was
# last mounted with; every file of a changed id moves to the new one (through a temporary id, so two
# ids that trade places never merge).
kinds=() keys=() news=()
for i in "\${!names[@]}"; do
  for kind in user group; do
    if [[ $kind == user ]]; then key=\${owners[i]}; new=$(id -u "$key") || die "no user $key on this host"
    else key=\${groups[i]}; new=$(getent group "$key" | cut -d: -f3); [[ -n $new ]] || die "no group $key on this host"; fi
    kinds+=("$kind"); keys+=("$key"); news+=("$new")
  done
done
# An account this host does not have (no agent below level 2) is skipped; its recorded id is kept for a later host.
for a in "\${accounts[@]}"; do
  kind=\${a%%:*} key=\${a#*:}
  # getent exits 2 for a missing group: under pipefail that must be a skip, not the end of the script.
  if [[ $kind == user ]]; then new=$(id -u "$key" 2>/dev/null) || continue
  else new=$(getent group "$key" | cut -d: -f3) || continue; fi
  [[ -n $new ]] || continue
  kinds+=("$kind"); keys+=("$key"); news+=("$new")
done
remap=()
if [[ -f $ids_file ]]; then
  while read -r kind key old; do
    for j in "\${!keys[@]}"; do
      # A recorded id is decimal and never root's: a crafted "user openclaw 0" must not hand root's files over.
      if [[ \${kinds[j]} == "$kind" && \${keys[j]} == "$key" && \${news[j]} != "$old" && $old =~ ^[1-9][0-9]*$ ]]; then remap+=("$kind $old \${news[j]} $key"); fi
    done
  done <"$ids_file"
fi
if ((\${#remap[@]} > 0)); then
  for phase in out in; do
    for r in "\${remap[@]}"; do
      read -r kind old new key <<<"$r"
      tmp=$((4000000000 + old))
      if [[ $phase == out ]]; then from=$old to=$tmp; log "re-owning files of $kind $key: id $old -> $new"; else from=$tmp to=$new; fi
      if [[ $kind == user ]]; then find "$mnt" -xdev -uid "$from" -exec chown -h "$to" {} +
      else find "$mnt" -xdev -gid "$from" -exec chgrp -h "$to" {} +; fi
    done
  done
fi
run_ids=$(mktemp)
{
  for j in "\${!keys[@]}"; do printf '%s %s %s\\n' "\${kinds[j]}" "\${keys[j]}" "\${news[j]}"; done
  if [[ -f $ids_file ]]; then
    while read -r kind key old; do
      here=0
      for j in "\${!keys[@]}"; do if [[ \${kinds[j]} == "$kind" && \${keys[j]} == "$key" ]]; then here=1; fi; done
      ((here)) || printf '%s %s %s\\n' "$kind" "$key" "$old"
    done <"$ids_file"
  fi
} | sort -u >"$run_ids"
# Rewritten only when it changes, and in place: the agent can use up the volume's inodes (ext4 keeps none for
# root), and a new file there would then fail this unit, and the gateway, at every boot.
if ! cmp -s "$run_ids" "$ids_file"; then cat "$run_ids" >"$ids_file"; fi
rm -f "$run_ids"

for i in "\${!names[@]}"; do
  src=$mnt/\${names[i]} dst=\${paths[i]}
  # A symlink there would carry the chown, the chmod and the bind mount to wherever it points.
  [[ ! -L $src && ! -L $dst ]] || die "$src or $dst is a symlink: only a directory is mounted"
  if [[ ! -d $src ]]; then install -d -m "\${modes[i]}" -o "\${owners[i]}" -g "\${groups[i]}" "$src"; log "made $src"; fi
  chown "\${owners[i]}:\${groups[i]}" "$src"
  # A leading 0 clears a directory's setgid bit explicitly (GNU chmod keeps it otherwise, and RestrictSUIDSGID=
  # refuses that); the tmpfiles step after this script sets the level's mode (2770 from level 2) again.
  chmod "0\${modes[i]}" "$src"
  if [[ -n $(mounted_from "$dst") ]]; then log "$dst already mounted"; continue; fi
  # The root disk's directory is only a mount point: a file written there before would be hidden (and
  # forked from the agent's real state). Empty directories (systemd-tmpfiles makes them at boot) are fine.
  # Made only when missing: on an existing (setgid, from level 2) directory GNU install keeps the bit, and
  # this unit's RestrictSUIDSGID= refuses that chmod.
  [[ -d $dst ]] || install -d -m 0755 "$dst"
  if [[ -n $(find "$dst" -mindepth 1 ! -type d -print -quit) ]]; then die "$dst on the root disk holds files: not hiding them under the state volume (move them aside first)"; fi
  mount --bind "$src" "$dst"
  mount -o "remount,bind,$options" "$dst"
  log "$dst is $vol:/\${names[i]} ($(findmnt -rno OPTIONS --mountpoint "$dst"))"
done
`;

export function renderPrepareStateVolume(): string {
  return SCRIPT;
}

const why = (text: string): string => `# ${text}`;

/** Accounts whose files sit on the volume without owning a tree: the agent's (levels 2 and 3), re-owned on a new host too. */
export const STATE_ACCOUNTS: readonly string[] = [`user:${AGENT_USER}`, `group:${AGENT_USER}`, `group:${WORK_GROUP}`];

/** The oneshot: no namespaces at all, so its mounts land in the host's; the gateway Requires= it. */
export function renderStateVolumeUnit(trees: readonly StateTree[] = STATE_TREES): string {
  const args = trees.map(treeArgument).join(" ");
  const accounts = STATE_ACCOUNTS.map((a) => `--account ${a}`).join(" ");
  return `${[
    "[Unit]",
    "Description=clawkeep: find, check and mount the cell's state volume",
    why("Not in local-fs.target: a missing volume must not put the host in emergency mode (SSM must still come up)."),
    "After=local-fs.target systemd-udevd.service",
    `Before=${GATEWAY_UNIT}`,
    "",
    "[Service]",
    "Type=oneshot",
    "RemainAfterExit=yes",
    `ExecStart=${PREPARE_STATE_VOLUME} ${accounts} ${args}`,
    why("The kit's directory modes and owners (one home: the tmpfiles file), now applied to the trees on the volume."),
    why("+: outside this unit's sandbox, as systemd-tmpfiles-setup.service runs it at boot: from level 2 the workspace is"),
    why("  setgid (2770) with a default ACL, and RestrictSUIDSGID= below refuses that chmod (the level-2 VM host never started)."),
    `ExecStartPost=+systemd-tmpfiles --create ${PATHS.tmpfilesConf}`,
    `ExecStop=${PREPARE_STATE_VOLUME} --unmount ${args}`,
    why(`It waits up to ${STATE_WAIT_SECONDS} s for the volume (a replaced host drains, stops and detaches it first).`),
    `TimeoutStartSec=${STATE_WAIT_SECONDS + 300}`,
    "UMask=0077",
    "NoNewPrivileges=yes",
    why("Mount, make a filesystem, check it, re-own files: nothing more."),
    "CapabilityBoundingSet=CAP_SYS_ADMIN CAP_CHOWN CAP_FOWNER CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH",
    "RestrictAddressFamilies=AF_UNIX",
    "IPAddressDeny=any",
    "RestrictNamespaces=yes",
    "RestrictRealtime=yes",
    "RestrictSUIDSGID=yes",
    "LockPersonality=yes",
    "MemoryDenyWriteExecute=yes",
    "KeyringMode=private",
    "SystemCallArchitectures=native",
    "ProtectHostname=yes",
    why("SystemCallFilter= keeps @mount, @privileged and @resources (mount, mkfs, e2fsck, chown); the rest is refused."),
    "SystemCallFilter=~@clock @cpu-emulation @debug @module @obsolete @raw-io @reboot @swap",
    "SystemCallErrorNumber=EPERM",
    why("Left off on purpose: every directive that gives the unit a mount namespace (ProtectSystem=, PrivateTmp=,"),
    why("  PrivateDevices=, ProtectKernelModules=, ProtectKernelLogs=, ProtectKernelTunables=, ProtectControlGroups=,"),
    why("  ProtectHome=, ProtectProc=, ProcSubset=, PrivateMounts=, RootDirectory=, ReadOnlyPaths=...): its mounts must land"),
    why("  in the host's namespace; ProtectClock=/DeviceAllow= would close the volume's block device; PrivateUsers= and"),
    why("  User= not set: it formats, mounts and re-owns as root (CapabilityBoundingSet= above keeps only that);"),
    why("  PrivateNetwork= not set: a network namespace of its own is one more namespace its mounts must not be in;"),
    why("  RestrictAddressFamilies= keeps AF_UNIX for systemd-tmpfiles and logging."),
    "",
  ].join("\n")}`;
}

/** The script and its unit (the unit has no [Install]: the gateway's Requires= pulls it in at every boot). */
export function stateVolumeHostFiles(): HostFile[] {
  return [{ path: PREPARE_STATE_VOLUME, content: renderPrepareStateVolume(), mode: "0750", owner: ROOT_OWNER }, unitFile(STATE_VOLUME_UNIT, renderStateVolumeUnit())];
}
