// The production checklist of the two guides, judged: which rules decide each item, and its status.
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
  /** Why the status is what it is when no rule decided it. */
  note?: string;
}

export function rulesFor(item: ChecklistItemId, rules: readonly Rule[]): string[] {
  return rules.filter((r) => r.checklistItems.includes(item)).map((r) => r.name);
}

/**
 * Fail when any deciding rule found a violation; pass when at least one applied and none did;
 * unknown when a deciding rule met a value the offline evaluation could not know (never a pass then);
 * not applicable when none of them had anything to look at, or no rule decides the item.
 */
export function evaluateChecklist(rules: readonly Rule[], applied: ReadonlySet<string>, violated: ReadonlySet<string>, blind: ReadonlySet<string> = new Set()): ChecklistEntry[] {
  return CHECKLIST_ITEMS.map((def) => {
    const deciding = rulesFor(def.id, rules);
    const base = { id: def.id, item: def.item, guide: GUIDES[def.guide], rules: deciding };
    if (deciding.length === 0) return { ...base, status: "not-applicable" as const, note: `decided outside the pack: ${def.decidedElsewhere ?? "no rule"}` };
    if (deciding.some((r) => violated.has(r))) return { ...base, status: "fail" as const };
    const blindRules = deciding.filter((r) => blind.has(r));
    if (blindRules.length > 0) return { ...base, status: "unknown" as const, note: `cannot judge offline: ${blindRules.join(", ")} met a value only a real preview knows` };
    if (deciding.some((r) => applied.has(r))) return { ...base, status: "pass" as const };
    return { ...base, status: "not-applicable" as const, note: "no resource of the stack is one these rules judge" };
  });
}
