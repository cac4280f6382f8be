// Tailscale policy files are HuJSON: JSON plus // and /* */ comments and trailing commas.
// Both are removed outside strings, then the text is parsed as JSON.

/** Copy `text`, letting `skip(i)` drop characters outside strings (returns the next index to copy). */
function scan(text: string, skip: (i: number) => number | undefined): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    const next = skip(i);
    if (next !== undefined) {
      i = next;
      continue;
    }
    out += text[i];
    i++;
  }
  return out;
}

export function parseHujson(text: string): unknown {
  const noComments = scan(text, (i) => {
    if (text[i] === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      return end < 0 ? text.length : end;
    }
    if (text[i] === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      return end < 0 ? text.length : end + 2;
    }
    return undefined;
  });
  const closer = /\s*[\]}]/y;
  const noTrailing = scan(noComments, (i) => {
    if (noComments[i] !== ",") return undefined;
    closer.lastIndex = i + 1;
    return closer.test(noComments) ? i + 1 : undefined;
  });
  return JSON.parse(noTrailing);
}
