/**
 * Module READMEs' inputs and outputs, generated from the code (`npm run module-docs`; module-docs.test.ts fails while
 * a README is stale). Pure: Terraform text in, Markdown out. Reads only what a README needs from `variable` and
 * `output` blocks (description, type, default), with a scanner that knows HCL's strings, interpolations, heredocs
 * and comments, not a full HCL parser.
 */

export interface Input {
  name: string;
  description: string;
  type: string;
  /** The default's text; undefined: required. */
  default?: string;
}

export interface Output {
  name: string;
  description: string;
}

export const BEGIN = "<!-- BEGIN_TF_DOCS: generated from variables.tf and outputs.tf by `npm run module-docs`; do not edit by hand -->";
export const END = "<!-- END_TF_DOCS -->";

/** Index just past the string, heredoc or comment starting at `i`, or undefined when none starts there. */
function skipLiteral(text: string, i: number): number | undefined {
  if (text[i] === "#" || (text[i] === "/" && text[i + 1] === "/")) {
    const end = text.indexOf("\n", i);
    return end === -1 ? text.length : end;
  }
  if (text[i] === "/" && text[i + 1] === "*") {
    const end = text.indexOf("*/", i + 2);
    return end === -1 ? text.length : end + 2;
  }
  if (text.startsWith("<<", i)) {
    const match = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\n/.exec(text.slice(i));
    if (match) {
      const close = new RegExp(`\\n[ \\t]*${match[1]}[ \\t]*(?=\\n|$)`).exec(text.slice(i + match[0].length - 1));
      return close ? i + match[0].length - 1 + close.index + close[0].length : text.length;
    }
  }
  if (text[i] === '"') {
    let j = i + 1;
    let depth = 0; // inside ${ ... }
    while (j < text.length) {
      if (text[j] === "\\") j += 2;
      else if (depth === 0 && text[j] === '"') return j + 1;
      else if (text.startsWith("${", j) || text.startsWith("%{", j)) {
        depth++;
        j += 2;
      } else if (depth > 0 && text[j] === "}") {
        depth--;
        j++;
      } else if (depth > 0 && text[j] === '"') j = skipLiteral(text, j) ?? j + 1;
      else j++;
    }
    return text.length;
  }
  return undefined;
}

/** The body of the brace-delimited block whose `{` is at `open`, and the index past its `}`. */
function blockAt(text: string, open: number): { body: string; end: number } {
  let depth = 0;
  for (let i = open; i < text.length; ) {
    const skipped = skipLiteral(text, i);
    if (skipped !== undefined) {
      i = skipped;
      continue;
    }
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return { body: text.slice(open + 1, i), end: i + 1 };
    i++;
  }
  throw new Error("unbalanced braces");
}

/** Top-level blocks `<kind> "<name>" { ... }` of a file, in order. */
export function blocks(text: string, kind: string): { name: string; body: string }[] {
  const found: { name: string; body: string }[] = [];
  for (let i = 0; i < text.length; ) {
    const skipped = skipLiteral(text, i);
    if (skipped !== undefined) {
      i = skipped;
      continue;
    }
    const match = new RegExp(`^${kind}\\s+"([^"]+)"\\s*\\{`).exec(text.slice(i));
    if (match && (i === 0 || text[i - 1] === "\n")) {
      const { body, end } = blockAt(text, i + match[0].length - 1);
      found.push({ name: match[1]!, body });
      i = end;
      continue;
    }
    if (text[i] === "{") {
      i = blockAt(text, i).end;
      continue;
    }
    i++;
  }
  return found;
}

