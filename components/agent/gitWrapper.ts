// git for the agent (issue 17, item 1). git runs programs named by its repository's config, hooks,
// attributes and aliases, all of which the agent can write, so the allowlist never names /usr/bin/git:
// it names this wrapper. A root-owned sh script runs git with every program-valued setting forced off
// from the command scope, refuses options that take a program or a path outside the workspace, and
// refuses a repository whose own config holds any key off a short allowlist. OpenClaw's node host will
// not run an allowlisted #! script ("cannot safely bind this interpreter"), so the allowlisted file is a
// 292-byte static ELF that execs /bin/sh on the script; its bytes are written out below, instruction by
// instruction, because the host has no compiler (the test assembles the same source with GNU as).
import { AGENT_GIT_SUBCOMMANDS } from "../../stacks/execAllowlist";
import { PATHS } from "../base/layout";
import { ROOT_OWNER, type HostFile } from "../base/hostFile";

/** Repository-config keys git may find in .git/config: none of them names a program, a path or a proxy. */
export const ALLOWED_REPO_CONFIG = [
  "core.repositoryformatversion", "core.filemode", "core.bare", "core.logallrefupdates", "core.ignorecase", "core.precomposeunicode",
  "core.symlinks", "core.autocrlf", "core.eol", "remote.*.url", "remote.*.pushurl", "remote.*.fetch", "branch.*.remote", "branch.*.merge",
  "branch.*.rebase", "user.name", "user.email", "init.defaultbranch", "pull.rebase", "pull.ff", "push.default", "fetch.prune", "extensions.objectformat",
] as const;

/** Forced from the command scope, which git reads last: every setting that can start a program, off. */
export const FORCED_CONFIG: ReadonlyArray<readonly [string, string]> = [
  ["core.fsmonitor", "false"], ["core.hooksPath", "/dev/null"], ["core.pager", "cat"], ["core.editor", "false"], ["sequence.editor", "false"],
  ["core.sshCommand", "false"], ["core.askPass", "false"], ["credential.helper", ""], ["gpg.program", "false"], ["gpg.ssh.program", "false"],
  ["gpg.x509.program", "false"], ["protocol.allow", "never"], ["protocol.https.allow", "always"], ["submodule.recurse", "false"],
  ["diff.external", ""], ["core.gitProxy", ""], ["safe.directory", "*"], ["uploadpack.packObjectsHook", ""], ["core.alternateRefsCommand", ""],
];

