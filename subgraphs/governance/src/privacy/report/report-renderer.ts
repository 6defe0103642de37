import type { DataCategory, Region, StorageKind } from "@dgg/common";
import type { ProcessingStatement } from "../../retention/retention.type";
import { countOf, escapeHtml, formatCount, formatInstant } from "./html";
import { CATEGORY_LABELS, PROCESSING_LABELS, REGION_LABELS, requestKindLabel, STORAGE_KIND_LABELS } from "./labels";

/** Rows shown per category: enough to read, bounded so the report stays small whatever the archive holds. */
export const REPORT_ROW_CAP = 1000;

/** One category as the report states it; everything here is a stored value (checkpoint, request row). */
export interface ReportCategory {
  category: DataCategory;
  /** The machine-readable file in the archive that holds every record. */
  file: string;
  format: "json" | "ndjson";
  records: number;
  kinds: readonly StorageKind[];
  /** The retention rule in words (retention/retention-rules.ts). */
  retention: string;
}

/** What a report is rendered from: the same values always give the same bytes. */
export interface ReportInput {
  requestId: string;
  kind: string;
  region: Region;
  requestedAt: Date;
  exportStartedAt: Date;
  exportFinishedAt: Date;
  categories: readonly ReportCategory[];
  processing: ProcessingStatement;
  /** Rows shown per category (REPORT_ROW_CAP). */
  rowCap: number;
}

/**
 * The first `limit` records of a category's file, read from the archive as a stream. Called
 * twice per category (columns, then rows), so nothing holds more than one record at a time.
 */
export type RecordSource = (category: ReportCategory, limit: number) => AsyncIterable<unknown>;

const CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Inline only (the CSP forbids anything else); print keeps tables whole and repeats their headers. */
const STYLE = `
:root { color-scheme: light; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1b1f24; background: #fff; margin: 0 auto; max-width: 75rem; padding: 1.5rem; }
h1 { font-size: 1.75rem; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 .5rem; padding-bottom: .25rem; border-bottom: 2px solid #d0d7de; }
.count { font-weight: normal; color: #57606a; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { background: #f6f8fa; overflow-wrap: normal; white-space: nowrap; }
tbody tr:nth-child(even) { background: #f9fafb; }
td.number { text-align: right; white-space: nowrap; }
.scroll { overflow-x: auto; }
.note { background: #fff8c5; border-left: 4px solid #d4a72c; padding: .5rem .75rem; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .8rem; white-space: pre-wrap; }
.empty { color: #6e7781; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .scroll { overflow: visible; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  tbody tr:nth-child(even) { background: none; }
  a { color: inherit; text-decoration: none; }
}
`;

const anchorOf = (category: DataCategory) => `category-${category.toLowerCase().replace(/_/g, "-")}`;
const kindsOf = (kinds: readonly StorageKind[]) => kinds.map((kind) => `${STORAGE_KIND_LABELS[kind]} (${kind})`).join(", ");
const regionOf = (region: Region) => `${REGION_LABELS[region]} (${region})`;
const isRecordObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
/** A record that is not an object (none today) gets one column of this name. */
const VALUE_COLUMN = "value";

/** One cell: text as it is, numbers and booleans as written, nested values as compact JSON. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return `<td class="empty">none</td>`;
  if (typeof value === "string") return `<td>${escapeHtml(value)}</td>`;
  if (typeof value === "number" || typeof value === "boolean") return `<td>${escapeHtml(String(value))}</td>`;
  return `<td><code>${escapeHtml(JSON.stringify(value))}</code></td>`;
}

function head(input: ReportInput): string {
  const total = input.categories.reduce((sum, entry) => sum + entry.records, 0);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your personal data: privacy request ${escapeHtml(input.requestId)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Your personal data</h1>
<p>This is a readable copy of the personal data held about you when the export finished. The same data, complete and machine-readable, is in the other files of this archive; <code>manifest.json</code> lists every file with its size and SHA-256 checksum.</p>
<dl>
<dt>Privacy request</dt><dd>${escapeHtml(input.requestId)}</dd>
<dt>Kind</dt><dd>${escapeHtml(requestKindLabel(input.kind))}</dd>
<dt>Requested</dt><dd>${formatInstant(input.requestedAt)}</dd>
<dt>Export started</dt><dd>${formatInstant(input.exportStartedAt)}</dd>
<dt>Export finished</dt><dd>${formatInstant(input.exportFinishedAt)}</dd>
<dt>Region</dt><dd>${escapeHtml(regionOf(input.region))}</dd>
<dt>Records</dt><dd>${escapeHtml(countOf(total, "record"))}</dd>
</dl>
</header>
`;
}

function summary(input: ReportInput): string {
  const rows = input.categories.map((entry) => {
    const label = CATEGORY_LABELS[entry.category];
    return `<tr><th scope="row"><a href="#${anchorOf(entry.category)}">${escapeHtml(label.title)}</a></th><td class="number">${formatCount(entry.records)}</td><td>${escapeHtml(regionOf(input.region))}</td><td>${escapeHtml(kindsOf(entry.kinds))}</td><td>${escapeHtml(entry.retention)}</td><td><code>${escapeHtml(entry.file)}</code></td></tr>`;
  });
  return `<main>
<section aria-labelledby="summary">
<h2 id="summary">What is held, where, and for how long</h2>
<div class="scroll">
<table>
<thead><tr><th scope="col">Category</th><th scope="col">Records</th><th scope="col">Region</th><th scope="col">Stored in</th><th scope="col">Kept</th><th scope="col">File</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</div>
</section>
`;
}

function processing(statement: ProcessingStatement): string {
  const keys = Object.keys(PROCESSING_LABELS) as (keyof ProcessingStatement)[];
  const rows = keys.map((key) => `<tr><th scope="row">${escapeHtml(PROCESSING_LABELS[key])}</th><td>${statement[key] ? "Yes" : "No"}</td></tr>`);
  return `<section aria-labelledby="processing">
<h2 id="processing">How your data is processed</h2>
<table>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>
`;
}

/** Top-level keys of the shown records, in the order they first appear. */
async function columnsOf(source: RecordSource, entry: ReportCategory, limit: number): Promise<string[]> {
  const columns = new Set<string>();
  for await (const record of source(entry, limit)) {
    if (isRecordObject(record)) for (const key of Object.keys(record)) columns.add(key);
    else columns.add(VALUE_COLUMN);
  }
  return [...columns];
}

