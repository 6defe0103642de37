import type { KeyLike } from "jose";
import { createSubgraphApp, residencyRoutes, RegionalStores, subjectKeyFiles, TenantRegionDirectory } from "@dgg/common";
import type { Clock, DatabaseConfig, Region, ServiceUrls, SubgraphApp, ServiceLogger } from "@dgg/common";
import type { Logger } from "typeorm";
import { createAuditContext } from "./context";
import { AuditErasedSubject } from "./entities/audit-erased-subject.entity";
import { AuditLogEntry } from "./entities/audit-log-entry.entity";
import { auditEntriesRoutes } from "./internal/audit-entries.routes";
import { denialRoutes } from "./internal/denials.routes";
import { appendEntries } from "./services/audit-entries.service";
import { denialEntries } from "./services/denials.service";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateAuditTables1732400000300 } from "./migrations/1732400000300-create-audit-tables";
import { AddAuditOutcome1733000000000 } from "./migrations/1733000000000-add-audit-outcome";
import { AuditActorUserAndErasedSubjects1737000000000 } from "./migrations/1737000000000-audit-actor-user-and-erased-subjects";
import { buildAuditSchema } from "./schema";

export interface AuditServiceOptions {
  /** One store per region (docs/decisions/0040). */
  databases: Record<Region, DatabaseConfig>;
  /** Each region's subject-key file (docs/decisions/0044); default `subjectKeyFiles("audit", databases)`. */
  subjectKeys?: Record<Region, string>;
  /** Home of platform-wide records (entries of PLATFORM_TENANT_ID). */
  platformRegion: Region;
  /** How long a tenant's region is cached (default 2 s). */
  regionCacheTtlMs?: number;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "storageRegions">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
}

export interface AuditService extends SubgraphApp {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
}

export const auditEntities = [AuditLogEntry, AuditErasedSubject];
export const auditMigrations = [CreateAuditTables1732400000300, AddAuditOutcome1733000000000, AuditActorUserAndErasedSubjects1737000000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createAuditService(options: AuditServiceOptions): Promise<AuditService> {
  const stores = await RegionalStores.open(
    options.databases,
    { entities: auditEntities, migrations: auditMigrations, logger: options.logger },
    options.subjectKeys ?? subjectKeyFiles("audit", options.databases),
  );
  const regions = new TenantRegionDirectory(options.urls.storageRegions, options.platformRegion, options.regionCacheTtlMs);
  const deps = { stores, regions, clock: options.clock };
  const { schema } = await buildAuditSchema();
  const app = await createSubgraphApp({
    name: "audit",
    log: options.log,
    stores: () => stores.entries().map(([region, db]) => ({ name: region, db })),
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    // The trail's own refusals go straight into its store, with the same entries the route writes.
    recordDenials: async (viewer, token, denials) => {
      await appendEntries(deps, viewer, token, denialEntries(viewer, denials), "platform");
    },
    context: (viewer, token) => createAuditContext(deps, viewer, token),
    internalRoutes: [...auditEntriesRoutes(deps), ...denialRoutes(deps), ...personalDataRoutes(deps), ...residencyRoutes(stores, [AuditLogEntry], { keysetOf: () => "occurredAt" })],
  });
  return {
    ...app,
    stores,
    regions,
    stop: async () => {
      await app.stop();
      await stores.destroy();
    },
  };
}
