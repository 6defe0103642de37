import { BadUserInputError, quote } from "./errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is a client error that names the argument and the value. */
export function assertId(value: string, argument: string): string {
  if (!UUID.test(value)) {
    throw new BadUserInputError(`${argument} must be a UUID, got ${quote(value)}`, argument);
  }
  return value.toLowerCase();
}

/**
 * Text a store can hold as given: PostgreSQL refuses U+0000 in text (SQLite would keep
 * it, so the engines would disagree), and a lone surrogate cannot be encoded as UTF-8.
 */
export function assertStorableText(value: string, argument: string): void {
  if (value.includes("\u0000")) throw new BadUserInputError(`${argument} must not contain the NUL character (U+0000)`, argument);
  if (LONE_SURROGATE.test(value)) throw new BadUserInputError(`${argument} contains a lone surrogate (not valid Unicode)`, argument);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (value or key) in a JSON value that no store could keep
 * as sent, e.g. `variables.i.displayName`, or null. Bounded by the body limit in size;
 * depth is bounded here so a deeply nested payload cannot exhaust the stack.
 */
export function findUnstorableText(value: unknown, path: string, depth = 0): string | null {
  if (depth > 64) return `${path} (nested deeper than 64 levels)`;
  const bad = (text: string) => text.includes("\u0000") || LONE_SURROGATE.test(text);
  if (typeof value === "string") return bad(value) ? path : null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findUnstorableText(value[index], `${path}[${index}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === "object" && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (bad(key)) return `${path} (a key)`;
      const found = findUnstorableText(inner, `${path}.${key}`, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

/** A required text field: trimmed, non-empty, bounded, storable. */
export function assertText(value: string, argument: string, maxLength: number): string {
  assertStorableText(value, argument);
  const trimmed = value.trim();
  if (trimmed.length === 0) {
    throw new BadUserInputError(`${argument} must not be empty`, argument);
  }
  if (trimmed.length > maxLength) {
    throw new BadUserInputError(
      `${argument} must be at most ${maxLength} characters, got ${trimmed.length}`,
      argument,
    );
  }
  return trimmed;
}
