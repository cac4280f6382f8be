// The subset of CloudWatch Logs filter-pattern syntax the kit's metric filters use, as a pure
// matcher, so the patterns can be tested against real log lines offline. No library implements
// the syntax (moto treats most patterns as "match everything"), so this follows AWS's docs:
// FilterAndPatternSyntax (terms are case-sensitive; "?" terms OR; "-" terms exclude),
// matching-terms-json-log-events ({ $.a.b = "v*" }, numbers, IS TRUE/FALSE/NULL, NOT EXISTS, &&, ||)
// and space-delimited events ([a, b = "x*" || b = "y", c != "z"]: one name per field, as many fields as
// the event has; "..." is not part of the subset).

type JsonExpr =
  | { kind: "and" | "or"; left: JsonExpr; right: JsonExpr }
  | { kind: "cmp"; path: string[]; op: string; value: string | number }
  | { kind: "is"; path: string[]; value: true | false | null }
  | { kind: "notExists"; path: string[] };

/** One field of a space-delimited pattern: its name and, optionally, conditions on it (|| of && groups). */
interface DelimitedField {
  name: string;
  any: Array<Array<{ op: string; value: string | number }>>;
}

export type FilterPattern =
  | { kind: "terms"; all: string[]; any: string[]; none: string[] }
  | { kind: "json"; expr: JsonExpr }
  | { kind: "delimited"; fields: DelimitedField[] };

const TERM = /\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([A-Za-z0-9_]+))/y;

function parseTerms(pattern: string): FilterPattern {
  const out = { kind: "terms" as const, all: [] as string[], any: [] as string[], none: [] as string[] };
  let pos = 0;
  while (pos < pattern.length && pattern.slice(pos).trim() !== "") {
    TERM.lastIndex = pos;
    const m = TERM.exec(pattern);
    if (!m) throw new Error(`filter pattern: cannot read a term at ${pos} in ${JSON.stringify(pattern)}`);
    pos = TERM.lastIndex;
    const [, prefix, quoted, word] = m;
    const text = (quoted ?? word).replace(/\\(.)/g, "$1");
    (prefix === "?" ? out.any : prefix === "-" ? out.none : out.all).push(text);
  }
  if (out.any.length > 0 && out.all.length > 0) throw new Error("filter pattern: mixing ?term and plain terms is not part of the supported subset");
  return out;
}

/** Tokens of a JSON pattern body: selectors, operators, quoted strings, bare values, parentheses. */
function tokenize(body: string): string[] {
  const re = /\s*(\$(?:\.[A-Za-z0-9_@-]+)+|&&|\|\||!=|<=|>=|=|<|>|\(|\)|"(?:[^"\\]|\\.)*"|[^\s()"=!<>&|]+)/y;
  const tokens: string[] = [];
  let pos = 0;
  while (body.slice(pos).trim() !== "") {
    re.lastIndex = pos;
    const m = re.exec(body);
    if (!m) throw new Error(`filter pattern: cannot read JSON pattern at ${pos}: ${body.slice(pos, pos + 20)}`);
    tokens.push(m[1]);
    pos = re.lastIndex;
  }
  return tokens;
}

function parseJson(body: string): FilterPattern {
  const tokens = tokenize(body);
  let i = 0;
  const peek = () => tokens[i];
  const next = () => {
    const t = tokens[i++];
    if (t === undefined) throw new Error("filter pattern: unexpected end of JSON pattern");
    return t;
  };
  const or = (): JsonExpr => {
    let left = and();
    while (peek() === "||") {
      i++;
      left = { kind: "or", left, right: and() };
    }
    return left;
  };
  const and = (): JsonExpr => {
    let left = atom();
    while (peek() === "&&") {
      i++;
      left = { kind: "and", left, right: atom() };
    }
    return left;
  };
  const atom = (): JsonExpr => {
    const t = next();
    if (t === "(") {
      const e = or();
      if (next() !== ")") throw new Error("filter pattern: missing )");
      return e;
    }
    if (!t.startsWith("$.")) throw new Error(`filter pattern: expected a $.selector, got ${t}`);
    const path = t.slice(2).split(".");
    const op = next();
    if (op === "IS") {
      const v = next();
      if (v !== "TRUE" && v !== "FALSE" && v !== "NULL") throw new Error(`filter pattern: IS ${v}`);
      return { kind: "is", path, value: v === "TRUE" ? true : v === "FALSE" ? false : null };
    }
    if (op === "NOT") {
      if (next() !== "EXISTS") throw new Error("filter pattern: expected NOT EXISTS");
      return { kind: "notExists", path };
    }
    if (!["=", "!=", "<", ">", "<=", ">="].includes(op)) throw new Error(`filter pattern: unknown operator ${op}`);
    const raw = next();
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    if (typeof value === "string" && !["=", "!="].includes(op)) throw new Error(`filter pattern: ${op} needs a number`);
    return { kind: "cmp", path, op, value };
  };
  const expr = or();
  if (i !== tokens.length) throw new Error(`filter pattern: unexpected ${tokens[i]}`);
  return { kind: "json", expr };
}

