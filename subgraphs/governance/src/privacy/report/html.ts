/**
 * Text to HTML for the report, where every value may be user-controlled (display names,
 * telemetry payloads): everything goes through `escapeHtml`, in element content and in
 * attribute values alike. Formatting never depends on the locale or the time zone of the
 * process, so the same stored values always give the same bytes.
 */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * C0/C1 controls other than tab, newline and carriage return are parse errors in HTML, and
 * a lone surrogate cannot be written as UTF-8: both are shown as their JSON escape instead,
 * so the reader sees that something was there (the archive's JSON files hold the value itself).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNWRITABLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Escapes text for HTML element content and quoted attribute values.
 *
 * @example
 * escapeHtml(`"><img src=x onerror=alert(1)>`) // "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
 */
export function escapeHtml(text: string): string {
  return text
    .replace(UNWRITABLE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** `1234567` → `1,234,567`, whatever the process's locale. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `5 records`, `1 record`. */
export function countOf(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? "" : "s"}`;
}

/** An instant as `2025-01-31 14:05:09 UTC`: one time zone for every reader and every rendering. */
export function formatInstant(at: Date): string {
  return `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}
