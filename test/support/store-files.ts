import { DATA_SUBGRAPH_NAMES, REGIONS, sqliteStoreFiles, storeFiles } from "@dgg/common";
import type { DatabaseConfig, Region } from "@dgg/common";
import type { DataSource } from "typeorm";
import type { TestSystem } from "./system";

/**
 * The files of running stores, for a raw-bytes scan (`storeFiles` of each store's
 * configuration), after a CHECKPOINT on PostgreSQL so dirty pages have reached the relation
 * files (the worst case for a reader).
 */
export async function filesOfStores(stores: DataSource[], options: { wal: boolean }): Promise<{ files: string[]; unreadable: string[] }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  for (const db of stores) {
    if (db.options.type === "postgres") await db.query("CHECKPOINT");
    const config: DatabaseConfig = db.options.type === "postgres" ? { type: "postgres", url: String(db.options.url) } : { type: "sqlite", file: String(db.options.database) };
    const found = await storeFiles(config, options);
    files.push(...found.files);
    unreadable.push(...found.unreadable);
  }
  return { files: [...new Set(files)], unreadable };
}

/** Every data subgraph's subject-key files (with their logs) in `regions`. */
export function keyFilesOf(system: TestSystem, regions: readonly Region[] = REGIONS): string[] {
  return DATA_SUBGRAPH_NAMES.flatMap((name) => regions.flatMap((region) => sqliteStoreFiles(system.keyFiles[name][region])));
}
