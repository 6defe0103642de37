import type { KeyLike } from "jose";
import {
  AuditClient,
  createLogger,
  createSubgraphApp,
  CreatePersonalDataFreeze1737000000000,
  PersonalDataFreeze,
  residencyRoutes,
  RegionalStores,
  subjectKeyFiles,
  TenantRegionDirectory,
} from "@dgg/common";
import type { Clock, DatabaseConfig, Region, ServiceLogger, ServiceUrls, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createTelemetryContext } from "./context";
import { TelemetryEvent } from "./entities/telemetry-event.entity";
import { TelemetryHeldEvent } from "./entities/telemetry-held-event.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateTelemetryTables1732500000000 } from "./migrations/1732500000000-create-telemetry-tables";
import { PartitionTelemetryByDay1734000000000 } from "./migrations/1734000000000-partition-telemetry-by-day";
import { TelemetryMonthsAndHeldTable1735000000000 } from "./migrations/1735000000000-telemetry-months-and-held-table";
import { BackgroundWork } from "./services/background-work";
import { PartitionCatalog } from "./services/partitions";
import { telemetryResidencyHooks } from "./services/residency-hooks";
import { deleteTelemetryRows } from "./internal/residency-delete";
import { buildTelemetrySchema } from "./schema";
import { UserLookupClient } from "./services/user-lookup.client";

export interface TelemetryServiceOptions {
  /** One store per region (docs/decisions/0040). */
  databases: Record<Region, DatabaseConfig>;
  /** Each region's subject-key file (docs/decisions/0044); default `subjectKeyFiles("telemetry", databases)`. */
  subjectKeys?: Record<Region, string>;
  /** Home of platform-wide records (entries of PLATFORM_TENANT_ID). */
  platformRegion: Region;
  /** How long a tenant's region is cached (default 2 s). */
  regionCacheTtlMs?: number;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "users" | "storageRegions">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs (requests, one line per store and retention purge); created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
  /** How often the service creates day partitions ahead (PostgreSQL); 0 turns the timer off. Default one hour. */
  partitionMaintenanceMs?: number;
}

export interface TelemetryService extends SubgraphApp {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
}

export const telemetryEntities = [TelemetryEvent, TelemetryHeldEvent, PersonalDataFreeze];
export const telemetryMigrations = [
  CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000, TelemetryMonthsAndHeldTable1735000000000,
  CreatePersonalDataFreeze1737000000000,
];

const HOUR_MS = 60 * 60 * 1000;

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createTelemetryService(options: TelemetryServiceOptions): Promise<TelemetryService> {
  const stores = await RegionalStores.open(
    options.databases,
    { entities: telemetryEntities, migrations: telemetryMigrations, logger: options.logger },
    options.subjectKeys ?? subjectKeyFiles("telemetry", options.databases),
  );
  const regions = new TenantRegionDirectory(options.urls.storageRegions, options.platformRegion, options.regionCacheTtlMs);
  const log = options.log ?? createLogger("telemetry");
  // PostgreSQL regions keep telemetry in month and day partitions, one catalog per regional store.
  const catalogs = new Map(stores.entries().filter(([, db]) => db.options.type === "postgres").map(([, db]) => [db, new PartitionCatalog(db)] as const));
  const deps = {
    stores,
    regions,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    users: new UserLookupClient(options.urls.users),
    partitionsFor: (db: DataSource) => catalogs.get(db) ?? null,
    background: new BackgroundWork(log),
    log,
  };
  // The service keeps its own partitions ready: today and the days ahead exist before any event needs them.
  const ensureAhead = () => Promise.all([...catalogs.values()].map((catalog) => catalog.ensureAhead(options.clock.now())));
  await ensureAhead();
  const maintenanceMs = options.partitionMaintenanceMs ?? HOUR_MS;
  const maintenance =
    catalogs.size > 0 && maintenanceMs > 0
      ? setInterval(() => {
          ensureAhead().catch((error: unknown) => log.error({ err: error }, "could not create partitions ahead"));
        }, maintenanceMs).unref()
      : null;
  const { schema } = await buildTelemetrySchema();
  const app = await createSubgraphApp({
    name: "telemetry",
    log,
    stores: () => stores.entries().map(([region, db]) => ({ name: region, db })),
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: (_viewer, token, denials) => deps.audit.recordDenials(token, denials),
    context: (viewer, token) => createTelemetryContext(deps, viewer, token),
    internalRoutes: [...personalDataRoutes(deps), ...residencyRoutes(stores, [TelemetryEvent, TelemetryHeldEvent, PersonalDataFreeze], {
      ...telemetryResidencyHooks(deps.partitionsFor),
      deleteRows: deleteTelemetryRows,
      // Both event tables are indexed by (tenant_id, occurred_at): moves page along it.
      keysetOf: (table) => (table === TelemetryEvent || table === TelemetryHeldEvent ? "occurredAt" : undefined),
    })],
  });
  return {
    ...app,
    stores,
    regions,
    stop: async () => {
      if (maintenance) clearInterval(maintenance);
      await app.stop();
      await deps.background.drain();
      await stores.destroy();
    },
  };
}
