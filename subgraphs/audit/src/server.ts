import type { KeyLike } from "jose";
import { createDataSource, createSubgraphApp, openDataSource } from "@dgg/common";
import type { Clock, DatabaseConfig, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createAuditContext } from "./context";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { auditEntriesRoutes } from "./internal/audit-entries.routes";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateAuditTables1732400000300 } from "./migrations/1732400000300-create-audit-tables";
import { buildAuditSchema } from "./schema";

export interface AuditServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  clock: Clock;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
}

export interface AuditService extends SubgraphApp {
  db: DataSource;
}

export const auditEntities = [AuditLogEntry];
export const auditMigrations = [CreateAuditTables1732400000300];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createAuditService(options: AuditServiceOptions): Promise<AuditService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: auditEntities, migrations: auditMigrations, logger: options.logger }),
  );
  const deps = { db, clock: options.clock };
  const { schema } = await buildAuditSchema();
  const app = await createSubgraphApp({
    name: "audit",
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    context: (viewer, token) => createAuditContext(deps, viewer, token),
    internalRoutes: [...auditEntriesRoutes(deps), ...personalDataRoutes(deps)],
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
