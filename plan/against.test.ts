// `npm run plan -- --stack S --against DIR` (issue 18 item 3): what a change does to a cell running an
// earlier plan, from the plans themselves. Each kind of change of the research's table, on the kit.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UPGRADE_RUNTIME } from "../components/host/effects";
import { beforeAll, describe, expect, it } from "vitest";
import { AgainstError, compareWithEarlier, readEarlierPlan, type AgainstResult } from "./against";
import { main, writeOut } from "./cli";
import { planStack } from "./planStack";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-against-"));
const FAKE_INTEGRITY = `sha512-${"A".repeat(86)}==`;
let base: string;

async function against(overrides: string[], stack = "level1"): Promise<AgainstResult> {
  return compareWithEarlier(readEarlierPlan(base), await planStack(stack, { overrides }));
}
const felt = (r: AgainstResult) => r.changes.filter((c) => c.effect !== "nothing").map((c) => [c.effect, c.what]);

beforeAll(async () => {
  base = tmp();
  writeOut(await planStack("level1"), base);
}, 120_000);

describe("against an earlier plan of level 1", () => {
  it("the same plan: nothing, no change at all (every input is deterministic)", async () => {
    const r = await against([]);
    expect(r.changes).toEqual([]);
    expect(r.summary).toBe("nothing: this plan is the one the cell runs");
  });

  it("one more egress domain: a squid reload in place, the same host (only the bundle and its pointer move)", async () => {
    const r = await against(["egressAllowlist=[api.github.com, pypi.org]"]);
    expect(felt(r)).toEqual([["reload", "/etc/squid/clawkeep-egress.conf"]]);
    expect(r.changes.find((c) => c.what.endsWith("userDataBase64"))).toBeUndefined();
    expect(r.effect).toBe("reload");
    expect(r.stateKept).toBe(true);
  });

  it("a new OpenClaw version: a runtime upgrade through runtime.env, the action apply-bundle runs", async () => {
    const r = await against(["openclawVersion=2026.9.5", `openclawIntegrity=${FAKE_INTEGRITY}`]);
    const env = r.changes.find((c) => c.what === "/etc/clawkeep/runtime.env");
    expect(env).toMatchObject({ effect: "runtime-upgrade", action: UPGRADE_RUNTIME });
    expect(r.effect).toBe("runtime-upgrade");
  });

  it("a larger instance type: a stop and start of the same host, nothing in its files", async () => {
    const r = await against(["instanceType=t3.large"]);
    expect(felt(r)).toEqual([["host-restart", "aws:ec2/instance:Instance gw-host-vm: instanceType"]]);
    expect(r.summary).toMatch(/^host-restart, state kept .*: the instance stops and starts \(same disks\)$/);
  });

  it("an alarm subscriber: nothing on the host", async () => {
    const r = await against(["alarmEmail=oncall@corp.io"]);
    expect(r.changes.length).toBeGreaterThan(0);
    expect(r.effect).toBe("nothing");
    expect(r.changes.every((c) => c.kind === "resource")).toBe(true);
  });
});

describe("against an earlier plan written by another run", () => {
  it("level 3 against itself: no change, its base64 host file (the git wrapper) compared as bytes", async () => {
    const dir = tmp();
    const plan = await planStack("level3");
    expect(plan.host.files.some((f) => f.encoding === "base64")).toBe(true);
    writeOut(plan, dir);
    expect(compareWithEarlier(readEarlierPlan(dir), await planStack("level3")).changes).toEqual([]);
  });

  it("a Lambda archive built at another temporary path is the same code; other bytes are a change of its code", async () => {
    const rewrite = (edit: (code: { archivePath: string; sha256: string }) => void): string => {
      const dir = tmp();
      fs.cpSync(base, dir, { recursive: true });
      const file = path.join(dir, "plan.json");
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: Array<{ type: string; inputs?: { code?: { archivePath: string; sha256: string } } }> };
      const codes = json.resources.filter((r) => r.type === "aws:lambda/function:Function").map((r) => r.inputs?.code);
      expect(codes.length).toBeGreaterThan(0);
      for (const c of codes) {
        expect(c?.sha256).toMatch(/^[0-9a-f]{64}$/);
        if (c) edit(c);
      }
      fs.writeFileSync(file, JSON.stringify(json));
      return dir;
    };
    const now = await planStack("level1");
    const moved = rewrite((c) => void (c.archivePath = `/tmp/clawkeep-elsewhere-1/${path.basename(c.archivePath)}`));
    expect(compareWithEarlier(readEarlierPlan(moved), now).changes).toEqual([]);
    const rebuilt = rewrite((c) => void (c.sha256 = "0".repeat(64)));
    const changed = compareWithEarlier(readEarlierPlan(rebuilt), now).changes;
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((c) => c.what.endsWith(": code") && c.effect === "nothing")).toBe(true);
  });
});

describe("--against on the command line", () => {
  const run = async (argv: string[]) => {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  };

  it("prints the changes and the verdict for the running cell before the plan's own verdict, and puts them in --json", async () => {
    const r = await run(["--stack", "level1", "--against", base, "--config", "instanceType=t3.large"]);
    expect(r.code, r.err).toBe(0);
    // One change on the host; a run whose evaluation is not the one shared with the base may add changes that do
    // nothing on the host (values the mock runtime derives from the clock), which the table counts apart.
    expect(r.out).toMatch(/^Against .+, a plan of stack level1 \(what this plan does to a cell running that one; \d+ changes?\)$/m);
    expect(r.out).toMatch(/^host-restart +changed +aws:ec2\/instance:Instance/m);
    expect(r.out).toMatch(/^on the running cell: host-restart, state kept/m);
    expect(r.out.trimEnd().split("\n").pop()).toMatch(/^verdict: pass/);
    const json = await run(["--stack", "level1", "--against", base, "--json"]);
    expect(JSON.parse(json.out).against).toMatchObject({ dir: base, effect: "nothing", changes: [] });
  });

  it("refuses a directory without a plan, or with a --program judgement, before evaluating anything (exit 2)", async () => {
    const empty = tmp();
    const r = await run(["--stack", "level1", "--against", empty]);
    expect(r).toMatchObject({ code: 2, out: "" });
    expect(r.err).toContain(`--against ${empty}: no plan.json there (write one with \`npm run plan -- --stack NAME --out DIR\`)`);
    expect(r.err).not.toMatch(/evaluating/);
    const judged = tmp();
    fs.writeFileSync(path.join(judged, "plan.json"), JSON.stringify({ kind: "clawkeep-program-judgement" }));
    expect(() => readEarlierPlan(judged)).toThrow(AgainstError);
    expect((await run(["--stack", "level1", "--against", judged])).err).toMatch(/is not a stack plan of this kit/);
    expect((await run(["--program", "x.ts", "--against", base])).err).toMatch(/--against applies to --stack only/);
  });

  it("refuses a plan whose host files are gone", async () => {
    const copy = tmp();
    fs.cpSync(base, copy, { recursive: true });
    fs.rmSync(path.join(copy, "host", "etc", "openclaw", "openclaw.json"));
    expect(() => readEarlierPlan(copy)).toThrow(/host\/etc\/openclaw\/openclaw\.json is listed in plan\.json but missing/);
  });
});
