import { join } from "node:path";
import type { DataSource } from "typeorm";
import { createDataSource, openDataSource } from "./db";
import type { DatabaseConfig, DataSourceOptions } from "./db";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { dataDir } from "./keys";
import { aliasIdsWrittenBefore, SealingSubscriber, storeIdsUnderAliases, SubjectKeyStore } from "./subject-keys";

/**
 * Reads one store per region for a data subgraph: `<PREFIX>_DATABASE_URL_<REGION>`
 * (e.g. USERS_DATABASE_URL_EUROPE=postgres://...), or the embedded default
 * `.data/<REGION>/<name>.sqlite`. There is deliberately no single URL for all regions:
 * a tenant's rows may only ever be written to its own region's store.
 */
export function regionalDatabaseConfigsFromEnv(prefix: string, name: string, env: NodeJS.ProcessEnv = process.env): Record<Region, DatabaseConfig> {
  if (env[`${prefix}_DATABASE_URL`]) {
    throw new Error(
      `${prefix}_DATABASE_URL is not used by a regional store: set ${REGIONS.map((region) => `${prefix}_DATABASE_URL_${region}`).join(", ")}`,
    );
  }
  const configs = {} as Record<Region, DatabaseConfig>;
  for (const region of REGIONS) {
    const url = env[`${prefix}_DATABASE_URL_${region}`];
    if (!url) configs[region] = { type: "sqlite", file: join(dataDir(env), region, `${name}.sqlite`) };
    else if (url.startsWith("postgres://") || url.startsWith("postgresql://")) configs[region] = { type: "postgres", url };
    else if (url.startsWith("sqlite:")) configs[region] = { type: "sqlite", file: url.slice("sqlite:".length) };
    else throw new Error(`${prefix}_DATABASE_URL_${region} must start with postgres://, postgresql:// or sqlite:, got ${JSON.stringify(url)}`);
  }
  return configs;
}

/**
 * A data subgraph's stores, one per region, each with the same entities and migrations, and
 * each with the region's subject keys (docs/decisions/0044): personal content declared with
 * `sealedEntity` is sealed on every write and opened on every load through that store, and
 * the ids it declares aliased are stored under aliases (docs/decisions/0051).
 */
export class RegionalStores {
  private constructor(
    private readonly stores: Map<Region, DataSource>,
    private readonly keyStores: Map<Region, SubjectKeyStore>,
  ) {}

  /** Opens every region's store and key file and applies pending migrations to each store. */
  static async open(configs: Record<Region, DatabaseConfig>, options: DataSourceOptions, keyFiles: Record<Region, string>): Promise<RegionalStores> {
    const stores = new Map<Region, DataSource>();
    const keyStores = new Map<Region, SubjectKeyStore>();
    try {
      for (const region of REGIONS) {
        const keys = SubjectKeyStore.open(keyFiles[region]);
        keyStores.set(region, keys);
        const db = await openDataSource(createDataSource(configs[region], options));
        stores.set(region, db);
        (db.subscribers as SealingSubscriber[]).push(new SealingSubscriber(keys));
        storeIdsUnderAliases(db, keys);
        await aliasIdsWrittenBefore(db, keys);
      }
    } catch (error) {
      await Promise.all([...stores.values()].map((store) => store.destroy()));
      for (const keys of keyStores.values()) keys.close();
      throw error;
    }
    return new RegionalStores(stores, keyStores);
  }

  /** The subject keys of a region. */
  keys(region: Region): SubjectKeyStore {
    const keys = this.keyStores.get(region);
    if (!keys) throw new Error(`no subject keys for region ${region}`);
    return keys;
  }

  /** The subject keys of the region `db` is the store of. */
  keysOf(db: DataSource): SubjectKeyStore {
    for (const [region, store] of this.stores) if (store === db) return this.keys(region);
    throw new Error("keysOf: the data source is not one of these regional stores");
  }

  get(region: Region): DataSource {
    const store = this.stores.get(region);
    if (!store) throw new Error(`no store for region ${region}`);
    return store;
  }

  entries(): [Region, DataSource][] {
    return [...this.stores.entries()];
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.stores.values()].map((store) => store.destroy()));
    for (const keys of this.keyStores.values()) keys.close();
  }
}
