// The test's way into the VM, since the kit removes sshd: a root agent in the TEST image (not part of
// the kit) reads scripts from a virtio-serial port and answers with their exit code and output. It
// stands in for the auditor's SSM Session Manager shell and listens on no network.
import * as net from "node:net";
import { AGENT_DEVICE } from "./addresses";

export const AGENT_BIN = "/usr/local/sbin/clawkeep-vm-agent";
export const AGENT_UNIT = "clawkeep-vm-agent.service";

/** Guest side. Protocol, one line each: host "RUN <id> <base64 script>", guest "OUT <id> <rc> <base64 output>". */
export const AGENT_SCRIPT = `#!/bin/bash
# clawkeep VM TEST agent: runs the host's check scripts as root over a virtio-serial port. Test image only.
port=${AGENT_DEVICE}
until [[ -e $port ]]; do sleep 1; done
exec 3<>"$port"
# Blocks until the host is connected; READY tells it a (re)boot has reached this point.
printf 'READY %s\\n' "$(cut -d' ' -f1 /proc/uptime)" >&3
while IFS=' ' read -r -u 3 verb id script; do
  [[ $verb == RUN ]] || continue
  # Each script runs in the background, so the host can look around while a long wait is running;
  # the lock keeps two answers from interleaving on the port.
  {
    out=$(printf '%s' "$script" | base64 -d | timeout 3600 bash 2>&1 3>&-)
    rc=$?
    reply="OUT $id $rc $(printf '%s' "$out" | base64 -w0)"
    flock 9
    printf '%s\n' "$reply" >&3
  } 9>/run/clawkeep-vm-agent.lock &
done
`;

export const AGENT_UNIT_TEXT = `[Unit]
Description=clawkeep VM TEST agent (test image only): the host's checks over virtio-serial

[Service]
ExecStart=${AGENT_BIN}
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target
`;

export interface AgentResult {
  rc: number;
  output: string;
}

/** Host side of the channel: a connection to qemu's chardev socket. */
export class AgentClient {
  private buffer = "";
  private nextId = 1;
  private pending = new Map<string, (r: AgentResult) => void>();
  private readyWaiters: Array<(uptime: number) => void> = [];
  /** Guest uptime (s) of each READY seen, in order: one per boot. */
  readonly readies: number[] = [];

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => this.onData(chunk));
  }

  static async connect(path: string, timeoutMs = 30_000): Promise<AgentClient> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const socket = await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect(path, () => resolve(s));
          s.once("error", reject);
        });
        return new AgentClient(socket);
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf("\n")) >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      const [verb, a, b, c] = line.split(" ");
      if (verb === "READY") {
        this.readies.push(Number(a));
        for (const w of this.readyWaiters.splice(0)) w(Number(a));
      } else if (verb === "OUT" && this.pending.has(a)) {
        const resolve = this.pending.get(a) as (r: AgentResult) => void;
        this.pending.delete(a);
        resolve({ rc: Number(b), output: Buffer.from(c ?? "", "base64").toString("utf8") });
      }
    }
  }

  /** Resolves with the guest's uptime once READY number `count` (1-based) has arrived. */
  waitReady(count: number, timeoutMs: number): Promise<number> {
    if (this.readies.length >= count) return Promise.resolve(this.readies[count - 1]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the VM's agent did not report boot ${count} within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
      const check = (): void => {
        if (this.readies.length >= count) {
          clearTimeout(timer);
          resolve(this.readies[count - 1]);
        } else this.readyWaiters.push(check);
      };
      check();
    });
  }

  /** Run a bash script as root in the guest. */
  run(script: string, timeoutMs = 120_000): Promise<AgentResult> {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`guest command ${id} timed out after ${Math.round(timeoutMs / 1000)} s:\n${script.slice(0, 300)}`));
      }, timeoutMs);
      this.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.socket.write(`RUN ${id} ${Buffer.from(script, "utf8").toString("base64")}\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}
