// The head every root script of the kit starts with: strict mode, die()/log() that name the script,
// and a reader for its KEY=value facts file. One copy, shared by the boot, pickup and Tailscale scripts.

/** Strict mode, and die()/log() that name the script. */
export const STRICT = `set -euo pipefail

die() { printf '%s: %s\\n' "\${0##*/}" "$*" >&2; exit 1; }
log() { printf '%s: %s\\n' "\${0##*/}" "$*" >&2; }
`;

/**
 * Reads the facts file into shell variables: parsed as data, never sourced, and only AWS_REGION and
 * CLAWKEEP_* keys are accepted. `fileVar` names the file in the script's messages; `overrideVar` lets
 * the tests point it elsewhere.
 */
export function factsReader(fileVar: string, overrideVar: string, defaultPath: string): string {
  if (!/^[a-z_]+$/.test(fileVar) || !/^[A-Z_]+$/.test(overrideVar)) throw new Error(`not a shell variable name: ${fileVar} / ${overrideVar}`);
  return `${fileVar}=\${${overrideVar}:-${defaultPath}}
load_facts() {
  local line key
  [[ -r $${fileVar} ]] || die "cannot read $${fileVar}"
  while IFS= read -r line || [[ -n $line ]]; do
    [[ -z $line || $line == '#'* ]] && continue
    key=\${line%%=*}
    [[ $key =~ ^(AWS_REGION|CLAWKEEP_[A-Z0-9_]+)$ ]] || die "unexpected key in $${fileVar}: $key"
    printf -v "$key" '%s' "\${line#*=}"
  done <"$${fileVar}"
}
load_facts
`;
}
