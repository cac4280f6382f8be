// The host side of Tailscale access, as rendered: what tailscale.env carries, which files and commands
// the host gets. The real tools (shellcheck, systemd-analyze, gpg, the AWS CLI on moto) judge them in
// tailscale-host.integration.test.ts.
import { describe, expect, it } from "vitest";
import { TAILSCALE_APT_REPO } from "../stacks/pins";
import { TAILSCALE_JOIN_UNIT, renderTailscaleEnv, renderTailscaleScripts, tailscaleHostFiles, tailscaleRuncmd } from "../components/tailscale";
import { tailscaleOptions } from "../stacks/tailscale";

const scripts = renderTailscaleScripts();
const FACTS = { region: "us-east-1", joinSecretId: "clawkeep/dev/gw/tailscale-join", hostname: "clawkeep-dev-gw", gatewayPort: 18789, repo: TAILSCALE_APT_REPO };

describe("host files", () => {
  it("renders only references and plain facts into tailscale.env", () => {
    const env = renderTailscaleEnv(tailscaleOptions(), FACTS);
    expect(env).toContain("CLAWKEEP_TAILSCALE_SECRET_ID=clawkeep/dev/gw/tailscale-join\n");
    expect(env).toContain("CLAWKEEP_TAILSCALE_TAGS=tag:openclaw\n");
    expect(env).toContain("CLAWKEEP_TAILSCALE_SSH=yes\n");
    expect(env).toContain(`CLAWKEEP_TAILSCALE_REPO=${TAILSCALE_APT_REPO}\n`);
    expect(env).not.toMatch(/tskey-/);
    expect(() => renderTailscaleEnv(tailscaleOptions(), { ...FACTS, hostname: "gw; rm -rf /" })).toThrow(/not a plain token/);
  });

  it("installs the env file, both scripts and the join unit, and runs them after the gateway; nothing when disabled", () => {
    const files = tailscaleHostFiles(tailscaleOptions(), FACTS);
    expect(files.map((f) => [f.path, f.mode])).toEqual([
      ["/etc/clawkeep/tailscale.env", "0600"],
      ["/usr/local/libexec/clawkeep/install-tailscale", "0750"],
      ["/usr/local/libexec/clawkeep/tailscale-join", "0750"],
      [`/etc/systemd/system/${TAILSCALE_JOIN_UNIT}`, "0644"],
      ["/usr/local/libexec/clawkeep/tailscale-leave", "0750"],
      ["/etc/systemd/system/clawkeep-tailscale-leave.service", "0644"],
    ]);
    expect(tailscaleRuncmd(tailscaleOptions())).toEqual([["/usr/local/libexec/clawkeep/install-tailscale"], ["systemctl", "enable", "--now", TAILSCALE_JOIN_UNIT, "clawkeep-tailscale-leave.service"]]);
    expect(tailscaleHostFiles(tailscaleOptions({ enabled: false }), FACTS)).toEqual([]);
    expect(tailscaleRuncmd(tailscaleOptions({ enabled: false }))).toEqual([]);
    expect(scripts.join).not.toMatch(/funnel --bg|funnel --https=443 on|funnel \d/);
  });
});
