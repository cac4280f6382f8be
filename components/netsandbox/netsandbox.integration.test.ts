// squid judges the sandbox's rendered config: `squid -k parse` accepts every level's (with a throw-away
// certificate in place of the one the host makes), and says no to a broken one.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks/load";
import { needTools } from "../../test/support/tools";
import { EGRESS_TLS_CERT, EGRESS_TLS_KEY, renderSquidConf } from ".";

const LEVELS = ["level0", "level1", "level2", "level3"] as const;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("renderSquidConf", () => {
  describe.skipIf(!needTools("squid", "openssl"))("squid -k parse", () => {
    // squid loads the certificate while parsing: a throw-away pair stands in for the one the host makes.
    const parse = (text: string) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clawkeep-squid-"));
      dirs.push(dir);
      const [cert, key] = [path.join(dir, "cert.pem"), path.join(dir, "key.pem")];
      spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=test", "-keyout", key, "-out", cert]);
      fs.writeFileSync(path.join(dir, "squid.conf"), text.replace(EGRESS_TLS_CERT, cert).replace(EGRESS_TLS_KEY, key));
      const res = spawnSync("squid", ["-k", "parse", "-f", path.join(dir, "squid.conf")], { encoding: "utf8" });
      return { status: res.status, output: `${res.stdout}${res.stderr}` };
    };

    it.each(LEVELS)("%s: squid 5 accepts the config without a warning", (stack) => {
      const r = parse(renderSquidConf(loadStackFile(stack)));
      expect(r.output).not.toMatch(/WARNING|ERROR|FATAL|unrecognized/);
      expect(r.status).toBe(0);
    });

    it("fails on a directive squid does not know, so the check above can fail", () => {
      const r = parse(`${renderSquidConf(loadStackFile("level0"))}http_acess allow all\n`);
      expect(r.output).toMatch(/unrecognized: 'http_acess'/);
      expect(r.status).not.toBe(0);
    });

    it("warns on overlapping ranges, which is what the ranges list avoids", () => {
      const r = parse(renderSquidConf(loadStackFile("level0")).replace("acl clawkeep_non_public dst ", "acl clawkeep_non_public dst ::/96 "));
      expect(r.output).toMatch(/WARNING: .* is a subnetwork of/);
    });
  });
});
