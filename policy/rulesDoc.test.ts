// RULES.md is generated from the rules' metadata: stale when a rule, its fix or its exception status changed.
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { RULES } from "./rules";
import { RULES_MD, rulesMarkdown } from "./rulesDoc";

describe("RULES.md", () => {
  it("is what `npm run rules:doc` writes from the rules today", () => {
    expect(fs.readFileSync(RULES_MD, "utf8"), "RULES.md is stale: run npm run rules:doc").toBe(rulesMarkdown());
  });

  it("goes stale when a rule's fix changes", () => {
    const changed = RULES.map((r, i) => (i === 0 ? { ...r, remediation: `${r.remediation} (changed)` } : r));
    expect(rulesMarkdown(changed)).not.toBe(fs.readFileSync(RULES_MD, "utf8"));
  });

  it("names every rule with its severity, what it protects, its fix and whether it takes exceptions", () => {
    const md = rulesMarkdown();
    for (const r of RULES) {
      const section = md.slice(md.indexOf(`## ${r.name}\n`));
      expect(section).toContain(`- Protects: ${r.protects}`);
      expect(section).toContain(`- Fix: ${r.remediation}`);
      expect(section).toMatch(/- Takes exceptions: (yes|no: )/);
    }
    expect(md).toContain("| [openclaw-gateway-auth](#openclaw-gateway-auth) | critical | mandatory | **no** |");
  });
});
