// The renderer and the policy pack share one predicate: what each trust level may allow. The config
// the kit renders for a level must sit inside that level's envelope and outside every lower one.
import { describe, expect, it } from "vitest";
import { openclawEnvelopeViolations } from "../../policy/lib/openclaw";
import { loadStackFile } from "../../stacks";
import { renderOpenclawConfig } from "./openclawConfig";

describe.each([0, 1, 2, 3] as const)("level %i's rendered openclaw.json", (level) => {
  const config = renderOpenclawConfig(loadStackFile(`level${level}`)) as unknown as Record<string, unknown>;

  it("is inside its own level's envelope", () => {
    expect(openclawEnvelopeViolations(level, config)).toEqual([]);
  });

  it.runIf(level > 0)("is refused at every lower level", () => {
    for (let lower = 0; lower < level; lower++) {
      expect(openclawEnvelopeViolations(lower as 0 | 1 | 2, config).length, `level ${level} config at level ${lower}`).toBeGreaterThan(0);
    }
  });
});
