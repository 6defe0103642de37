import type { KeyLike } from "jose";
import {
  AuditClient,
  createSubgraphApp,
  CreatePersonalDataFreeze1737000000000,
  PersonalDataFreeze,
  residencyRoutes,
  RegionalStores,
  subjectKeyFiles,
  TenantDirectoryClient,
  TenantRegionDirectory,
} from "@dgg/common";
import type { Clock, DatabaseConfig, Region, ServiceUrls, SubgraphApp, ServiceLogger } from "@dgg/common";
import type { Logger } from "typeorm";
import { createUsersContext } from "./context";
import { Device } from "./entities/device.entity";
import { UserAccount } from "./entities/user-account.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateUsersTables1732400000000 } from "./migrations/1732400000000-create-users-tables";
import { SealUsersContent1738000000000 } from "./migrations/1738000000000-seal-users-content";
import { sealLegacyRows } from "./services/legacy-sealing";
import { buildUsersSchema } from "./schema";

export interface UsersServiceOptions {
  /** One store per region (docs/decisions/0040). */
  databases: Record<Region, DatabaseConfig>;
  /** Each region's subject-key file (docs/decisions/0044); default `subjectKeyFiles("users", databases)`. */
  subjectKeys?: Record<Region, string>;
  /** Where platform-wide records live; users holds none, but the directory needs one. */
  platformRegion: Region;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "storageRegions">;
  /** How long a tenant's region is cached (default 2 s). */
  regionCacheTtlMs?: number;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
}

export interface UsersService extends SubgraphApp {
  stores: RegionalStores;
  regions: TenantRegionDirectory;
}

export const usersEntities = [UserAccount, Device, PersonalDataFreeze];
export const usersMigrations = [CreateUsersTables1732400000000, CreatePersonalDataFreeze1737000000000, SealUsersContent1738000000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createUsersService(options: UsersServiceOptions): Promise<UsersService> {
  const stores = await RegionalStores.open(
    options.databases,
    { entities: usersEntities, migrations: usersMigrations, logger: options.logger },
    options.subjectKeys ?? subjectKeyFiles("users", options.databases),
  );
  await sealLegacyRows(stores);
  const regions = new TenantRegionDirectory(options.urls.storageRegions, options.platformRegion, options.regionCacheTtlMs);
  const deps = {
    stores,
    regions,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    tenants: new TenantDirectoryClient(options.urls.storageRegions),
  };
  const { schema } = await buildUsersSchema();
  const app = await createSubgraphApp({
    name: "users",
    log: options.log,
    stores: () => stores.entries().map(([region, db]) => ({ name: region, db })),
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: (_viewer, token, denials) => deps.audit.recordDenials(token, denials),
    context: (viewer, token) => createUsersContext(deps, viewer, token),
    internalRoutes: [...personalDataRoutes(deps), ...residencyRoutes(stores, [UserAccount, Device, PersonalDataFreeze])],
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
