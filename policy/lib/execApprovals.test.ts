import { describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks/load";
import { renderExecApprovalsJson } from "../../components/gateway/openclawConfig";
import { approvalsFromCommand, approvalsFromText, approvalsProblems, isApprovalsShaped } from "./execApprovals";
import { openclawSetup } from "./openclaw";

const doc = (agent: object, defaults: object = { security: "allowlist", ask: "on-miss", askFallback: "deny", autoAllowSkills: false }) =>
  JSON.stringify({ version: 1, defaults, agents: { main: { ...defaults, ...agent } } });
const problems = (text: string) => approvalsProblems(approvalsFromText("file /x", text)).join("\n");

describe("exec approvals documents", () => {
  it("accepts the kit's own approvals at every level", () => {
    for (const stack of ["level0", "level1", "level2", "level3"]) expect(problems(renderExecApprovalsJson(loadStackFile(stack)))).toBe("");
  });

  it.each([
    [[{ pattern: "/bin/bash" }], /pattern "\/bin\/bash": allowed is not bash: a shell/],
    [["/usr/bin/python3"], /not python3: an interpreter/],
    [[{ pattern: "/usr/bin/make", argPattern: "^all$" }], /not make: a build runner/],
    [[{ pattern: "/usr/bin/git" }], /not git: runs programs named by repository config/],
    [[{ pattern: "/usr/bin/find" }], /argPattern \(none\): allowed is an anchored argPattern: find can run programs/],
    [[{ pattern: "/usr/bin/find", argPattern: "^\\. .*$" }], /refuses find's escapes; it matches ". -exec id ;"/],
    [[{ pattern: "/usr/bin/jq", argPattern: "^\\..*$" }, { pattern: "/usr/bin/jq" }], /no path-only entry for \/usr\/bin\/jq beside it/],
    [[{ pattern: "*" }], /is a glob: .*a bare \* matches every program/],
    [[{ pattern: "/usr/bin/*" }], /"\/usr\/bin\/\*" is a glob/],
    [[{ pattern: "curl" }], /pattern "curl": allowed is a binary directly under/],
    [[{ pattern: "~/bin/tool" }], /pattern "~\/bin\/tool": allowed is a binary directly under/],
    [[{ pattern: "/home/agent/bin/rg" }], /allowed is a binary directly under/],
    [[42], /42 is not an allowlist entry/],
  ])("refuses the allowlist %j", (allowlist, re) => {
    expect(problems(doc({ allowlist }))).toMatch(re);
  });

  it("names each entry by its agent and index", () => {
    expect(problems(doc({ allowlist: [{ pattern: "/usr/bin/wc" }, { pattern: "/bin/sh" }] }))).toMatch(/^file \/x: agents\.main\.allowlist\[1\]: pattern "\/bin\/sh"/);
  });

  it("refuses a policy that takes the human out, in the defaults or an agent", () => {
    expect(problems(doc({ allowlist: [] }, { security: "full" }))).toMatch(/defaults: security is "full"/);
    expect(problems(doc({ askFallback: "allowlist" }))).toMatch(/agents.main: askFallback is "allowlist": when no human answers/);
    expect(problems(doc({ autoAllowSkills: true }))).toMatch(/agents.main: autoAllowSkills is true/);
  });

  it("lets OpenClaw's own records of a human's exact approvals be, and a plain safe binary", () => {
    const exact = { pattern: "/bin/bash", argPattern: `sha256:cwd-argv:v1:${"a".repeat(64)}` };
    const recorded = { pattern: "=command:bash -c 'make test'", source: "allow-always" };
    expect(problems(doc({ allowlist: [exact, recorded, { pattern: "/usr/bin/wc" }] }))).toBe("");
  });

  it("tells an approvals document by its shape, not an OpenClaw config or an unrelated JSON file", () => {
    expect(isApprovalsShaped({ version: 1, agents: { main: { allowlist: [] } } })).toBe(true);
    expect(isApprovalsShaped({ version: 1, defaults: { ask: "off" } })).toBe(true);
    expect(isApprovalsShaped({ version: 2, defaults: { ask: "off" } })).toBe(false);
    expect(isApprovalsShaped({ agents: { defaults: {} }, gateway: {} })).toBe(false);
  });

  it("cannot judge what it cannot parse", () => {
    expect(approvalsFromText("file /x", "{ not json").blind).toMatch(/not valid JSON5/);
    expect(approvalsFromText("file /x", "[1]").blind).toMatch(/not a JSON5 object/);
  });
});

describe("exec approvals commands", () => {
  const cmd = (line: string[], flags: Record<string, string | true> = {}, files: Record<string, string> = {}) => approvalsFromCommand("runcmd", line, flags, (p) => files[p]);

  it("judges the file `approvals set --file` reads, and cannot judge stdin or a file not delivered", () => {
    expect(approvalsProblems(cmd(["approvals", "set"], { file: "/etc/a.json" }, { "/etc/a.json": doc({ allowlist: ["/bin/sh"] }) })!).join()).toMatch(/a shell/);
    expect(cmd(["approvals", "set"], { stdin: true })?.blind).toMatch(/standard input/);
    expect(cmd(["approvals", "set"], { file: "/etc/missing.json" })?.blind).toMatch(/not a file this resource delivers/);
  });

  it("judges `approvals allowlist add` and the exec-policy presets and settings", () => {
    expect(approvalsProblems(cmd(["approvals", "allowlist", "add", "/usr/bin/node"], { agent: "main" })!).join()).toMatch(/agents.main.allowlist\[0\]: pattern "\/usr\/bin\/node": allowed is not node: an interpreter/);
    expect(approvalsProblems(cmd(["exec-policy", "preset", "yolo"])!).join("\n")).toMatch(/security is "full"[\s\S]*askFallback is "full"/);
    expect(approvalsProblems(cmd(["exec-policy", "preset", "cautious"])!)).toEqual([]);
    expect(cmd(["exec-policy", "preset", "reckless"])?.blind).toMatch(/not one OpenClaw 2026.9.6 defines/);
    expect(approvalsProblems(cmd(["exec-policy", "set"], { security: "full" })!).join()).toMatch(/security is "full"/);
    expect(approvalsProblems(cmd(["exec-policy", "set"], { "ask-fallback": "full" })!).join()).toMatch(/askFallback is "full"/);
    expect(cmd(["approvals", "get"])).toBeUndefined();
    expect(cmd(["approvals", "allowlist", "remove", "/bin/sh"])).toBeUndefined();
  });
});

describe("found on a host, with the scripts it allowlists", () => {
  const INSTANCE = "aws:ec2/instance:Instance";
  const host = (files: Array<{ path: string; content: string }>) => openclawSetup(INSTANCE, { userData: `#cloud-config\n${JSON.stringify({ write_files: files })}` });
  const allow = (...patterns: string[]) => ({ path: "/etc/openclaw/exec-approvals.json", content: doc({ allowlist: patterns.map((pattern) => ({ pattern })) }) });

  it("judges a shipped shell script by what it runs: a package manager or its argument is refused, a fixed command is not", () => {
    const judged = (script: string) => host([allow("/usr/local/bin/run"), { path: "/usr/local/bin/run", content: script }]).approvals.flatMap((a) => approvalsProblems(a)).join("\n");
    expect(judged('#!/bin/sh\ncd "$1" && exec npm test\n')).toMatch(/\/usr\/local\/bin\/run is a script this resource ships, and it runs npm, a package manager/);
    expect(judged('#!/bin/bash\nset -eu\nexec "$@"\n')).toMatch(/runs the command it is given/);
    expect(judged("#!/bin/sh\nset -eu\nwc -l /var/log/app.log\n")).toBe("");
  });
});

describe("found on a host", () => {
  const INSTANCE = "aws:ec2/instance:Instance";
  const cloudConfig = (files: Array<{ path: string; content: string }>, runcmd: string[] = []) => `#cloud-config\n${JSON.stringify({ write_files: files, runcmd })}`;

  it("by name, by shape and through `approvals set --file`, each once", () => {
    const bad = doc({ allowlist: ["/bin/bash"] });
    const byName = openclawSetup(INSTANCE, { userData: cloudConfig([{ path: "/home/u/.openclaw/exec-approvals.json", content: bad }]) });
    expect(byName.approvals.map((a) => a.where)).toEqual(["file /home/u/.openclaw/exec-approvals.json"]);
    const byShape = openclawSetup(INSTANCE, { userData: cloudConfig([{ path: "/etc/agent/policy.json", content: bad }]) });
    expect(byShape.approvals.flatMap(approvalsProblems).join()).toMatch(/a shell/);
    const viaSet = openclawSetup(INSTANCE, { userData: cloudConfig([{ path: "/tmp/a.txt", content: bad }], ["openclaw approvals set --file /tmp/a.txt"]) });
    expect(viaSet.approvals).toHaveLength(1);
    expect(viaSet.approvals.flatMap(approvalsProblems).join()).toMatch(/a shell/);
  });
});