/** Options refused for every subcommand: each takes a program, another repository or a place outside the workspace. */
const REFUSED_OPTIONS = [
  "-c", "--config", "--config=*", "--config-env*", "--exec-path*", "--git-dir*", "--work-tree*", "--namespace*", "--separate-git-dir*",
  "--template*", "--upload-pack*", "--receive-pack*", "--exec", "--exec=*", "--ext-diff", "--textconv", "--output", "--output=*",
  "--open-files-in-pager*", "--no-index", "--recurse-submodules*", "--tool*", "--extcmd*", "--gpg-sign*", "--reference*", "--shared*",
];

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The wrapper script; `workspace` is the only tree its repositories may live in. */
export function renderGitWrapperScript(workspace: string = PATHS.workspaceDir): string {
  const forced = FORCED_CONFIG.map(([k, v], i) => `GIT_CONFIG_KEY_${i}=${q(k)} GIT_CONFIG_VALUE_${i}=${q(v)}`);
  return `#!/bin/sh
# clawkeep: git for the agent (run by ${PATHS.agentGit}). No program but git may start from here:
# builtin subcommands only, no program-valued options, program-valued config forced off from the command
# scope (git reads it last), and repositories inside ${workspace} whose own config holds only allowlisted keys.
# Only sh builtins and git: the agent's sandbox lets nothing else execute.
set -eu
GIT=/usr/bin/git
workspace=${q(workspace)}
refuse() {
  printf 'git (clawkeep): refused: %s\\n' "$1" >&2
  exit 2
}

[ $# -ge 1 ] || refuse "no subcommand"
sub=$1
shift
case $sub in
${AGENT_GIT_SUBCOMMANDS.join(" | ")}) ;;
*) refuse "subcommand '$sub' (global options such as -c, -C, --exec-path and aliases are not accepted)" ;;
esac

for a in "$@"; do
  case $a in
  ${REFUSED_OPTIONS.join(" | ")}) refuse "option '$a'" ;;
  esac
  case $sub:$a in
  clone:-u* | fetch:-u* | pull:-u* | grep:-O*) refuse "option '$a'" ;;
  esac
  case $a in
  https://*) continue ;;
  *::*) refuse "transport '$a' (https only)" ;;
  *://*) refuse "URL '$a' (https only)" ;;
  /* | =/* | *=/* | -?/* | ~* | *=~* | -?~*) refuse "path '$a' outside the workspace (paths are relative to it)" ;;
  .. | ../* | */.. | */../* | *=..* | -?..*) refuse "path '$a' outside the workspace ('..')" ;;
  esac
done

# The environment git sees: nothing from outside, program-valued settings off, no prompts, no pager.
unset GIT_DIR GIT_WORK_TREE GIT_COMMON_DIR GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_EXEC_PATH \\
  GIT_CONFIG GIT_CONFIG_PARAMETERS GIT_CONFIG_SYSTEM GIT_TEMPLATE_DIR GIT_EXTERNAL_DIFF GIT_SSH GIT_SSH_COMMAND GIT_PROXY_COMMAND \\
  GIT_NAMESPACE GIT_ATTR_SOURCE GIT_TRACE GIT_TRACE2 GIT_TRACE2_EVENT GIT_TRACE2_PERF GIT_TRACE_PACKET GIT_TRACE_SETUP
export ${forced.join(" \\\n  ")} \\
  GIT_CONFIG_COUNT=${FORCED_CONFIG.length}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \\
  GIT_CEILING_DIRECTORIES="\${workspace%/*}" GIT_TERMINAL_PROMPT=0 GIT_PAGER=cat PAGER=cat GIT_EDITOR=false \\
  GIT_SEQUENCE_EDITOR=false GIT_ASKPASS=false SSH_ASKPASS=false GIT_NO_REPLACE_OBJECTS=1

case $PWD/ in
"$workspace"/*) ;;
*) refuse "working directory $PWD is outside the workspace" ;;
esac

if [ "$sub" != clone ] && [ "$sub" != init ] && gitdir=$($GIT rev-parse --absolute-git-dir 2>/dev/null); then
  common=$($GIT rev-parse --path-format=absolute --git-common-dir)
  for d in "$gitdir" "$common"; do
    case $d/ in
    "$workspace"/*) ;;
    *) refuse "repository $d is outside the workspace" ;;
    esac
  done
  [ ! -e "$common/objects/info/alternates" ] || refuse "repository borrows objects from elsewhere (objects/info/alternates)"
  tab=$(printf '\\t')
  bad=
  while IFS=$tab read -r scope name; do
    case $scope in
    local | worktree) ;;
    *) continue ;;
    esac
    case $name in
    ${ALLOWED_REPO_CONFIG.join(" | ")}) ;;
    *) bad="$bad $name" ;;
    esac
  done <<EOF
$($GIT config --show-scope --name-only --list)
EOF
  [ -z "$bad" ] || refuse "repository config key(s) not allowed:$bad"
fi
exec $GIT --no-pager "$sub" "$@"
`;
}

// ---- the ELF front: execve("/bin/sh", ["/bin/sh", SCRIPT, argv[1], ...], envp) ----

/** The front's program, as GNU as reads it (intel syntax); the bytes below are its encoding. */
export function gitFrontAssembly(script: string = PATHS.agentGitScript): string {
  return [
    ".intel_syntax noprefix",
    ".globl _start",
    "_start:",
    "  mov rcx, [rsp]",
    "  test rcx, rcx",
    "  jz refuse",
    "  lea rdi, [rip + shell]",
    "  mov [rsp], rdi",
    "  lea rax, [rip + script]",
    "  mov [rsp + 8], rax",
    "  mov rsi, rsp",
    "  lea rdx, [rsp + rcx*8 + 16]",
    "  mov eax, 59",
    "  syscall",
    "refuse:",
    "  mov edi, 127",
    "  mov eax, 60",
    "  syscall",
    'shell: .asciz "/bin/sh"',
    `script: .asciz ${JSON.stringify(script)}`,
    "",
  ].join("\n");
}

const SHELL = "/bin/sh";

