import type { KeyLike } from "jose";
import { AuditClient, createDataSource, createSubgraphApp, openDataSource, TenantDirectoryClient } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp } from "@dgg/common";
import type { DataSource, Logger } from "typeorm";
import { createUsersContext } from "./context";
import { Device } from "./entities/device.entity";
import { UserAccount } from "./entities/user-account.entity";
import { personalDataRoutes } from "./internal/personal-data.routes";
import { CreateUsersTables1732400000000 } from "./migrations/1732400000000-create-users-tables";
import { buildUsersSchema } from "./schema";

export interface UsersServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "audit" | "storageRegions">;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
}

export interface UsersService extends SubgraphApp {
  db: DataSource;
}

export const usersEntities = [UserAccount, Device];
export const usersMigrations = [CreateUsersTables1732400000000];

/** Opens the store (applying migrations) and builds the app; `index.ts` listens. */
export async function createUsersService(options: UsersServiceOptions): Promise<UsersService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: usersEntities, migrations: usersMigrations, logger: options.logger }),
  );
  const deps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    tenants: new TenantDirectoryClient(options.urls.storageRegions),
  };
  const { schema } = await buildUsersSchema();
  const app = await createSubgraphApp({
    name: "users",
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: (_viewer, token, denials) => deps.audit.recordDenials(token, denials),
    context: (viewer, token) => createUsersContext(deps, viewer, token),
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
