import type { KeyLike } from "jose";
import { callInternal, GOVERNANCE_SERVICE, signInternalToken } from "@dgg/common";
import type { Clock, Region } from "@dgg/common";
import type { DataSubgraph } from "../services/data-subgraphs";

/** A move as the storage-regions directory records it. */
export interface TenantMoveRecord {
  id: string;
  tenantId: string;
  fromRegion: Region;
  toRegion: Region;
  phase: "REQUESTED" | "COPIED" | "SWITCHED" | "COMPLETED";
  freezeUntil: string;
  progress: Record<string, { rows: number; checksum: string }> | null;
  requestedAt: string;
}

export interface StoreDigest {
  rows: number;
  checksum: string;
}

/**
 * Calls, with governance's service identity, the move records of storage-regions and the
 * residency routes every data subgraph serves (packages/common/src/residency-routes.ts).
 */
export class ResidencyClient {
  constructor(
    private readonly storageRegionsUrl: string,
    readonly subgraphs: DataSubgraph[],
    private readonly signingKey: KeyLike,
    private readonly clock: Clock,
  ) {}

  token(): Promise<string> {
    return signInternalToken(GOVERNANCE_SERVICE, this.signingKey, "dgg-governance", this.clock.now());
  }

  private async moves<T>(path: string, body?: unknown): Promise<T> {
    return callInternal<T>(`${this.storageRegionsUrl}/internal/moves${path}`, { token: await this.token(), body });
  }

  async openMoves(): Promise<TenantMoveRecord[]> {
    return (await this.moves<{ moves: TenantMoveRecord[] }>("")).moves;
  }

  async claim(id: string, owner: string, leaseMs: number): Promise<TenantMoveRecord | null> {
    return (await this.moves<{ move: TenantMoveRecord | null }>(`/${id}/claim`, { owner, leaseMs })).move;
  }

  async recordPhase(id: string, owner: string, phase: "COPIED" | "COMPLETED", progress?: TenantMoveRecord["progress"]): Promise<void> {
    await this.moves(`/${id}/phase`, { owner, phase, progress });
  }

  async switchDirectory(id: string, owner: string): Promise<void> {
    await this.moves(`/${id}/switch`, { owner });
  }

  async recordError(id: string, owner: string, error: string): Promise<void> {
    await this.moves(`/${id}/error`, { owner, error });
  }

  async subgraphStep<T>(subgraph: DataSubgraph, tenantId: string, step: "copy" | "verify" | "purge-source", body: unknown): Promise<T> {
    return callInternal<T>(`${subgraph.url}/internal/residency/${encodeURIComponent(tenantId)}/${step}`, { token: await this.token(), body });
  }
}
