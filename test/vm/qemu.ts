// One VM under qemu (TCG: KVM is not usable here). The kernel and initrd boot directly (no
// bootloader), the root is a throw-away qcow2 overlay on the cached disk, the NoCloud seed a
// read-only virtual FAT labelled cidata, and the network qemu's user network with restrict=on:
// the guest reaches nothing but the guestfwd forwards to services on host loopback.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AGENT_PORT, GUEST_DHCP_START, GUEST_DNS, GUEST_GATEWAY, GUEST_NET } from "./addresses";

/** A guest address:port and the host loopback port it is forwarded to. */
export interface Forward {
  guestAddr: string;
  guestPort: number;
  hostPort: number;
}

export interface VmOptions {
  runDir: string;
  baseImage: string;
  kernel: string;
  initrd: string;
  /** user-data and meta-data for the NoCloud seed. */
  userData: string;
  metaData: string;
  forwards: Forward[];
  memoryMb: number;
  cpus: number;
  /**
   * The cell's state volume: a second virtio disk whose serial is the EBS volume id without its dash,
   * as Nitro's NVMe shows it, so udev makes the same kind of by-id link the kit looks for. It outlives
   * the VM: a replacement boots a new root overlay with the same state disk.
   */
  stateDisk?: { file: string; serial: string };
}

export interface Vm {
  serialLog: string;
  agentSocket: string;
  process: ChildProcess;
  /** Resolves when qemu has exited. */
  exited: Promise<number | null>;
  kill(): Promise<void>;
}

export const KERNEL_CMDLINE = "root=/dev/vda rw console=ttyS0,115200 net.ifnames=0 systemd.show_status=1";

// Spawned by qemu once per guest connection: splices the connection onto a host loopback port.
const BRIDGE = `const net = require("node:net");
const s = net.connect(Number(process.argv[2]), "127.0.0.1");
process.stdin.pipe(s);
s.pipe(process.stdout);
process.stdin.on("end", () => s.end());
s.on("error", () => process.exit(0));
s.on("close", () => process.exit(0));
`;

export function qemuArgs(opts: VmOptions, files: { overlay: string; seedDir: string; serialLog: string; agentSocket: string; bridge: string }): string[] {
  // guestfwd's cmd runs under /bin/sh; commas would end the -netdev option, so the paths must have none.
  for (const p of [files.bridge, process.execPath]) if (p.includes(",")) throw new Error(`a comma in ${p} breaks qemu's option syntax`);
  const fwds = opts.forwards.map((f) => `guestfwd=tcp:${f.guestAddr}:${f.guestPort}-cmd:${process.execPath} ${files.bridge} ${f.hostPort}`);
  const netdev = ["user", "id=net0", "restrict=on", `net=${GUEST_NET}`, `host=${GUEST_GATEWAY}`, `dns=${GUEST_DNS}`, `dhcpstart=${GUEST_DHCP_START}`, ...fwds].join(",");
  return [
    "-nodefaults",
    "-no-user-config",
    "-display", "none",
    "-accel", "tcg,thread=multi",
    "-cpu", "max",
    "-smp", String(opts.cpus),
    "-m", String(opts.memoryMb),
    "-kernel", opts.kernel,
    "-initrd", opts.initrd,
    "-append", KERNEL_CMDLINE,
    // Fixed PCI slots, in this order: the guest names virtio disks by slot, and the kernel boots root=/dev/vda.
    // (QEMU creates -device disks before if=virtio ones, so without slots the state disk became vda.)
    "-drive", `file=${files.overlay},if=none,id=root,format=qcow2,cache=unsafe`,
    "-device", "virtio-blk-pci,drive=root,addr=0x10",
    "-drive", `file.driver=vvfat,file.dir=${files.seedDir},file.label=cidata,if=none,id=seed,format=raw,readonly=on`,
    "-device", "virtio-blk-pci,drive=seed,addr=0x11",
    ...(opts.stateDisk ? ["-drive", `file=${opts.stateDisk.file},if=none,id=state,format=qcow2,cache=writeback`, "-device", `virtio-blk-pci,drive=state,serial=${opts.stateDisk.serial},addr=0x12`] : []),
    "-netdev", netdev,
    "-device", "virtio-net-pci,netdev=net0",
    "-device", "virtio-rng-pci",
    "-device", "virtio-serial-pci",
    "-chardev", `socket,id=agent,path=${files.agentSocket},server=on,wait=off`,
    "-device", `virtserialport,chardev=agent,name=${AGENT_PORT}`,
    "-chardev", `file,id=serial0,path=${files.serialLog}`,
    "-serial", "chardev:serial0",
  ];
}

/** A blank state disk (qcow2 reads zeros where nothing was written: the kit's blank test passes, once). */
export function createStateDisk(file: string, size = "2G"): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  const img = spawnSync("qemu-img", ["create", "-q", "-f", "qcow2", file, size], { encoding: "utf8" });
  if (img.status !== 0) throw new Error(`qemu-img create ${file} failed: ${img.stderr}`);
}

export function startVm(opts: VmOptions): Vm {
  fs.mkdirSync(opts.runDir, { recursive: true });
  const overlay = path.join(opts.runDir, "root.qcow2");
  const seedDir = path.join(opts.runDir, "seed");
  const serialLog = path.join(opts.runDir, "serial.log");
  const agentSocket = path.join(opts.runDir, "agent.sock");
  const bridge = path.join(opts.runDir, "bridge.cjs");
  fs.rmSync(overlay, { force: true });
  const img = spawnSync("qemu-img", ["create", "-q", "-f", "qcow2", "-F", "raw", "-b", opts.baseImage, overlay], { encoding: "utf8" });
  if (img.status !== 0) throw new Error(`qemu-img create failed: ${img.stderr}`);
  fs.mkdirSync(seedDir, { recursive: true });
  fs.writeFileSync(path.join(seedDir, "user-data"), opts.userData);
  fs.writeFileSync(path.join(seedDir, "meta-data"), opts.metaData);
  fs.writeFileSync(bridge, BRIDGE);
  fs.rmSync(agentSocket, { force: true });
  const args = qemuArgs(opts, { overlay, seedDir, serialLog, agentSocket, bridge });
  fs.writeFileSync(path.join(opts.runDir, "qemu.cmdline"), `qemu-system-x86_64 ${args.map((a) => JSON.stringify(a)).join(" ")}\n`);
  const stderrLog = fs.openSync(path.join(opts.runDir, "qemu.stderr"), "w");
  const child = spawn("qemu-system-x86_64", args, { stdio: ["ignore", stderrLog, stderrLog] });
  fs.closeSync(stderrLog);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // A test process that dies must not leave the VM running.
  const killOnExit = (): void => {
    child.kill("SIGKILL");
  };
  process.once("exit", killOnExit);
  const kill = async (): Promise<void> => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const forced = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(forced);
  };
  return { serialLog, agentSocket, process: child, exited, kill };
}
