import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { AuditClient, Clock, TenantDirectoryClient, Viewer } from "@dgg/common";
import type { UserAccount } from "./entities/user-account.entity";
import { createUserLoader } from "./loaders/user.loader";
import { createDevicesPageLoader } from "./loaders/devices-page.loader";
import type { DevicesPageKey } from "./loaders/devices-page.loader";
import type { DeviceConnection } from "./types/device-connection.type";

/** What lives for the whole process: the store and the clients of other services. */
export interface UsersDeps {
  db: DataSource;
  clock: Clock;
  audit: AuditClient;
  tenants: TenantDirectoryClient;
}

/** Built per request: the verified viewer, its token (forwarded to audit) and fresh loaders. */
export interface UsersContext extends UsersDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    user: DataLoader<string, UserAccount | null>;
    devicesPage: DataLoader<DevicesPageKey, DeviceConnection, string>;
  };
}

export function createUsersContext(deps: UsersDeps, viewer: Viewer, token: string): UsersContext {
  return {
    ...deps,
    viewer,
    token,
    loaders: { user: createUserLoader(deps.db), devicesPage: createDevicesPageLoader(deps.db) },
  };
}
