import type { Region } from "./enums";
import { callInternal } from "./internal-http";

/** A tenant as the storage-regions directory knows it: global metadata, no personal data. */
export interface TenantRecord {
  id: string;
  name: string;
  storageRegion: Region;
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
}
