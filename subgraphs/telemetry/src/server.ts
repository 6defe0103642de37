import type { KeyLike } from "jose";
import { AuditClient, createDataSource, createSubgraphApp, openDataSource } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createTelemetryContext } from "./context";
import { TelemetryEvent } from "./entities/telemetry-event.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateTelemetryTables1732500000000 } from "./migrations/1732500000000-create-telemetry-tables";
import { buildTelemetrySchema } from "./schema";
import { UserLookupClient } from "./services/user-lookup.client";

export interface TelemetryServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "users">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
}

export interface TelemetryService extends SubgraphApp {
  db: DataSource;
}

export const telemetryEntities = [TelemetryEvent];
export const telemetryMigrations = [CreateTelemetryTables1732500000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createTelemetryService(options: TelemetryServiceOptions): Promise<TelemetryService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: telemetryEntities, migrations: telemetryMigrations, logger: options.logger }),
  );
  const deps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    users: new UserLookupClient(options.urls.users),
  };
  const { schema } = await buildTelemetrySchema();
  const app = await createSubgraphApp({
    name: "telemetry",
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: (_viewer, token, denials) => deps.audit.recordDenials(token, denials),
    context: (viewer, token) => createTelemetryContext(deps, viewer, token),
    internalRoutes: personalDataRoutes(deps),
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
