// Plain-text output a person reads: at most REPORT_WIDTH columns, long text wrapped at word
// boundaries and never cut, so every message and fix is there in full.

export const REPORT_WIDTH = 120;

/** `text` in lines of at most `width` characters, broken between words (a word longer than a line is split). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let w = word;
    while (w.length > width) {
      if (line) out.push(line);
      line = "";
      out.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      out.push(line);
      line = w;
    }
  }
  if (line || out.length === 0) out.push(line);
  return out;
}

/** A line of prose wrapped to the report width; continuation lines keep its indent plus two spaces. */
export function wrapLine(line: string, width = REPORT_WIDTH): string[] {
  if (line.length <= width) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? "";
  const [first, ...rest] = wrap(line.trim(), width - indent.length - 2);
  const joined = [indent + first, ...rest.map((l) => `${indent}  ${l}`)];
  // The first line may use the two columns the continuation lines indent by.
  return joined;
}

/** Columns of text, the widest ones narrowed (and their cells wrapped) until the table fits `width`. */
export function table(headers: string[], rows: string[][], width = REPORT_WIDTH): string {
  const gap = 2;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  const floor = headers.map((h) => Math.max(h.length, 8));
  while (total() > width) {
    const i = widths.reduce((best, w, j) => (w - floor[j] > widths[best] - floor[best] ? j : best), 0);
    if (widths[i] <= floor[i]) break;
    widths[i] -= 1;
  }
  const render = (cells: string[]): string[] => {
    const wrapped = headers.map((_, i) => wrap(cells[i] ?? "", widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => wrapped.map((w, i) => (w[k] ?? "").padEnd(widths[i])).join(" ".repeat(gap)).trimEnd());
  };
  return [...render(headers), widths.map((w) => "-".repeat(w)).join(" ".repeat(gap)), ...rows.flatMap(render)].join("\n");
}
