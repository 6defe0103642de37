import { AuditClient, createDataSubgraphService, CreatePersonalDataFreeze1737000000000, denialsToAudit, PersonalDataFreeze, residencyRoutes } from "@dgg/common";
import type { DataSubgraphBase, DataSubgraphService, DataSubgraphServiceOptions, ServiceUrls } from "@dgg/common";
import type { DataSource } from "typeorm";
import { createTelemetryContext } from "./context";
import type { TelemetryContext, TelemetryDeps } from "./context";
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

export interface TelemetryServiceOptions extends DataSubgraphServiceOptions {
  urls: Pick<ServiceUrls, "audit" | "users" | "storageRegions">;
  /** How often the service creates day partitions ahead (PostgreSQL); 0 turns the timer off. Default one hour. */
  partitionMaintenanceMs?: number;
}

export type TelemetryService = DataSubgraphService<TelemetryDeps>;

export const telemetryEntities = [TelemetryEvent, TelemetryHeldEvent, PersonalDataFreeze];
export const telemetryMigrations = [
  CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000, TelemetryMonthsAndHeldTable1735000000000,
  CreatePersonalDataFreeze1737000000000,
];

const HOUR_MS = 60 * 60 * 1000;

/** The service keeps its own partitions ready (PostgreSQL): today and the days ahead exist before any event needs them. */
async function telemetryDeps(base: DataSubgraphBase, options: TelemetryServiceOptions): Promise<TelemetryDeps> {
  const { stores, log } = base;
  // PostgreSQL regions keep telemetry in month and day partitions, one catalog per regional store.
  const catalogs = new Map(stores.entries().filter(([, db]) => db.options.type === "postgres").map(([, db]) => [db, new PartitionCatalog(db)] as const));
  const ensureAhead = () => Promise.all([...catalogs.values()].map((catalog) => catalog.ensureAhead(options.clock.now())));
  await ensureAhead();
  const maintenanceMs = options.partitionMaintenanceMs ?? HOUR_MS;
  return {
    ...base,
    audit: new AuditClient(options.urls.audit),
    users: new UserLookupClient(options.urls.users),
    partitionsFor: (db: DataSource) => catalogs.get(db) ?? null,
    background: new BackgroundWork(log),
    maintenance:
      catalogs.size > 0 && maintenanceMs > 0
        ? setInterval(() => {
            ensureAhead().catch((error: unknown) => log.error({ err: error }, "could not create partitions ahead"));
          }, maintenanceMs).unref()
        : null,
  };
}

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export function createTelemetryService(options: TelemetryServiceOptions): Promise<TelemetryService> {
  return createDataSubgraphService<TelemetryDeps, TelemetryContext>(
    {
      name: "telemetry",
      entities: telemetryEntities,
      migrations: telemetryMigrations,
      schema: buildTelemetrySchema,
      deps: (base) => telemetryDeps(base, options),
      context: createTelemetryContext,
      recordDenials: (deps) => denialsToAudit(deps.audit),
      internalRoutes: (deps) => [
        ...personalDataRoutes(deps),
        ...residencyRoutes(deps.stores, [TelemetryEvent, TelemetryHeldEvent, PersonalDataFreeze], {
          ...telemetryResidencyHooks(deps.partitionsFor),
          deleteRows: deleteTelemetryRows,
          // Both event tables are indexed by (tenant_id, occurred_at): moves page along it.
          keysetOf: (table) => (table === TelemetryEvent || table === TelemetryHeldEvent ? "occurredAt" : undefined),
        }),
      ],
      stop: async (deps) => {
        if (deps.maintenance) clearInterval(deps.maintenance);
        await deps.background.drain();
      },
    },
    options,
  );
}
