import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { AuditClient, Clock, Viewer } from "@dgg/common";
import type { Tenant } from "./entities/tenant.entity";
import { createTenantLoader } from "./loaders/tenant.loader";
import type { StorageLayout } from "./storage-layout";

/** What lives for the whole process: the store, the audit client and the configured layout. */
export interface StorageRegionsDeps {
  db: DataSource;
  clock: Clock;
  audit: AuditClient;
  layout: StorageLayout;
  /** How long a new move waits before copying: longer than any data subgraph caches a tenant's region. */
  moveFreezeMs: number;
}

/** Built per request: the verified viewer, its token (forwarded to audit) and fresh loaders. */
export interface StorageRegionsContext extends StorageRegionsDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    tenant: DataLoader<string, Tenant | null>;
  };
}

export function createStorageRegionsContext(deps: StorageRegionsDeps, viewer: Viewer, token: string): StorageRegionsContext {
  return { ...deps, viewer, token, loaders: { tenant: createTenantLoader(deps.db) } };
}
