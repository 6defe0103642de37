import { NotFoundError, quote, UnavailableError } from "./errors";
import type { Region } from "./enums";
import { PLATFORM_TENANT_ID } from "./audit-client";
import { callInternal } from "./internal-http";


const MOVING = "is moving from";
const MOVING_MESSAGE = new RegExp(`^tenant \\S+ ${MOVING} `);

/**
 * True for the UNAVAILABLE a data subgraph answers (directly or through callInternal) while
 * the tenant's data moves between regions: a wait, not an outage, however long the move.
 */
export function isTenantMovingError(error: unknown): boolean {
  return error instanceof UnavailableError && MOVING_MESSAGE.test(error.message);
}

/** The UNAVAILABLE of a tenant whose data is moving: every waiter recognises it (isTenantMovingError). */
export function tenantMovingError(tenantId: string, from: Region, to: Region | null, retryAfterSeconds = 1): UnavailableError {
  return new UnavailableError(`tenant ${tenantId} ${MOVING} ${from} to ${to ?? "another region"}; retry shortly`, retryAfterSeconds);
}

/** A tenant's entry in the storage-regions directory, as the data subgraphs need it. */
export interface TenantPlacement {
  id: string;
  storageRegion: Region;
  /** MOVING while its data is being copied to `movingTo`; reads and writes wait until it is ACTIVE again. */
  state: "ACTIVE" | "MOVING";
  movingTo: Region | null;
}

/**
 * Which region's store holds a tenant, from the storage-regions directory, cached for a
 * short time (see docs/decisions/0040). A tenant whose data is moving gets UNAVAILABLE with
 * a retry hint, an unknown tenant NOT_FOUND; neither ever falls back to some other store.
 */
export class TenantRegionDirectory {
  private readonly cache = new Map<string, { placement: TenantPlacement; expires: number }>();

  constructor(
    private readonly storageRegionsUrl: string,
    private readonly platformRegion: Region,
    /** How long an answer is reused; the move protocol waits longer than this before copying. */
    readonly ttlMs = 2000,
  ) {}

  async placement(tenantId: string, token: string): Promise<TenantPlacement> {
    const cached = this.cache.get(tenantId);
    if (cached && cached.expires > Date.now()) return cached.placement;
    const { tenant } = await callInternal<{ tenant: TenantPlacement | null }>(
      `${this.storageRegionsUrl}/internal/tenants/${encodeURIComponent(tenantId)}`,
      { token },
    );
    if (!tenant) throw new NotFoundError(`tenant ${quote(tenantId)} is not in the storage-regions directory, so its region is unknown`);
    this.cache.set(tenantId, { placement: tenant, expires: Date.now() + this.ttlMs });
    return tenant;
  }

  /** The region whose store a request for this tenant must use, now. */
  async regionOf(tenantId: string, token: string): Promise<Region> {
    if (tenantId === PLATFORM_TENANT_ID) return this.platformRegion;
    const placement = await this.placement(tenantId, token);
    if (placement.state === "MOVING") {
      throw tenantMovingError(tenantId, placement.storageRegion, placement.movingTo, Math.max(1, Math.ceil(this.ttlMs / 1000)));
    }
    return placement.storageRegion;
  }

  /** Drops cached answers (tests, and a subgraph told that a move finished). */
  forget(tenantId?: string): void {
    if (tenantId) this.cache.delete(tenantId);
    else this.cache.clear();
  }
}

/** `PLATFORM_REGION` (default NORTH_AMERICA): home of platform-wide audit entries. */
export function platformRegionFromEnv(env: NodeJS.ProcessEnv = process.env): Region {
  const value = env.PLATFORM_REGION ?? "NORTH_AMERICA";
  if (!["NORTH_AMERICA", "EUROPE", "ASIA_PACIFIC"].includes(value)) {
    throw new Error(`PLATFORM_REGION must be NORTH_AMERICA, EUROPE or ASIA_PACIFIC, got ${JSON.stringify(value)}`);
  }
  return value as Region;
}
