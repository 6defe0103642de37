import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { storeForViewer } from "@dgg/common";
import type { AuditClient, DataSubgraphBase, TenantDirectoryClient, Viewer } from "@dgg/common";
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
export interface UsersContext extends UsersDeps {
  /** The store of the viewer's tenant's region: the only one this request touches. */
  db: DataSource;
  viewer: Viewer;
  token: string;
  loaders: {
    user: DataLoader<string, UserAccount | null>;
    devicesPage: DataLoader<DevicesPageKey, DeviceConnection, string>;
  };
}

export async function createUsersContext(deps: UsersDeps, viewer: Viewer, token: string): Promise<UsersContext> {
  const db = await storeForViewer(deps.stores, deps.regions, viewer, token);
  return {
    ...deps,
    db,
    viewer,
    token,
    loaders: { user: createUserLoader(db), devicesPage: createDevicesPageLoader(db, () => deps.stores.keysOf(db)) },
  };
}
