import type { KeyLike } from "jose";
import { createDataSource, createSubgraphApp, openDataSource } from "@dgg/common";
import type { Clock, DatabaseConfig, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createAuditContext } from "./context";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { auditEntriesRoutes } from "./internal/audit-entries.routes";
import { denialRoutes } from "./internal/denials.routes";
import { appendEntries } from "./services/audit-entries.service";
import { denialEntries } from "./services/denials.service";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateAuditTables1732400000300 } from "./migrations/1732400000300-create-audit-tables";
import { AddAuditOutcome1733000000000 } from "./migrations/1733000000000-add-audit-outcome";
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
export const auditMigrations = [CreateAuditTables1732400000300, AddAuditOutcome1733000000000];

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
    // The trail's own refusals go straight into its store, with the same entries the route writes.
    recordDenials: async (viewer, _token, denials) => {
      await appendEntries(deps, viewer, denialEntries(viewer, denials));
    },
    context: (viewer, token) => createAuditContext(deps, viewer, token),
    internalRoutes: [...auditEntriesRoutes(deps), ...denialRoutes(deps), ...personalDataRoutes(deps)],
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
