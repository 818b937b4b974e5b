/**
 * docs/guarantees.md 3.1: every webhook body is valid UTF-8 and I-JSON (RFC 7493; RFC 8785's canonical form, which
 * signs it, requires it). These find what would break that, by path (`data.text`), never by content.
 */

/** A UTF-16 code unit of a surrogate pair without its other half (what String.prototype.isWellFormed refuses). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isWellFormed = (text: string): boolean => !LONE_SURROGATE.test(text);

/**
 * The path of the first string or member name in `value` that holds a lone surrogate (not I-JSON), or undefined.
 * A member name is named by its parent's path, never quoted: it may come from a bad event.
 */
export function loneSurrogatePath(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return isWellFormed(value) ? undefined : path || "(root)";
  if (value === null || typeof value !== "object") return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = loneSurrogatePath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (!isWellFormed(key)) return `a member name in ${path || "(root)"}`;
    const found = loneSurrogatePath((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}

/** The path of the first string in `value` holding U+FFFD (where a lenient decoder put unreadable bytes), or undefined. */
export function replacementCharacterPath(value: unknown, path = ""): string | undefined {
  if (typeof value === "string") return value.includes("\uFFFD") ? path || "(root)" : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const found = replacementCharacterPath(inner, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key);
    if (found) return found;
  }
  return undefined;
}
