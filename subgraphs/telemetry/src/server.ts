import type { KeyLike } from "jose";
import { AuditClient, createDataSource, createSubgraphApp, openDataSource } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createTelemetryContext } from "./context";
import { TelemetryEvent } from "./entities/telemetry-event.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateTelemetryTables1732500000000 } from "./migrations/1732500000000-create-telemetry-tables";
import { PartitionTelemetryByDay1734000000000 } from "./migrations/1734000000000-partition-telemetry-by-day";
import { BackgroundWork } from "./services/background-work";
import { PartitionCatalog } from "./services/partitions";
import { buildTelemetrySchema } from "./schema";
import { UserLookupClient } from "./services/user-lookup.client";

export interface TelemetryServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "users">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** How often the service creates day partitions ahead (PostgreSQL); 0 turns the timer off. Default one hour. */
  partitionMaintenanceMs?: number;
}

export interface TelemetryService extends SubgraphApp {
  db: DataSource;
}

export const telemetryEntities = [TelemetryEvent];
export const telemetryMigrations = [CreateTelemetryTables1732500000000, PartitionTelemetryByDay1734000000000];

const HOUR_MS = 60 * 60 * 1000;

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createTelemetryService(options: TelemetryServiceOptions): Promise<TelemetryService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: telemetryEntities, migrations: telemetryMigrations, logger: options.logger }),
  );
  const partitions = db.options.type === "postgres" ? new PartitionCatalog(db) : null;
  const deps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    users: new UserLookupClient(options.urls.users),
    partitions,
    background: new BackgroundWork(),
  };
  // The service keeps its own partitions ready: today and the days ahead exist before any event needs them.
  await partitions?.ensureAhead(options.clock.now());
  const maintenanceMs = options.partitionMaintenanceMs ?? HOUR_MS;
  const maintenance =
    partitions && maintenanceMs > 0
      ? setInterval(() => {
          partitions.ensureAhead(options.clock.now()).catch((error: unknown) => {
            console.error(`[telemetry] could not create partitions ahead: ${String(error)}`);
          });
        }, maintenanceMs).unref()
      : null;
  const { schema } = await buildTelemetrySchema();
  const app = await createSubgraphApp({
    name: "telemetry",
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    context: (viewer, token) => createTelemetryContext(deps, viewer, token),
    internalRoutes: personalDataRoutes(deps),
  });
  return {
    ...app,
    db,
    stop: async () => {
      if (maintenance) clearInterval(maintenance);
      await app.stop();
      await deps.background.drain();
      await db.destroy();
    },
  };
}
