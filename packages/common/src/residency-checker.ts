import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { createDataSource, databaseConfigFromEnv, storeVariablePrefix } from "./db";
import type { DatabaseConfig } from "./db";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { dataDir } from "./keys";
import { regionalDatabaseConfigsFromEnv } from "./regional-stores";
import { PLATFORM_TENANT_ID } from "./audit-client";
import { DATA_SUBGRAPH_NAMES, dataSubgraphEntries } from "./service-registry";
import type { DataSubgraphName } from "./service-registry";
import { platformRegionFromEnv } from "./tenant-regions";

/** Every store the residency promise covers, as configured. */
/** Every data subgraph's store per region (by registry name), the directory, and the archives. */
export type ResidencyStores = Record<DataSubgraphName, Record<Region, DatabaseConfig>> & {
  /** The storage-regions directory: who elected which region. */
  directory: DatabaseConfig;
  blobRoot: string;
  platformRegion: Region;
};

/** Rows (or archives) of one tenant found in one region's store. */
export interface Placement {
  store: string;
  region: Region;
  tenantId: string;
  count: number;
  /** Where the directory says they must be (null: tenant unknown to the directory). */
  elected: Region | null;
}

export interface ResidencyReport {
  rowsChecked: number;
  archivesChecked: number;
  /** Anything outside its tenant's elected region, or of a tenant the directory does not know. */
  misplaced: Placement[];
  /** Rows of a tenant whose move is under way, in its old or new region. */
  inTransit: Placement[];
}

export function residencyStoresFromEnv(env: NodeJS.ProcessEnv = process.env): ResidencyStores {
  const data = Object.fromEntries(DATA_SUBGRAPH_NAMES.map((name) => [name, regionalDatabaseConfigsFromEnv(storeVariablePrefix(name), name, env)]));
  return {
    ...(data as Record<DataSubgraphName, Record<Region, DatabaseConfig>>),
    directory: databaseConfigFromEnv("STORAGE_REGIONS", "storage-regions", env),
    blobRoot: env.BLOB_STORE_DIR ?? join(dataDir(env), "blobs"),
    platformRegion: platformRegionFromEnv(env),
  };
}

async function query<T>(config: DatabaseConfig, sql: string): Promise<T[]> {
  if (config.type === "sqlite" && !existsSync(config.file)) return [];
  const db = createDataSource(config, { entities: [], migrations: [] });
  await db.initialize();
  try {
    return await db.query<T[]>(sql);
  } finally {
    await db.destroy();
  }
}

/**
 * Opens every region's store of every data subgraph, and every region's archive folder,
 * directly (not through the services), and reports each tenant's rows found outside the
 * region its administrator elected. The proof behind "no row of a tenant outside its region".
 */
export async function checkResidency(stores: ResidencyStores): Promise<ResidencyReport> {
  const directory = new Map<string, { region: Region; state: string; movingTo: Region | null }>();
  for (const row of await query<{ id: string; storage_region: Region; state: string; moving_to: Region | null }>(
    stores.directory,
    "SELECT id, storage_region, state, moving_to FROM tenant",
  )) {
    directory.set(row.id, { region: row.storage_region, state: row.state, movingTo: row.moving_to });
  }
  const report: ResidencyReport = { rowsChecked: 0, archivesChecked: 0, misplaced: [], inTransit: [] };
  const classify = (placement: Omit<Placement, "elected">) => {
    const entry = directory.get(placement.tenantId);
    const elected = placement.tenantId === PLATFORM_TENANT_ID ? stores.platformRegion : entry?.region ?? null;
    const full = { ...placement, elected };
    if (elected === placement.region) return;
    if (entry?.state === "MOVING" && (entry.region === placement.region || entry.movingTo === placement.region)) report.inTransit.push(full);
    else report.misplaced.push(full);
  };

  for (const { name: subgraph, data } of dataSubgraphEntries()) {
    for (const region of REGIONS) {
      for (const table of data.residentTables) {
        const counts = await query<{ tenant_id: string; n: string | number }>(
          stores[subgraph as DataSubgraphName][region],
          `SELECT tenant_id, COUNT(*) AS n FROM ${table} GROUP BY tenant_id`,
        ).catch((error: Error) => {
          // A store that was never migrated holds nothing; any other failure must not pass as "zero".
          if (/no such table|does not exist/.test(error.message)) return [];
          throw error;
        });
        for (const { tenant_id: tenantId, n } of counts) {
          report.rowsChecked += Number(n);
          classify({ store: `${subgraph}.${table}`, region, tenantId, count: Number(n) });
        }
      }
    }
  }
  for (const region of REGIONS) {
    const regionRoot = join(stores.blobRoot, region);
    if (!existsSync(regionRoot)) continue;
    for (const tenant of await readdir(regionRoot, { withFileTypes: true })) {
      if (!tenant.isDirectory()) continue;
      const files = (await readdir(join(regionRoot, tenant.name), { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile());
      if (files.length === 0) continue;
      report.archivesChecked += files.length;
      classify({ store: "blobs", region, tenantId: tenant.name, count: files.length });
    }
  }
  return report;
}
