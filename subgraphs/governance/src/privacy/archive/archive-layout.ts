import { DataCategory } from "@dgg/common";
import type { Region } from "@dgg/common";
import type { FileCheckpoint } from "../engine/checkpoint";

/** Version of the archive layout below; bump when files or manifest change shape. */
export const ARCHIVE_SCHEMA_VERSION = 3;
export const ARCHIVE_FORMAT = "application/vnd.dgg.personal-data-export.v3+manifest";
export const MANIFEST_FILE = "manifest.json";
/** The human-readable rendering of the archive (report/), written after the category files and listed in the manifest. */
export const REPORT_FILE = "report.html";

/**
 * One file per category. Small categories are a JSON array, large ones NDJSON (one record
 * per line) so they can be written and read as a stream. Both put exactly one record per
 * line (JSON.stringify escapes newlines), which verification relies on to count records.
 */
export const CATEGORY_FILES: Record<DataCategory, { file: string; format: "json" | "ndjson" }> = {
  [DataCategory.ACCOUNT]: { file: "account.json", format: "json" },
  [DataCategory.SERVICE_DATA]: { file: "service-data.json", format: "json" },
  [DataCategory.TELEMETRY]: { file: "telemetry.ndjson", format: "ndjson" },
  [DataCategory.AUDIT_LOG]: { file: "audit-log.ndjson", format: "ndjson" },
};

export function archivePrefix(tenantId: string, requestId: string): string {
  return `${tenantId}/privacy-requests/${requestId}`;
}

/**
 * The bytes of an export page (NDJSON as the data subgraph sent it, one record per line)
 * in a category file, given how many records the file already holds: as they came for an
 * NDJSON file, and as the JSON array's elements (",\n" between records) for a JSON one.
 */
export function pageBytes(format: "json" | "ndjson", ndjson: Buffer, alreadyWritten: number): Buffer {
  if (format === "ndjson" || ndjson.length === 0) return ndjson;
  const lines = ndjson.toString("utf8").slice(0, -1).split("\n");
  return Buffer.from(lines.map((line, index) => `${alreadyWritten + index === 0 ? "\n" : ",\n"}${line}`).join(""), "utf8");
}

export const JSON_OPENING = "[";
export const JSON_CLOSING = "\n]\n";

/**
 * The JSON text of the record on one line of a category file, or null for a line of the
 * JSON array's framing. Files put exactly one record per line (see CATEGORY_FILES).
 */
export function recordText(format: "json" | "ndjson", line: string): string | null {
  if (format === "ndjson") return line;
  if (line === JSON_OPENING || line === JSON_CLOSING.trim()) return null;
  return line.endsWith(",") ? line.slice(0, -1) : line;
}

export interface ManifestFile {
  category: DataCategory;
  file: string;
  format: "json" | "ndjson";
  records: number;
  bytes: number;
  sha256: string;
}

/** `report.html`: not a category, so apart from `files`; checked by size and SHA-256 like them. */
export interface ManifestReport {
  file: string;
  format: "html";
  bytes: number;
  sha256: string;
}

/** `manifest.json`: what the archive holds and how to check it. Its own SHA-256 is the archive's checksum. */
export interface Manifest {
  schemaVersion: number;
  format: string;
  requestId: string;
  kind: string;
  userId: string;
  tenantId: string;
  region: Region;
  requestedAt: string;
  exportStartedAt: string;
  exportFinishedAt: string;
  files: ManifestFile[];
  totalRecords: number;
  report: ManifestReport;
}

/** The files a manifest names, itself first: what a download may serve and what the zip holds. */
export function archiveFiles(manifest: Pick<Manifest, "files"> & { report?: ManifestReport }): string[] {
  return [MANIFEST_FILE, ...manifest.files.map((entry) => entry.file), ...(manifest.report ? [manifest.report.file] : [])];
}

/** Built only from stored values, so a manifest rewritten after a crash is byte-for-byte the same. */
export function buildManifest(
  request: { id: string; kind: string; userId: string; tenantId: string; region: Region; createdAt: Date; exportStartedAt: Date },
  files: readonly FileCheckpoint[],
  exportFinishedAt: number,
  report: { file: string; bytes: number; sha256: string },
): Manifest {
  const entries = files.map(({ category, file, format, records, bytes, sha256 }) => ({ category, file, format, records, bytes, sha256: sha256 ?? "" }));
  return {
    schemaVersion: ARCHIVE_SCHEMA_VERSION,
    format: ARCHIVE_FORMAT,
    requestId: request.id,
    kind: request.kind,
    userId: request.userId,
    tenantId: request.tenantId,
    region: request.region,
    requestedAt: request.createdAt.toISOString(),
    exportStartedAt: request.exportStartedAt.toISOString(),
    exportFinishedAt: new Date(exportFinishedAt).toISOString(),
    files: entries,
    totalRecords: entries.reduce((sum, entry) => sum + entry.records, 0),
    report: { file: report.file, format: "html", bytes: report.bytes, sha256: report.sha256 },
  };
}

export const manifestBytes = (manifest: Manifest): Buffer => Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, "utf8");
