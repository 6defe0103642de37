import type { GraphQLSchema } from "graphql";
import type { KeyLike } from "jose";
import type { Logger } from "typeorm";
import type { Clock } from "./clock";
import type { DatabaseConfig, DataSourceOptions } from "./db";
import type { Region } from "./enums";
import type { Viewer } from "./identity";
import { createLogger } from "./logging";
import type { ServiceLogger } from "./logging";
import { RegionalStores } from "./regional-stores";
import type { ServiceUrls } from "./service-registry";
import { subjectKeyFiles } from "./subject-keys";
import { createSubgraphApp } from "./subgraph-server";
import type { DenialRecorder } from "./denial-audit";
import type { InternalRoute, SubgraphApp } from "./subgraph-server";
import { TenantRegionDirectory } from "./tenant-regions";

/** What every data subgraph's factory takes (each adds its own options). */
export interface DataSubgraphServiceOptions {
  /** One store per region (docs/decisions/0040). */
  databases: Record<Region, DatabaseConfig>;
  /** Each region's subject-key file (docs/decisions/0044); default `subjectKeyFiles(name, databases)`. */
  subjectKeys?: Record<Region, string>;
  /** Home of platform-wide records (entries of PLATFORM_TENANT_ID). */
  platformRegion: Region;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "storageRegions">;
  /** How long a tenant's region is cached (default 2 s). */
  regionCacheTtlMs?: number;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
}

/** What every data subgraph's dependencies start from. */
export interface DataSubgraphBase {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
  clock: Clock;
  log: ServiceLogger;
}

/** A data subgraph: its tables, its schema, and how its dependencies, context and internal routes are made. */
export interface DataSubgraphDefinition<D extends DataSubgraphBase, C extends object> {
  /** Its registry name (`SERVICES`). */
  name: string;
  entities: DataSourceOptions["entities"];
  migrations: DataSourceOptions["migrations"];
  schema: () => Promise<{ schema: GraphQLSchema }>;
  /** The service's dependencies, once its stores are open (and anything to do before it serves). */
  deps: (base: DataSubgraphBase) => D | Promise<D>;
  context: (deps: D, viewer: Viewer, token: string) => C | Promise<C>;
  /** Its personal-data contract routes, residency routes and any of its own. */
  internalRoutes: (deps: D) => InternalRoute[];
  /** Where the FORBIDDEN answers it gives are recorded (the audit trail). */
  recordDenials: (deps: D) => DenialRecorder;
  /** Stops its own background work, after the app and before the stores close. */
  stop?: (deps: D) => Promise<void>;
}

export interface DataSubgraphService<D> extends SubgraphApp {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
  deps: D;
}

/**
 * The wiring every data subgraph shares: regional stores opened and migrated with their key
 * files, the tenant-region directory, the subgraph app (probes, metrics, the GraphQL endpoint
 * behind the internal identity, the internal routes), and an orderly stop.
 */
export async function createDataSubgraphService<D extends DataSubgraphBase, C extends object>(
  definition: DataSubgraphDefinition<D, C>,
  options: DataSubgraphServiceOptions,
): Promise<DataSubgraphService<D>> {
  const { name } = definition;
  const stores = await RegionalStores.open(
    options.databases,
    { entities: definition.entities, migrations: definition.migrations, logger: options.logger },
    options.subjectKeys ?? subjectKeyFiles(name, options.databases),
  );
  const regions = new TenantRegionDirectory(options.urls.storageRegions, options.platformRegion, options.regionCacheTtlMs);
  const log = options.log ?? createLogger(name);
  const deps = await definition.deps({ stores, regions, clock: options.clock, log });
  const { schema } = await definition.schema();
  const app = await createSubgraphApp({
    name,
    log,
    stores: () => stores.entries().map(([region, db]) => ({ name: region, db })),
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: definition.recordDenials(deps),
    context: (viewer, token) => definition.context(deps, viewer, token),
    internalRoutes: definition.internalRoutes(deps),
  });
  return {
    ...app,
    stores,
    regions,
    deps,
    stop: async () => {
      await app.stop();
      await definition.stop?.(deps);
      await stores.destroy();
    },
  };
}