/** The expression text of a block body's top-level attribute `name = ...` (to the end of its line at depth 0). */
export function attribute(body: string, name: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < body.length; ) {
    const skipped = skipLiteral(body, i);
    if (skipped !== undefined) {
      i = skipped;
      continue;
    }
    if ("{([".includes(body[i]!)) depth++;
    else if ("})]".includes(body[i]!)) depth--;
    else if (depth === 0 && (i === 0 || body[i - 1] === "\n" || /\s/.test(body[i - 1]!))) {
      const match = new RegExp(`^${name}\\s*=\\s*`).exec(body.slice(i));
      if (match && /^\s*$/.test(body.slice(body.lastIndexOf("\n", i - 1) + 1, i))) {
        // The expression, comments left out: it ends at a newline (or a comment) outside brackets.
        let inner = 0;
        let text = "";
        let j = i + match[0].length;
        while (j < body.length) {
          const literal = skipLiteral(body, j);
          if (literal !== undefined) {
            const comment = body[j] === "#" || body[j] === "/";
            if (comment && inner === 0) break;
            if (!comment) text += body.slice(j, literal);
            j = literal;
            continue;
          }
          if ("{([".includes(body[j]!)) inner++;
          else if ("})]".includes(body[j]!)) inner--;
          else if (body[j] === "\n" && inner === 0) break;
          text += body[j];
          j++;
        }
        return text.trim();
      }
    }
    i++;
  }
  return undefined;
}

/** A string or heredoc expression's text (escapes read, interpolations kept as written); other expressions as written. */
export function stringValue(expression: string | undefined): string {
  if (expression === undefined) return "";
  const heredoc = /^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\n([\s\S]*?)\n[ \t]*\2\s*$/.exec(expression);
  if (heredoc) {
    const lines = heredoc[3]!.split("\n");
    if (heredoc[1] !== "-") return lines.join("\n");
    const indent = Math.min(...lines.filter((line) => line.trim() !== "").map((line) => /^ */.exec(line)![0].length));
    return lines.map((line) => line.slice(indent)).join("\n");
  }
  if (expression.startsWith('"') && expression.endsWith('"')) return expression.slice(1, -1).replace(/\\"/g, '"').replace(/\\\\/g, "\\").replace(/\\n/g, "\n");
  return expression;
}

export function inputs(variablesTf: string): Input[] {
  return blocks(variablesTf, "variable").map(({ name, body }) => {
    const defaultText = attribute(body, "default");
    return {
      name,
      description: stringValue(attribute(body, "description")),
      type: (attribute(body, "type") ?? "any").replace(/\s+/g, " "),
      ...(defaultText !== undefined ? { default: defaultText.replace(/\s+/g, " ") } : {}),
    };
  });
}

export function outputs(outputsTf: string): Output[] {
  return blocks(outputsTf, "output").map(({ name, body }) => ({ name, description: stringValue(attribute(body, "description")) }));
}

const cell = (text: string) => text.replace(/\s*\n\s*/g, " ").replace(/\|/g, "\\|").trim();
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;
/** A long object type reads as its outer constructor; the variables file has the rest. */
const shortType = (type: string) => (type.length <= 60 ? type : `${/^[a-z]+\(?[a-z]*/.exec(type)?.[0] ?? "any"}(...)`.replace(/\(\(\.\.\.\)$/, "(...)"));

/** The generated section: Inputs and Outputs tables. */
export function renderSection(variables: readonly Input[], outs: readonly Output[]): string {
  const lines = [BEGIN, "", "## Inputs", ""];
  if (variables.length === 0) lines.push("None.");
  else {
    lines.push("| name | description | type | default |", "| --- | --- | --- | --- |");
    for (const variable of variables) {
      const fallback = variable.default === undefined ? "required" : variable.default.length <= 40 ? code(variable.default) : "see variables.tf";
      lines.push(`| ${code(variable.name)} | ${cell(variable.description)} | ${code(shortType(variable.type))} | ${fallback} |`);
    }
  }
  lines.push("", "## Outputs", "");
  if (outs.length === 0) lines.push("None.");
  else {
    lines.push("| name | description |", "| --- | --- |");
    for (const out of outs) lines.push(`| ${code(out.name)} | ${cell(out.description)} |`);
  }
  lines.push("", END);
  return lines.join("\n");
}

/** The README with its generated section replaced (or, for a new README, a title and the section). */
export function updateReadme(current: string | undefined, title: string, section: string): string {
  if (current === undefined) return `# ${title}\n\nPart of the deployment described in \`infrastructure/terraform/README.md\`.\n\n${section}\n`;
  const begin = current.indexOf(BEGIN);
  const end = current.indexOf(END);
  if (begin === -1 || end === -1 || end < begin) return `${current.trimEnd()}\n\n${section}\n`;
  return current.slice(0, begin) + section + current.slice(end + END.length);
}
