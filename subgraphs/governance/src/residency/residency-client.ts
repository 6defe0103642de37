import { callInternal, GOVERNANCE_SERVICE } from "@dgg/common";
import type { InternalTokenIssuer, Region, StoreProgress } from "@dgg/common";
import type { DataSubgraph } from "../contract/data-subgraphs";

/** One store's checkpointed copy: the type storage-regions keeps (common's move-progress), named here for the mover's modules. */
export type { StoreProgress };

export type MovePhase = "REQUESTED" | "COPIED" | "SWITCHED" | "COMPLETED" | "CANCELLING" | "ROLLED_BACK" | "CANCELLED";

/** A move as the storage-regions directory records it. */
export interface TenantMoveRecord {
  id: string;
  tenantId: string;
  fromRegion: Region;
  toRegion: Region;
  phase: MovePhase;
  freezeUntil: string;
  progress: Record<string, StoreProgress> | null;
  requestedAt: string;
  cancelledBy: string | null;
  /** W3C traceparent of the request that asked for the move. */
  traceParent: string | null;
}

/** What a copy or digest chunk covered, and where the next one starts (null: the table is done). */
export interface Chunk {
  rows: number;
  next: string | null;
}

/** A chunk call that outlives this was lost, not slow: every chunk is bounded, so the limit is far from any normal call. */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * Calls, with governance's service identity, the move records of storage-regions and the
 * chunked residency routes every data subgraph serves (packages/common/src/residency-routes.ts).
 */
export class ResidencyClient {
  constructor(
    private readonly storageRegionsUrl: string,
    readonly subgraphs: DataSubgraph[],
    private readonly issuer: InternalTokenIssuer,
    private readonly callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  token(): Promise<string> {
    return this.issuer.tokenFor(GOVERNANCE_SERVICE);
  }

  private async moves<T>(path: string, body?: unknown): Promise<T> {
    return callInternal<T>(`${this.storageRegionsUrl}/internal/moves${path}`, { token: await this.token(), body, timeoutMs: this.callTimeoutMs });
  }

  async openMoves(): Promise<TenantMoveRecord[]> {
    return (await this.moves<{ moves: TenantMoveRecord[] }>("")).moves;
  }

  async claim(id: string, owner: string, leaseMs: number): Promise<TenantMoveRecord | null> {
    return (await this.moves<{ move: TenantMoveRecord | null }>(`/${id}/claim`, { owner, leaseMs })).move;
  }

  /** False when another replica holds the move now. */
  async renew(id: string, owner: string, leaseMs: number): Promise<boolean> {
    return (await this.moves<{ held: boolean }>(`/${id}/renew`, { owner, leaseMs })).held;
  }

  /** Checkpoints the progress; CONFLICT when the move left `phase` (cancelled) or another replica holds it. */
  async saveProgress(id: string, owner: string, phase: "REQUESTED" | "CANCELLING" | "SWITCHED", progress: Record<string, StoreProgress>): Promise<void> {
    await this.moves(`/${id}/progress`, { owner, phase, progress });
  }

  async recordPhase(id: string, owner: string, phase: "COPIED" | "COMPLETED" | "CANCELLED", progress?: TenantMoveRecord["progress"]): Promise<void> {
    await this.moves(`/${id}/phase`, { owner, phase, progress });
  }

  async switchDirectory(id: string, owner: string): Promise<void> {
    await this.moves(`/${id}/switch`, { owner });
  }

  async rollBack(id: string, owner: string): Promise<void> {
    await this.moves(`/${id}/roll-back`, { owner });
  }

  async recordError(id: string, owner: string, error: string): Promise<void> {
    await this.moves(`/${id}/error`, { owner, error });
  }

  /** One bounded call to a data subgraph's residency routes. */
  async subgraphStep<T>(subgraph: DataSubgraph, tenantId: string, step: "count" | "prepare" | "copy-chunk" | "digest-chunk" | "delete-chunk", body: unknown): Promise<T> {
    return callInternal<T>(`${subgraph.url}/internal/residency/${encodeURIComponent(tenantId)}/${step}`, {
      token: await this.token(),
      body,
      timeoutMs: this.callTimeoutMs,
    });
  }
}
