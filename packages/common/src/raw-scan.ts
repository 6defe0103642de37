import { existsSync } from "node:fs";
import { open, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "pg";
import type { DatabaseConfig } from "./db";

/** One occurrence of a needle in a file, as raw bytes. */
export interface RawHit {
  file: string;
  offset: number;
  needle: string;
}

/** What a raw scan read and found; `unreadable` lists what it was asked to read and could not. */
export interface RawScanReport {
  filesScanned: number;
  bytesScanned: number;
  hits: RawHit[];
  unreadable: string[];
}

const CHUNK = 8 * 1024 * 1024;

/** How a binary needle (e.g. a key) is named in hits. */
export const binaryNeedleName = (bytes: Uint8Array): string => `0x${Buffer.from(bytes).toString("hex")}`;

/**
 * Searches each file, as raw bytes, for every needle: text as its UTF-8 bytes, binary needles
 * (keys) as they are. No parsing of any format, so a value is found wherever it survives
 * (free pages, WAL frames, dead tuples, archives). Files are read in chunks that overlap by
 * the longest needle, so a hit across a chunk boundary is found once. Needles are matched
 * exactly (case-sensitive).
 */
export async function scanFilesForNeedles(files: string[], needles: (string | Uint8Array)[]): Promise<RawScanReport> {
  const named = needles
    .filter((needle) => needle.length > 0)
    .map((needle) => (typeof needle === "string" ? { needle, bytes: Buffer.from(needle, "utf8") } : { needle: binaryNeedleName(needle), bytes: Buffer.from(needle) }));
  const patterns = [...new Map(named.map((pattern) => [pattern.needle, pattern])).values()];
  const overlap = Math.max(0, ...patterns.map((pattern) => pattern.bytes.length - 1));
  const report: RawScanReport = { filesScanned: 0, bytesScanned: 0, hits: [], unreadable: [] };
  const buffer = Buffer.alloc(CHUNK + overlap);
  for (const file of files) {
    let handle;
    try {
      handle = await open(file, "r");
    } catch {
      // A file that vanished between listing and reading (a recycled WAL segment) holds nothing any more.
      if (existsSync(file)) report.unreadable.push(file);
      continue;
    }
    try {
      let position = 0;
      let carried = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, carried, CHUNK, position);
        if (bytesRead === 0) break;
        const filled = carried + bytesRead;
        const window = buffer.subarray(0, filled);
        const base = position - carried;
        for (const { needle, bytes } of patterns) {
          // Only starts beyond the carried-over prefix's earlier hits are new, except in the first chunk.
          let from = carried === 0 ? 0 : Math.max(0, carried - bytes.length + 1);
          for (;;) {
            const at = window.indexOf(bytes, from);
            if (at < 0) break;
            if (carried === 0 || at + bytes.length > carried) report.hits.push({ file, offset: base + at, needle });
            from = at + 1;
          }
        }
        position += bytesRead;
        report.bytesScanned += bytesRead;
        carried = Math.min(overlap, filled);
        buffer.copy(buffer, 0, filled - carried, filled);
      }
      report.filesScanned += 1;
    } finally {
      await handle.close();
    }
  }
  return report;
}

/** Every regular file under `root`, recursively (none if it does not exist). */
export async function filesUnder(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** A SQLite store's files: the database, its write-ahead log and shared memory, a rollback journal. */
export function sqliteStoreFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`].filter((path) => existsSync(path));
}

/**
 * A PostgreSQL database's files on this machine: every file of the database's directory
 * (`base/<oid>`: tables, TOAST, indexes, free-space and visibility maps, and files of
 * relations rewritten but not yet unlinked) and, with `wal`, every segment of `pg_wal`
 * (shared by all databases of the cluster). Needs the server local and its data directory
 * readable (e.g. running as root or postgres); `unreadable` says what could not be listed.
 */
export async function postgresStoreFiles(url: string, options: { wal: boolean }): Promise<{ files: string[]; unreadable: string[] }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  let dataDirectory: string;
  let databaseOid: string;
  try {
    dataDirectory = String((await client.query<{ dir: string }>("SELECT current_setting('data_directory') AS dir")).rows[0]!.dir);
    databaseOid = String((await client.query<{ oid: string }>("SELECT oid FROM pg_database WHERE datname = current_database()")).rows[0]!.oid);
  } finally {
    await client.end();
  }
  const roots = [join(dataDirectory, "base", databaseOid)];
  if (options.wal) roots.push(join(dataDirectory, "pg_wal"));
  const files: string[] = [];
  const unreadable: string[] = [];
  for (const root of roots) {
    try {
      await stat(root);
      files.push(...(await filesUnder(root)));
    } catch {
      unreadable.push(root);
    }
  }
  return { files: [...new Set(files)], unreadable };
}

/** The files of one configured store (PostgreSQL: its database directory, and `pg_wal` with `wal`). */
export async function storeFiles(config: DatabaseConfig, options: { wal: boolean }): Promise<{ files: string[]; unreadable: string[] }> {
  if (config.type === "sqlite") return { files: sqliteStoreFiles(config.file), unreadable: [] };
  return postgresStoreFiles(config.url, options);
}