const FIELD_CONDITION = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(!=|<=|>=|=|<|>)\s*("(?:[^"\\]|\\.)*"|[^\s"|&]+)\s*$/;

function parseDelimited(body: string): FilterPattern {
  const fields: DelimitedField[] = [];
  // A comma inside a quoted value is not a separator.
  const parts = body.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  for (const part of parts) {
    const text = part.trim();
    if (text === "...") throw new Error('filter pattern: "..." is not part of the supported subset');
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) {
      fields.push({ name: text, any: [] });
      continue;
    }
    let name: string | undefined;
    const any = text.split("||").map((group) =>
      group.split("&&").map((cond) => {
        const m = FIELD_CONDITION.exec(cond);
        if (!m) throw new Error(`filter pattern: cannot read the condition ${JSON.stringify(cond.trim())}`);
        if (name !== undefined && m[1] !== name) throw new Error(`filter pattern: field ${name} has a condition on ${m[1]}`);
        name = m[1];
        const raw = m[3];
        const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
        if (typeof value === "string" && !["=", "!="].includes(m[2])) throw new Error(`filter pattern: ${m[2]} needs a number`);
        return { op: m[2], value };
      }),
    );
    fields.push({ name: name as string, any });
  }
  if (fields.length === 0) throw new Error("filter pattern: a space-delimited pattern names at least one field");
  return { kind: "delimited", fields };
}

/** A space-delimited event's fields: spaces separate, "..." and [...] hold one field each. */
function splitDelimited(message: string): string[] {
  return (message.trim().match(/"[^"]*"|\[[^\]]*\]|[^\s]+/g) ?? []).map((f) => (f.startsWith('"') ? f.slice(1, -1) : f));
}

export function parseFilterPattern(pattern: string): FilterPattern {
  const trimmed = pattern.trim();
  if (trimmed.startsWith("[")) {
    if (!trimmed.endsWith("]")) throw new Error("filter pattern: a space-delimited pattern ends with ]");
    return parseDelimited(trimmed.slice(1, -1));
  }
  if (trimmed.startsWith("{")) {
    if (!trimmed.endsWith("}")) throw new Error("filter pattern: a JSON pattern ends with }");
    return parseJson(trimmed.slice(1, -1));
  }
  return parseTerms(trimmed);
}

const wildcard = (pattern: string) => new RegExp(`^${pattern.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`, "s");

function lookup(doc: unknown, path: string[]): { found: boolean; value: unknown } {
  let cur: unknown = doc;
  for (const key of path) {
    if (cur === null || typeof cur !== "object" || !(key in cur)) return { found: false, value: undefined };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { found: true, value: cur };
}

function compare(op: string, want: string | number, actual: string): boolean {
  if (typeof want === "number") {
    const n = /^-?\d+(\.\d+)?$/.test(actual) ? Number(actual) : Number.NaN;
    const ops: Record<string, boolean> = { "=": n === want, "!=": n !== want, "<": n < want, ">": n > want, "<=": n <= want, ">=": n >= want };
    return !Number.isNaN(n) && ops[op];
  }
  const hit = wildcard(want).test(actual);
  return op === "=" ? hit : !hit;
}

function evalJson(e: JsonExpr, doc: unknown): boolean {
  switch (e.kind) {
    case "and":
      return evalJson(e.left, doc) && evalJson(e.right, doc);
    case "or":
      return evalJson(e.left, doc) || evalJson(e.right, doc);
    case "notExists":
      return !lookup(doc, e.path).found;
    case "is": {
      const { found, value } = lookup(doc, e.path);
      return found && value === e.value;
    }
    case "cmp": {
      const { found, value } = lookup(doc, e.path);
      if (!found || value === null || typeof value === "object") return false;
      if (typeof e.value === "number") {
        const n = typeof value === "number" ? value : Number.NaN;
        const ops: Record<string, boolean> = { "=": n === e.value, "!=": n !== e.value, "<": n < e.value, ">": n > e.value, "<=": n <= e.value, ">=": n >= e.value };
        return !Number.isNaN(n) && ops[e.op];
      }
      const hit = wildcard(e.value).test(String(value));
      return e.op === "=" ? hit : !hit;
    }
  }
}

/** Does CloudWatch's `pattern` match the log event `message`? */
export function matchesFilterPattern(pattern: string | FilterPattern, message: string): boolean {
  const p = typeof pattern === "string" ? parseFilterPattern(pattern) : pattern;
  if (p.kind === "delimited") {
    const values = splitDelimited(message);
    if (values.length !== p.fields.length) return false;
    return p.fields.every((f, i) => f.any.length === 0 || f.any.some((all) => all.every((c) => compare(c.op, c.value, values[i]))));
  }
  if (p.kind === "terms") {
    if (p.none.some((t) => message.includes(t))) return false;
    if (p.any.length > 0) return p.any.some((t) => message.includes(t));
    return p.all.every((t) => message.includes(t));
  }
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    // A JSON pattern never matches a line that is not JSON.
    return false;
  }
  return evalJson(p.expr, doc);
}
