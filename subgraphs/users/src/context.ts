import type DataLoader from "dataloader";
import { dataSubgraphRequest } from "@dgg/common";
import type { AuditClient, DataSubgraphBase, DataSubgraphRequest, TenantDirectoryClient, Viewer } from "@dgg/common";
import type { UserAccount } from "./entities/user-account.entity";
import { createUserLoader } from "./loaders/user.loader";
import { createDevicesPageLoader } from "./loaders/devices-page.loader";
import type { DevicesPageKey } from "./loaders/devices-page.loader";
import type { DeviceConnection } from "./types/device-connection.type";

/** What lives for the whole process: the regional stores and the clients of other services. */
export interface UsersDeps extends DataSubgraphBase {
  audit: AuditClient;
  tenants: TenantDirectoryClient;
}

/** Built per request: the verified viewer, its token (forwarded to audit), its region's store and fresh loaders. */
export interface UsersContext extends DataSubgraphRequest<UsersDeps> {
  loaders: {
    user: DataLoader<string, UserAccount | null>;
    devicesPage: DataLoader<DevicesPageKey, DeviceConnection, string>;
  };
}

export function createUsersContext(deps: UsersDeps, viewer: Viewer, token: string): Promise<UsersContext> {
  return dataSubgraphRequest(deps, viewer, token, (db) => ({
    loaders: { user: createUserLoader(db), devicesPage: createDevicesPageLoader(db, () => deps.stores.keysOf(db)) },
  }));
}
