// The exec-policy presets the pack reads (PRESETS) held to the pinned OpenClaw's own table in its dist, so a copy that
// drifts from what `openclaw exec-policy preset NAME` writes fails here rather than passing a preset it misreads.
import * as fs from "node:fs";
import * as path from "node:path";
import JSON5 from "json5";
import { beforeAll, describe, expect, it } from "vitest";
import { loadStackFile } from "../../stacks/load";
import { ensureOpenclaw } from "../../test/support/openclaw";
import { PRESETS } from "./execApprovals";

/** `const EXEC_POLICY_PRESETS = {...};` of the dist's exec-policy CLI, read as the object literal it is. */
function presetsInDist(dist: string): Record<string, Record<string, unknown>> {
  const files = fs.readdirSync(dist).filter((f) => /^exec-policy-cli-.*\.mjs$/.test(f));
  if (files.length !== 1) throw new Error(`${dist}: expected one exec-policy-cli-*.mjs, found ${files.length}`);
  const m = /const EXEC_POLICY_PRESETS = (\{[\s\S]*?\n\});/.exec(fs.readFileSync(path.join(dist, files[0]), "utf8"));
  if (!m) throw new Error(`${files[0]}: no EXEC_POLICY_PRESETS table`);
  return JSON5.parse(m[1]);
}

describe("exec-policy presets against the pinned OpenClaw", () => {
  let dist = "";
  beforeAll(async () => {
    dist = path.join((await ensureOpenclaw(loadStackFile("level2").host.openclawVersion)).dir, "node_modules", "openclaw", "dist");
  }, 600_000);

  it("are the dist's table, host included", () => {
    const fromDist = presetsInDist(dist);
    expect(Object.keys(fromDist).sort()).toEqual(["cautious", "deny-all", "yolo"]);
    expect(PRESETS).toEqual(fromDist);
  });

  it("fail when the table is not there", () => {
    expect(() => presetsInDist(path.dirname(dist))).toThrow(/expected one exec-policy-cli/);
  });
});
