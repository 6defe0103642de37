import { ROLES } from "@dgg/common";

/**
 * What an erased person's audit entries keep of their details (docs/decisions/0033): only
 * evidence that names nobody. Strings survive only under the keys below and only in the
 * shape each key's evidence has (a request id is a UUID, a status an enum constant);
 * everything else written as text (reasons, names, principal names, serials, notes) goes.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ENUM = /^[A-Z][A-Z0-9_]{0,63}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
/** A GraphQL field path or operation name, as the access audit's refusals record it. */
const OPERATION = /^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z0-9_]{1,64}){0,8}$/;
const SUBGRAPH = /^[a-z][a-z0-9-]{0,31}$/;
const ROLE = new RegExp(`^(${ROLES.join("|")})$`);

/** A Map, not an object: a details key such as "toString" must not find Object.prototype's members. */
const KEPT_STRINGS: ReadonlyMap<string, RegExp> = new Map(
  Object.entries({
    requestId: UUID,
    holdId: UUID,
    runId: UUID,
    moveId: UUID,
    actorTenantId: UUID,
    claimedTenantId: UUID,
    kind: ENUM,
    status: ENUM,
    category: ENUM,
    trigger: ENUM,
    from: ENUM,
    to: ENUM,
    storageRegion: ENUM,
    manifestSha256: /^[0-9a-f]{64}$/,
    by: ROLE,
    subgraph: SUBGRAPH,
    operation: OPERATION,
  }),
);

/** Keys are schema, not content; one that is not a plain name may itself be someone's name. */
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** Numbers under these keys are identifiers (an employee number, a phone, a serial), not evidence. */
const IDENTIFYING_NUMBER_KEY = /(id|number|no|phone|serial|imei|msisdn|pin|zip|postal)$/i;

/** Characters JSON.stringify writes as an escape: a value holding one does not read in JSON text as it is. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const ESCAPED_IN_JSON = /["\\\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/** One escape sequence of JSON text. */
const JSON_ESCAPE = /\\(?:u[0-9a-fA-F]{4}|[^u])/g;

/** Values per compiled pattern: well under the size at which V8 refuses to compile a pattern. */
const NEEDLES_PER_PATTERN = 256;

/** The marker an erasure leaves in redacted details. */
export const REDACTED = "redacted";

/**
 * Case-insensitive, whole-token matchers for the values naming a person. A match must not
 * be flanked by a letter or digit, so that a short display name ("Al") does not redact
 * every entry mentioning "total" in another tenant's trail.
 */
export class Needles {
  private readonly patterns: RegExp[];
  /** Whether every value reads in JSON text as it is (see `mayBeMentionedInJson`). */
  private readonly unescaped: boolean;

  constructor(values: Iterable<string>) {
    const distinct = new Set<string>();
    for (const value of values) if (value.length > 0) distinct.add(value.toLowerCase());
    this.unescaped = [...distinct].every((value) => !ESCAPED_IN_JSON.test(value));
    // One alternation per NEEDLES_PER_PATTERN values, not one pattern per value: an erased
    // user with a thousand devices has about 3,000 values, and the erasure tests every string
    // of every entry with details. The boundaries sit outside the group, so a value that
    // matches where the boundary fails backtracks into the next: the same test as one
    // pattern per value (subgraphs/audit/test/redaction.test.ts checks them against each other).
    const escaped = [...distinct].map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.patterns = [];
    for (let start = 0; start < escaped.length; start += NEEDLES_PER_PATTERN) {
      const group = escaped.slice(start, start + NEEDLES_PER_PATTERN).join("|");
      this.patterns.push(new RegExp(`(?<![\\p{L}\\p{N}])(?:${group})(?![\\p{L}\\p{N}])`, "iu"));
    }
  }

  /** Whether the text names one of the values. */
  matches(text: string): boolean {
    return this.patterns.some((pattern) => pattern.test(text));
  }

  /**
   * False only when `mentionedIn(JSON.parse(json))` is false, for `json` as JSON.stringify
   * wrote it: a test on the text without building the value, for an erasure that reads every
   * entry of the trail and finds almost none naming the person. A value is written in the
   * text as it is unless it holds a character JSON escapes (quote, backslash, control
   * characters, lone surrogates): then this cannot tell, and says true. An escape next to a
   * value ("\n" before a name) would hide the boundary the matchers require, so each escape
   * is read as a space first (the character it stands for is no letter or digit either).
   */
  mayBeMentionedInJson(json: string): boolean {
    return !this.unescaped || this.matches(json.includes("\\") ? json.replace(JSON_ESCAPE, " ") : json);
  }

  /** Whether any key or string anywhere in the JSON value names one of the values (numbers are not searched: see redact). */
  mentionedIn(value: unknown): boolean {
    if (typeof value === "string") return this.matches(value);
    if (Array.isArray(value)) return value.some((item) => this.mentionedIn(item));
    if (typeof value === "object" && value !== null) {
      return Object.entries(value).some(([key, item]) => this.matches(key) || this.mentionedIn(item));
    }
    return false;
  }
}

function keptScalar(key: string, value: unknown, needles: Needles): unknown {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") {
    // A number that is one of the person's identifiers (a numeric serial) goes like any other mention.
    if (!Number.isFinite(value) || IDENTIFYING_NUMBER_KEY.test(key) || needles.matches(String(value))) return undefined;
    return value;
  }
  if (typeof value === "string") {
    const shape = KEPT_STRINGS.get(key) ?? (key.endsWith("At") ? ISO_TIME : undefined);
    if (!shape || !shape.test(value) || needles.matches(value)) return undefined;
    return value;
  }
  return undefined;
}

function redactValue(key: string, value: unknown, needles: Needles): unknown {
  if (value === null) return null;
  if (Array.isArray(value)) {
    const kept = value.map((item) => redactValue(key, item, needles)).filter((item) => item !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  if (typeof value === "object") {
    const kept = redactObject(value as Record<string, unknown>, needles);
    return Object.keys(kept).length > 0 ? kept : undefined;
  }
  return keptScalar(key, value, needles);
}

function redactObject(details: Record<string, unknown>, needles: Needles): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    // "__proto__" would set the copy's prototype instead of a key: it is dropped like any unknown key.
    if (key === "__proto__" || !PLAIN_KEY.test(key) || needles.matches(key)) continue;
    const redacted = redactValue(key, value, needles);
    if (redacted !== undefined) kept[key] = redacted;
  }
  return kept;
}

/**
 * The details an erasure leaves: the allowlisted evidence, minus anything naming one of
 * `needles`, marked `redacted: true`. Idempotent: redacting the result gives it back, so a
 * second erasure finds nothing to change. Null details stay null (there is nothing to keep).
 */
export function redactDetails(details: Record<string, unknown> | null, needles: Needles): Record<string, unknown> | null {
  if (details === null) return null;
  return { ...redactObject(details, needles), [REDACTED]: true };
}
