import type { DataCategory, Region, StorageKind } from "./enums";
import { callInternal } from "./internal-http";

/** A tenant as the storage-regions directory knows it: global metadata, no personal data. */
export interface TenantRecord {
  id: string;
  name: string;
  storageRegion: Region;
  /** MOVING while its data is being copied to `movingTo`. */
  state: "ACTIVE" | "MOVING";
  movingTo: Region | null;
}

/** One data category and the kinds of store it is kept in, as this deployment's STORAGE_LAYOUT says. */
export interface StorageLayoutEntry {
  category: DataCategory;
  kinds: readonly StorageKind[];
}

/**
 * Looks tenants up in the storage-regions directory (`GET /internal/tenants/:id`),
 * forwarding the caller's internal identity. Returns null for an unknown tenant.
 */
export class TenantDirectoryClient {
  constructor(private readonly storageRegionsUrl: string) {}

  async find(token: string, tenantId: string): Promise<TenantRecord | null> {
    const { tenant } = await callInternal<{ tenant: TenantRecord | null }>(
      `${this.storageRegionsUrl}/internal/tenants/${encodeURIComponent(tenantId)}`,
      { token },
    );
    return tenant;
  }

  /**
   * The deployment's storage layout (`GET /internal/storage-layout`, service identity): which
   * kinds of store each category lives in, inside a tenant's region. storage-regions owns it
   * (env STORAGE_LAYOUT) so that everything reporting it says the same.
   */
  async storageLayout(token: string): Promise<StorageLayoutEntry[]> {
    const { entries } = await callInternal<{ entries: StorageLayoutEntry[] }>(`${this.storageRegionsUrl}/internal/storage-layout`, { token });
    return entries;
  }
}
