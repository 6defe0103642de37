import type { KeyLike } from "jose";
import { AuditClient, createSubgraphApp, residencyRoutes, RegionalStores, TenantRegionDirectory } from "@dgg/common";
import type { Clock, DatabaseConfig, Region, ServiceUrls, SubgraphApp } from "@dgg/common";
import type { Logger } from "typeorm";
import { createTelemetryContext } from "./context";
import { TelemetryEvent } from "./entities/telemetry-event.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateTelemetryTables1732500000000 } from "./migrations/1732500000000-create-telemetry-tables";
import { buildTelemetrySchema } from "./schema";
import { UserLookupClient } from "./services/user-lookup.client";

export interface TelemetryServiceOptions {
  /** One store per region (docs/decisions/0040). */
  databases: Record<Region, DatabaseConfig>;
  /** Home of platform-wide records (entries of PLATFORM_TENANT_ID). */
  platformRegion: Region;
  /** How long a tenant's region is cached (default 2 s). */
  regionCacheTtlMs?: number;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "users" | "storageRegions">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
}

export interface TelemetryService extends SubgraphApp {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
}

export const telemetryEntities = [TelemetryEvent];
export const telemetryMigrations = [CreateTelemetryTables1732500000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createTelemetryService(options: TelemetryServiceOptions): Promise<TelemetryService> {
  const stores = await RegionalStores.open(options.databases, { entities: telemetryEntities, migrations: telemetryMigrations, logger: options.logger });
  const regions = new TenantRegionDirectory(options.urls.storageRegions, options.platformRegion, options.regionCacheTtlMs);
  const deps = {
    stores,
    regions,
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
    internalRoutes: [...personalDataRoutes(deps), ...residencyRoutes(stores, [TelemetryEvent])],
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