/** The front's code and strings (what `as` puts in .text): 59 bytes of code, then the two paths. */
export function gitFrontText(script: string = PATHS.agentGitScript): Buffer {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(script)) throw new Error(`not a plain absolute path: ${JSON.stringify(script)}`);
  const codeLength = 0x3b;
  const shellAt = codeLength;
  const scriptAt = shellAt + SHELL.length + 1;
  const rel32 = (target: number, nextInstruction: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(target - nextInstruction);
    return [...b];
  };
  const code = [
    // The stack at entry: argc, argv[0..argc-1], NULL, envp..., NULL.
    [0x48, 0x8b, 0x0c, 0x24], // 00 mov rcx, [rsp]            argc
    [0x48, 0x85, 0xc9], // 04 test rcx, rcx
    [0x74, 0x26], // 07 jz refuse (0x2f)           argc 0: no argv to rewrite
    [0x48, 0x8d, 0x3d, ...rel32(shellAt, 0x10)], // 09 lea rdi, [rip + shell]
    [0x48, 0x89, 0x3c, 0x24], // 10 mov [rsp], rdi            new argv[0] = /bin/sh, over argc
    [0x48, 0x8d, 0x05, ...rel32(scriptAt, 0x1b)], // 14 lea rax, [rip + script]
    [0x48, 0x89, 0x44, 0x24, 0x08], // 1b mov [rsp + 8], rax   new argv[1] = script, over argv[0]
    [0x48, 0x89, 0xe6], // 20 mov rsi, rsp                      argv: the rest follow, NULL-terminated
    [0x48, 0x8d, 0x54, 0xcc, 0x10], // 23 lea rdx, [rsp + rcx*8 + 16]   envp, unchanged
    [0xb8, 0x3b, 0x00, 0x00, 0x00], // 28 mov eax, 59 (execve)
    [0x0f, 0x05], // 2d syscall
    [0xbf, 0x7f, 0x00, 0x00, 0x00], // 2f refuse: mov edi, 127
    [0xb8, 0x3c, 0x00, 0x00, 0x00], // 34 mov eax, 60 (exit)
    [0x0f, 0x05], // 39 syscall
  ].flat();
  if (code.length !== codeLength) throw new Error(`front code is ${code.length} bytes, expected ${codeLength}`);
  return Buffer.concat([Buffer.from(code), Buffer.from(`${SHELL}\0`, "latin1"), Buffer.from(`${script}\0`, "latin1")]);
}

const LOAD_ADDRESS = 0x400000;
const EHDR = 64;
const PHDR = 56;

/** A static x86-64 ELF: the header, a read+execute PT_LOAD of the whole file, a non-executable stack. */
export function gitFrontElf(script: string = PATHS.agentGitScript): Buffer {
  const text = gitFrontText(script);
  const textAt = EHDR + 2 * PHDR;
  const size = textAt + text.length;
  const b = Buffer.alloc(textAt);
  b.write("\x7fELF", 0, "latin1");
  b.writeUInt8(2, 4); // ELFCLASS64
  b.writeUInt8(1, 5); // little-endian
  b.writeUInt8(1, 6); // EV_CURRENT
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(0x3e, 18); // EM_X86_64
  b.writeUInt32LE(1, 20); // e_version
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS + textAt), 24); // e_entry
  b.writeBigUInt64LE(BigInt(EHDR), 32); // e_phoff
  b.writeUInt16LE(EHDR, 52); // e_ehsize
  b.writeUInt16LE(PHDR, 54); // e_phentsize
  b.writeUInt16LE(2, 56); // e_phnum
  const load = EHDR;
  b.writeUInt32LE(1, load); // PT_LOAD
  b.writeUInt32LE(5, load + 4); // PF_R | PF_X
  b.writeBigUInt64LE(0n, load + 8); // p_offset
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS), load + 16); // p_vaddr
  b.writeBigUInt64LE(BigInt(LOAD_ADDRESS), load + 24); // p_paddr
  b.writeBigUInt64LE(BigInt(size), load + 32); // p_filesz
  b.writeBigUInt64LE(BigInt(size), load + 40); // p_memsz
  b.writeBigUInt64LE(0x1000n, load + 48); // p_align
  const stack = EHDR + PHDR;
  b.writeUInt32LE(0x6474e551, stack); // PT_GNU_STACK
  b.writeUInt32LE(6, stack + 4); // PF_R | PF_W: never executable
  return Buffer.concat([b, text]);
}

/** The wrapper as it lands on the host: the ELF the allowlist names, and the script it runs. */
export function gitWrapperHostFiles(): HostFile[] {
  return [
    { path: PATHS.agentGit, content: gitFrontElf().toString("base64"), encoding: "base64", mode: "0755", owner: ROOT_OWNER },
    { path: PATHS.agentGitScript, content: renderGitWrapperScript(), mode: "0644", owner: ROOT_OWNER },
  ];
}
