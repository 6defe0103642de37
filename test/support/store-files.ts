import { postgresStoreFiles, sqliteStoreFiles } from "@dgg/common";
import type { DataSource } from "typeorm";

/**
 * The files of running stores, for a raw-bytes scan: a SQLite store's file and logs, or a
 * PostgreSQL database's directory and (with `wal`) the cluster's `pg_wal`, after a
 * CHECKPOINT so dirty pages have reached the relation files (the worst case for a reader).
 */
export async function filesOfStores(stores: DataSource[], options: { wal: boolean }): Promise<{ files: string[]; unreadable: string[] }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  for (const db of stores) {
    if (db.options.type === "postgres") {
      await db.query("CHECKPOINT");
      const found = await postgresStoreFiles(String(db.options.url), options);
      files.push(...found.files);
      unreadable.push(...found.unreadable);
    } else {
      files.push(...sqliteStoreFiles(String(db.options.database)));
    }
  }
  return { files: [...new Set(files)], unreadable };
}