async function* category(entry: ReportCategory, input: ReportInput, source: RecordSource): AsyncGenerator<string> {
  const label = CATEGORY_LABELS[entry.category];
  const anchor = anchorOf(entry.category);
  const shown = Math.min(entry.records, input.rowCap);
  yield `<section aria-labelledby="${anchor}">
<h2 id="${anchor}">${escapeHtml(label.title)} <span class="count">(${escapeHtml(countOf(entry.records, "record"))})</span></h2>
<p>${escapeHtml(label.about)}</p>
<dl>
<dt>Region</dt><dd>${escapeHtml(regionOf(input.region))}</dd>
<dt>Stored in</dt><dd>${escapeHtml(kindsOf(entry.kinds))}</dd>
<dt>Kept</dt><dd>${escapeHtml(entry.retention)}</dd>
<dt>File</dt><dd><code>${escapeHtml(entry.file)}</code> (${entry.format === "ndjson" ? "one JSON record per line" : "a JSON array"})</dd>
</dl>
`;
  if (entry.records === 0) {
    yield `<p>No records of this category are held about you.</p>\n</section>\n`;
    return;
  }
  yield entry.records > shown
    ? `<p class="note">This table shows the first ${formatCount(shown)} of ${escapeHtml(countOf(entry.records, "record"))}. The complete records are in the file <code>${escapeHtml(entry.file)}</code> in this archive.</p>\n`
    : `<p>${entry.records === 1 ? "The record is" : `All ${formatCount(entry.records)} records are`} shown; the file <code>${escapeHtml(entry.file)}</code> holds the same, machine-readable.</p>\n`;
  const columns = await columnsOf(source, entry, shown);
  yield `<div class="scroll">
<table>
<thead><tr>${columns.map((column) => `<th scope="col">${escapeHtml(column)}</th>`).join("")}</tr></thead>
<tbody>
`;
  for await (const record of source(entry, shown)) {
    const values = isRecordObject(record) ? record : { [VALUE_COLUMN]: record };
    yield `<tr>${columns.map((column) => cell(values[column])).join("")}</tr>\n`;
  }
  yield `</tbody>\n</table>\n</div>\n</section>\n`;
}

/**
 * The archive's `report.html`, as a stream of text: a self-contained page (inline CSS only,
 * no script, no external resource, a CSP that forbids both) stating per category the
 * count, the region, the kind of store, the retention rule and the records themselves (at
 * most `rowCap` per category, saying where the rest are), and the processing statement.
 * A pure function of its input and of what `source` reads: no clock, no locale, no
 * randomness, so a report rendered again after a crash is byte-for-byte the same.
 */
export async function* renderReport(input: ReportInput, source: RecordSource): AsyncGenerator<string> {
  yield head(input);
  const contents = input.categories.map(
    (entry) => `<li><a href="#${anchorOf(entry.category)}">${escapeHtml(CATEGORY_LABELS[entry.category].title)}</a> (${escapeHtml(countOf(entry.records, "record"))})</li>`,
  );
  yield `<nav aria-label="Contents">
<ul>
<li><a href="#summary">What is held, where, and for how long</a></li>
<li><a href="#processing">How your data is processed</a></li>
${contents.join("\n")}
</ul>
</nav>
`;
  yield summary(input);
  yield processing(input.processing);
  for (const entry of input.categories) yield* category(entry, input, source);
  yield `</main>
<footer>
<p>Times are in UTC. Counts, checksums and sizes of every file: <code>manifest.json</code>.</p>
</footer>
</body>
</html>
`;
}
