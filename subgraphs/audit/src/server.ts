import { createDataSubgraphService, residencyRoutes } from "@dgg/common";
import type { DataSubgraphService, DataSubgraphServiceOptions } from "@dgg/common";
import { createAuditContext } from "./context";
import type { AuditContext, AuditDeps } from "./context";
import { AuditErasedSubject } from "./entities/audit-erased-subject.entity";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { auditEntriesRoutes } from "./internal/audit-entries.routes";
import { denialRoutes } from "./internal/denials.routes";
import { StoreAppendGroups } from "./services/append-groups";
import { appendEntries, commitEntries, MAX_ENTRIES_PER_APPEND } from "./services/audit-entries.service";
import { denialEntries } from "./services/denials.service";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateAuditTables1732400000300 } from "./migrations/1732400000300-create-audit-tables";
import { AddAuditOutcome1733000000000 } from "./migrations/1733000000000-add-audit-outcome";
import { AuditActorUserAndErasedSubjects1737000000000 } from "./migrations/1737000000000-audit-actor-user-and-erased-subjects";
import { buildAuditSchema } from "./schema";

export type AuditServiceOptions = DataSubgraphServiceOptions;

export type AuditService = DataSubgraphService<AuditDeps>;

export const auditEntities = [AuditLogEntry, AuditErasedSubject];
export const auditMigrations = [CreateAuditTables1732400000300, AddAuditOutcome1733000000000, AuditActorUserAndErasedSubjects1737000000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export function createAuditService(options: AuditServiceOptions): Promise<AuditService> {
  return createDataSubgraphService<AuditDeps, AuditContext>(
    {
      name: "audit",
      entities: auditEntities,
      migrations: auditMigrations,
      schema: buildAuditSchema,
      deps: (base) => ({ ...base, appends: new StoreAppendGroups((db, rows) => commitEntries(base.stores, db, rows), MAX_ENTRIES_PER_APPEND) }),
      context: createAuditContext,
      // The trail's own refusals go straight into its store, with the same entries the route writes.
      recordDenials: (deps) => async (viewer, token, denials) => {
        await appendEntries(deps, viewer, token, denialEntries(viewer, denials), "platform");
      },
      internalRoutes: (deps) => [...auditEntriesRoutes(deps), ...denialRoutes(deps), ...personalDataRoutes(deps), ...residencyRoutes(deps.stores, [AuditLogEntry], { keysetOf: () => "occurredAt" })],
    },
    options,
  );
}
