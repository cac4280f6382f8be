// A rule's id is its file name: the id a violation, an exception or RULES.md names leads to one file.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { RULES } from "./index";

describe("rule ids", () => {
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "index.ts");

  it("every rule file holds the rule of its name, and every rule has its file", () => {
    expect(RULES.map((r) => r.name).sort()).toEqual(files.map((f) => path.basename(f, ".ts")).sort());
  });

  it.each(files)("%s exports exactly one rule, named after the file", async (file) => {
    const mod = (await import(path.join(__dirname, file))) as Record<string, unknown>;
    const rules = Object.values(mod).filter((v): v is { name: string; kind: string } => typeof v === "object" && v !== null && "kind" in v && "name" in v);
    expect(rules.map((r) => r.name)).toEqual([path.basename(file, ".ts")]);
  });
});
