import { AuditClient, createDataSubgraphService, CreatePersonalDataFreeze1737000000000, denialsToAudit, PersonalDataFreeze, residencyRoutes, TenantDirectoryClient } from "@dgg/common";
import type { DataSubgraphService, DataSubgraphServiceOptions, ServiceUrls } from "@dgg/common";
import { createUsersContext } from "./context";
import type { UsersContext, UsersDeps } from "./context";
import { Device } from "./entities/device.entity";
import { UserAccount } from "./entities/user-account.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateUsersTables1732400000000 } from "./migrations/1732400000000-create-users-tables";
import { SealUsersContent1738000000000 } from "./migrations/1738000000000-seal-users-content";
import { DeviceUserKeyFollowsAliases1739000000000 } from "./migrations/1739000000000-device-user-key-follows-aliases";
import { sealLegacyRows } from "./services/legacy-sealing";
import { buildUsersSchema } from "./schema";

export interface UsersServiceOptions extends DataSubgraphServiceOptions {
  urls: Pick<ServiceUrls, "audit" | "storageRegions">;
}

export type UsersService = DataSubgraphService<UsersDeps>;

export const usersEntities = [UserAccount, Device, PersonalDataFreeze];
export const usersMigrations = [CreateUsersTables1732400000000, CreatePersonalDataFreeze1737000000000, SealUsersContent1738000000000, DeviceUserKeyFollowsAliases1739000000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export function createUsersService(options: UsersServiceOptions): Promise<UsersService> {
  return createDataSubgraphService<UsersDeps, UsersContext>(
    {
      name: "users",
      entities: usersEntities,
      migrations: usersMigrations,
      schema: buildUsersSchema,
      deps: async (base): Promise<UsersDeps> => {
        await sealLegacyRows(base.stores);
        return { ...base, audit: new AuditClient(options.urls.audit), tenants: new TenantDirectoryClient(options.urls.storageRegions) };
      },
      context: createUsersContext,
      recordDenials: (deps) => denialsToAudit(deps.audit),
      internalRoutes: (deps) => [...personalDataRoutes(deps), ...residencyRoutes(deps.stores, [UserAccount, Device, PersonalDataFreeze])],
    },
    options,
  );
}
