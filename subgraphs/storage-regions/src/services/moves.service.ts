import { assertId, ConflictError, DATA_SUBGRAPH_NAMES, NotFoundError, outOfBounds, quote } from "@dgg/common";
import type { Viewer } from "@dgg/common";
import { TenantMove } from "../entities/tenant-move.entity";
import type { StorageRegionsContext } from "../context";
import type { ResidencyMove } from "../types/residency-move.type";

/** The stores a move copies, in order: the progress lists them so even before their copy starts. */
const STORES = [...DATA_SUBGRAPH_NAMES, "blobs"];

/** Operators see and cancel any tenant's move; a tenant's administrator, its own tenant's. */
function mayManageMove(viewer: Viewer, tenantId: string): boolean {
  return viewer.role === "operator" || (viewer.role === "tenant-admin" && viewer.tenantId === tenantId);
}

function view(move: TenantMove): ResidencyMove {
  const progress = move.progress ?? {};
  const names = [...STORES, ...Object.keys(progress).filter((name) => !STORES.includes(name))];
  return {
    id: move.id,
    tenantId: move.tenantId,
    fromRegion: move.fromRegion,
    toRegion: move.toRegion,
    phase: move.phase,
    progress: names.map((store) => {
      const entry = progress[store];
      return entry
        ? { store, stage: entry.stage, copied: entry.copied, verified: entry.verified, total: entry.total }
        : { store, stage: "PENDING", copied: 0, verified: 0, total: 0 };
    }),
    startedAt: move.requestedAt,
    updatedAt: move.updatedAt,
    completedAt: move.completedAt,
    error: move.error,
  };
}

function tenantIdFor(ctx: StorageRegionsContext, raw: string): string {
  const tenantId = assertId(raw, "tenantId");
  // The same refusal whether or not the tenant exists (docs/decisions/0005).
  if (!mayManageMove(ctx.viewer, tenantId)) throw outOfBounds(ctx.viewer, `the residency move of tenant ${tenantId}`, { tenantId });
  return tenantId;
}

/** The tenant's latest move (open or finished), or null when it never moved. */
export async function residencyMove(ctx: StorageRegionsContext, rawTenantId: string): Promise<ResidencyMove | null> {
  const tenantId = tenantIdFor(ctx, rawTenantId);
  const [latest] = await ctx.db.getRepository(TenantMove).find({ where: { tenantId }, order: { requestedAt: "DESC" }, take: 1 });
  return latest ? view(latest) : null;
}

/**
 * Cancels the tenant's move before its switch: the move becomes CANCELLING and the mover,
 * which stops copying at its next checkpoint (fenced), deletes what it copied to the new
 * region, makes the tenant ACTIVE in its old region (untouched), and audits
 * STORAGE_REGION_MOVE_CANCELLED there; the audit cannot be written now, while the tenant's
 * region answers UNAVAILABLE. After the switch the move cannot be cancelled: elect the old
 * region again once it completes.
 */
export async function cancelResidencyMove(ctx: StorageRegionsContext, rawTenantId: string): Promise<ResidencyMove> {
  const tenantId = tenantIdFor(ctx, rawTenantId);
  const repo = ctx.db.getRepository(TenantMove);
  const [latest] = await repo.find({ where: { tenantId }, order: { requestedAt: "DESC" }, take: 1 });
  if (!latest) throw new NotFoundError(`tenant ${quote(tenantId)} has no residency move to cancel`);
  if (latest.phase === "CANCELLING" || latest.phase === "ROLLED_BACK" || latest.phase === "CANCELLED") return view(latest);
  if (latest.phase !== "REQUESTED" && latest.phase !== "COPIED") {
    throw new ConflictError(`the move of tenant ${tenantId} to ${latest.toRegion} is ${latest.phase}; only a move not yet switched (REQUESTED or COPIED) can be cancelled`);
  }
  // Conditional on the phase read: a switch that won the race is reported, not overridden.
  const result = await repo
    .createQueryBuilder()
    .update(TenantMove)
    .set({ phase: "CANCELLING", cancelledBy: ctx.viewer.subject, updatedAt: ctx.clock.now() })
    .where("id = :id AND phase = :phase", { id: latest.id, phase: latest.phase })
    .execute();
  if (!result.affected) throw new ConflictError(`the move of tenant ${tenantId} changed phase while cancelling it; read it again and retry`);
  return view(await repo.findOneByOrFail({ id: latest.id }));
}
