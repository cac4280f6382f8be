// Every way a host payload turns Tailscale Funnel on, and what stays blind.
import { describe, expect, it } from "vitest";
import { funnelOnHost } from "./tailscaleHost";
import type { HostPayload } from "./userData";

const payload = (lines: string[], files: HostPayload["files"] = [], texts: HostPayload["texts"] = []): HostPayload => ({ commands: lines.map((line) => ({ line, via: "runcmd" })), files, texts, problems: [], unseen: [], followed: [], unread: [] });
const funnels = (lines: string[]) => funnelOnHost(payload(lines)).funnels.length;

describe("funnelOnHost", () => {
  it("finds funnel through global flags, paths, variables, serve --funnel and the old serve syntax", () => {
    for (const l of [
      "tailscale --socket /run/ts/tailscaled.sock funnel --bg 18789",
      "tailscale --socket=/run/ts.sock funnel 443",
      "/usr/bin/tailscale funnel --https=443 http://127.0.0.1:18789",
      '"$TS" serve --bg --funnel=true 18789',
      "tailscale serve --funnel 443",
      "tailscale serve funnel 443 on",
      "systemctl start tailscaled && tailscale funnel 18789",
      "docker exec tailscale tailscale funnel 443",
    ]) expect(funnels([l]), l).toBe(1);
  });
  it("passes turning Funnel off, status, help and plain Serve (the kit's own lines)", () => {
    for (const l of ['"$ts" funnel --https=443 off', "tailscale funnel reset", "tailscale funnel status --json", "tailscale serve --bg --yes --https=443 http://127.0.0.1:18789", "tailscale serve status --json", "tailscale serve funnel 443 off", "tailscale up --ssh"]) expect(funnels([l]), l).toBe(0);
  });
  it("refuses a serve config with AllowFunnel true in any case or escaping, passes false or none", () => {
    const file = (content: string) => funnelOnHost(payload([], [{ path: "/etc/ts/serve.json", content, via: "write_files" }]));
    expect(file('{"AllowFunnel": {"${TS_CERT_DOMAIN}:443": true}}').funnels).toHaveLength(1);
    expect(file('printf \'{\\"allowfunnel\\":{\\"a:443\\":true}}\'').funnels).toHaveLength(1);
    expect(file('{"AllowFunnel": {"a:443": false}, "TCP": {}}')).toEqual({ funnels: [], blind: [] });
    expect(file('{"TCP": {"443": {"HTTPS": true}}}')).toEqual({ funnels: [], blind: [] });
    // The kit's check script names the key without setting it.
    expect(file('python3 -c \'c.get("AllowFunnel", {}).values()\'')).toEqual({ funnels: [], blind: [] });
    expect(file("AllowFunnel:\n  a:443: true\n").blind).toHaveLength(1);
  });
  it("is blind to serve configs it cannot read: TS_SERVE_CONFIG with no config shipped, set-raw, the LocalAPI", () => {
    expect(funnelOnHost(payload([], [], [{ where: "container ts environment", text: "TS_SERVE_CONFIG=/config/serve.json\n" }])).blind[0]).toMatch(/TS_SERVE_CONFIG=\/config\/serve\.json/);
    expect(funnelOnHost(payload(["tailscale serve set-raw < /run/serve.json"])).blind).toHaveLength(1);
    expect(funnelOnHost(payload(["curl --unix-socket /var/run/tailscale/tailscaled.sock -X POST -d @/run/s.json http://local-tailscaled.sock/localapi/v0/serve-config"])).blind).toHaveLength(1);
    const shipped = funnelOnHost(payload(["docker run -e TS_SERVE_CONFIG=/config/serve.json tailscale/tailscale"], [{ path: "/etc/ts/serve.json", content: '{"TCP": {"443": {"HTTPS": true}}}', via: "write_files" }]));
    expect(shipped).toEqual({ funnels: [], blind: [] });
  });
});
