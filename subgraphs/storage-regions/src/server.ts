import { MoveTraceParent1738100000000 } from "./migrations/1738100000000-move-trace-parent";
import type { KeyLike } from "jose";
import { AuditClient, createDataSource, createSubgraphApp, denialsToAudit, openDataSource, ServiceMetrics } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp, ServiceLogger } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createStorageRegionsContext } from "./context";
import { Tenant } from "./entities/tenant.entity";
import { TenantMove } from "./entities/tenant-move.entity";
import { tenantRoutes } from "./internal/tenants.routes";
import { moveRoutes } from "./internal/moves.routes";
import { storageLayoutRoutes } from "./internal/storage-layout.routes";
import { CreateTenantTable1732400300000 } from "./migrations/1732400300000-create-tenant-table";
import { AddTenantMoves1736000000000 } from "./migrations/1736000000000-add-tenant-moves";
import { AddMoveCancel1737000000000 } from "./migrations/1737000000000-add-move-cancel";
import { registerMoveMetrics } from "./metrics/move-metrics";
import { buildStorageRegionsSchema } from "./schema";
import type { StorageLayout } from "./storage-layout";

export interface StorageRegionsServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  clock: Clock;
  /** Which stores each data category lives in (env STORAGE_LAYOUT, see storage-layout.ts). */
  layout: StorageLayout;
  /** How long a move waits before copying (default 5 s): must exceed the data subgraphs' region cache TTL. */
  moveFreezeMs?: number;
  urls: Pick<ServiceUrls, "audit">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
}

export interface StorageRegionsService extends SubgraphApp {
  db: DataSource;
}

export const storageRegionsEntities = [Tenant, TenantMove];
export const storageRegionsMigrations = [CreateTenantTable1732400300000, AddTenantMoves1736000000000, AddMoveCancel1737000000000, MoveTraceParent1738100000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createStorageRegionsService(options: StorageRegionsServiceOptions): Promise<StorageRegionsService> {
  const db = await openDataSource(
    createDataSource(options.database, {
      entities: storageRegionsEntities,
      migrations: storageRegionsMigrations,
      logger: options.logger,
    }),
  );
  const deps = { db, clock: options.clock, audit: new AuditClient(options.urls.audit), layout: options.layout, moveFreezeMs: options.moveFreezeMs ?? 5000 };
  const { schema } = await buildStorageRegionsSchema();
  const metrics = new ServiceMetrics("storage-regions");
  registerMoveMetrics(metrics, db);
  const app = await createSubgraphApp({
    name: "storage-regions",
    log: options.log,
    stores: () => [{ name: "directory", db }],
    metrics,
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: denialsToAudit(deps.audit),
    context: (viewer, token) => createStorageRegionsContext(deps, viewer, token),
    internalRoutes: [...tenantRoutes(deps), ...moveRoutes(deps), ...storageLayoutRoutes(deps)],
  });
  return {
    ...app,
    db,
    stop: async () => {
      await app.stop();
      await db.destroy();
    },
  };
}
