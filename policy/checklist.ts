// The production checklist of the two guides, judged: which rules decide each item, and its status.
// A row passes only when one of its rules had something to judge and found nothing; otherwise it
// says why not (nothing to judge, a rule switched off, a value only a real preview knows).
import { CHECKLIST_ITEMS, GUIDES, type ChecklistItemId } from "./lib/checklistItems";
import type { Rule } from "./lib/types";

export type ChecklistStatus = "pass" | "fail" | "unknown" | "not-applicable";

export interface ChecklistEntry {
  id: ChecklistItemId;
  item: string;
  guide: string;
  status: ChecklistStatus;
  /** Rules that decide the item. */
  rules: string[];
  /** Why the status is what it is: which rules judged, failed or could not see, or why none applied. */
  note?: string;
}

export function rulesFor(item: ChecklistItemId, rules: readonly Rule[]): string[] {
  return rules.filter((r) => r.checklistItems.includes(item)).map((r) => r.name);
}

/** What a rule looks for, in words: its own `judges`, else its resource types' short names. */
export function whatRuleJudges(rule: Rule): string {
  if (rule.judges) return rule.judges;
  if (!rule.resourceTypes) return "any resource";
  const names = [...new Set(rule.resourceTypes.map((t) => (t.split(":").pop() ?? t).replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase()))];
  return names.length > 4 ? `${names.slice(0, 4).join(", ")}, ...` : names.join(", ");
}

/**
 * Fail when any deciding rule found a violation; unknown when a deciding rule met a value the offline
 * evaluation could not know (never a pass then); pass when at least one deciding rule applied (had a
 * resource of its kind to judge) and none of them found anything; otherwise not applicable, saying
 * what the rules look for, or that they are switched off, or that no rule decides the item.
 */
export function evaluateChecklist(
  rules: readonly Rule[],
  applied: ReadonlySet<string>,
  violated: ReadonlySet<string>,
  blind: ReadonlySet<string> = new Set(),
  disabled: ReadonlySet<string> = new Set(),
  /** Violated rules whose every finding is covered by a reviewed exception: the item still fails, the note says so. */
  exceptedOnly: ReadonlySet<string> = new Set(),
): ChecklistEntry[] {
  return CHECKLIST_ITEMS.map((def) => {
    const deciding = rules.filter((r) => r.checklistItems.includes(def.id));
    const names = deciding.map((r) => r.name);
    const base = { id: def.id, item: def.item, guide: GUIDES[def.guide], rules: names };
    if (deciding.length === 0) return { ...base, status: "not-applicable" as const, note: `decided outside the pack: ${def.decidedElsewhere ?? "no rule"}` };
    const failed = names.filter((r) => violated.has(r));
    if (failed.length > 0) {
      const accepted = failed.filter((r) => exceptedOnly.has(r));
      const note = accepted.length === failed.length ? `violated, every finding excepted after review: ${failed.join(", ")}` : `violated: ${failed.join(", ")}`;
      return { ...base, status: "fail" as const, note };
    }
    const blindRules = names.filter((r) => blind.has(r));
    if (blindRules.length > 0) return { ...base, status: "unknown" as const, note: `cannot judge offline: ${blindRules.join(", ")} met a value only a real preview knows` };
    const judged = names.filter((r) => applied.has(r));
    if (judged.length > 0) return { ...base, status: "pass" as const, note: `judged by ${judged.join(", ")}, which found nothing` };
    const off = names.filter((r) => disabled.has(r));
    const idle = deciding.filter((r) => !disabled.has(r.name)).map((r) => `${r.name} (${whatRuleJudges(r)})`);
    const why = [idle.length > 0 ? `nothing in the stack for ${idle.join("; ")}` : "", off.length > 0 ? `switched off by the pack config: ${off.join(", ")}` : ""].filter(Boolean).join("; ");
    return { ...base, status: "not-applicable" as const, note: why };
  });
}
