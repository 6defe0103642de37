import { join } from "node:path";
import type { DataSource } from "typeorm";
import { createDataSource, openDataSource } from "./db";
import type { DatabaseConfig, DataSourceOptions } from "./db";
import { REGIONS } from "./enums";
import type { Region } from "./enums";
import { dataDir } from "./keys";

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

/** A data subgraph's stores, one per region, each with the same entities and migrations. */
export class RegionalStores {
  private constructor(private readonly stores: Map<Region, DataSource>) {}

  /** Opens every region's store and applies pending migrations to each. */
  static async open(configs: Record<Region, DatabaseConfig>, options: DataSourceOptions): Promise<RegionalStores> {
    const stores = new Map<Region, DataSource>();
    for (const region of REGIONS) {
      stores.set(region, await openDataSource(createDataSource(configs[region], options)));
    }
    return new RegionalStores(stores);
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
  }
}
