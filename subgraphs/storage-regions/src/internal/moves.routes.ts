import { assertId, assertServiceIdentity, BadUserInputError, ConflictError, NotFoundError, quote } from "@dgg/common";
import type { InternalRoute } from "@dgg/common";
import { Tenant } from "../entities/tenant.entity";
import { TenantMove } from "../entities/tenant-move.entity";
import type { MovePhase, MoveProgress } from "../entities/tenant-move.entity";
import type { StorageRegionsDeps } from "../context";

const OPEN_PHASES: MovePhase[] = ["REQUESTED", "COPIED", "SWITCHED"];

function field<T>(body: unknown, name: string, check: (value: unknown) => value is T): T {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (!check(value)) throw new BadUserInputError(`${name} is missing or invalid, got ${quote(value)}`, name);
  return value;
}
const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 2000;
const isPositive = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value > 0;

/**
 * The durable move records, for governance's residency mover (service identity only).
 * A mover claims a move with a lease (so two governance replicas never drive the same
 * move), records each phase, switches the directory, and completes or fails it.
 */
export function moveRoutes(deps: StorageRegionsDeps): InternalRoute[] {
  const moves = () => deps.db.getRepository(TenantMove);
  async function claimed(id: string, owner: string): Promise<TenantMove> {
    const move = await moves().findOneBy({ id });
    if (!move) throw new NotFoundError(`no move with id ${quote(id)}`);
    if (move.claimedBy !== owner) throw new ConflictError(`move ${id} is claimed by ${move.claimedBy ?? "nobody"}, not ${owner}`);
    return move;
  }
  return [
    {
      method: "get",
      path: "/moves",
      async handler({ viewer }): Promise<{ moves: TenantMove[] }> {
        assertServiceIdentity(viewer);
        const open = await moves().find({ order: { requestedAt: "ASC" } });
        return { moves: open.filter((move) => OPEN_PHASES.includes(move.phase)) };
      },
    },
    {
      method: "post",
      path: "/moves/:id/claim",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove | null }> {
        assertServiceIdentity(viewer);
        const id = assertId(params.id!, "id");
        const owner = field(body, "owner", isString);
        const leaseMs = field(body, "leaseMs", isPositive);
        const now = Date.now();
        // Claimable when unclaimed, already ours, or when the holder's lease ran out (it died).
        const result = await moves()
          .createQueryBuilder()
          .update(TenantMove)
          .set({ claimedBy: owner, leaseUntil: new Date(now + leaseMs) })
          .where("id = :id AND (claimed_by IS NULL OR claimed_by = :owner OR lease_until < :now)", { id, owner, now })
          .execute();
        return { move: result.affected ? await moves().findOneBy({ id }) : null };
      },
    },
    {
      method: "post",
      path: "/moves/:id/phase",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        assertServiceIdentity(viewer);
        const move = await claimed(assertId(params.id!, "id"), field(body, "owner", isString));
        const phase = field(body, "phase", (value): value is MovePhase => value === "COPIED" || value === "COMPLETED");
        const progress = (body as { progress?: MoveProgress }).progress ?? move.progress;
        const now = deps.clock.now();
        await moves().update({ id: move.id }, { phase, progress, updatedAt: now, completedAt: phase === "COMPLETED" ? now : null, error: null });
        return { move: await moves().findOneByOrFail({ id: move.id }) };
      },
    },
    {
      method: "post",
      path: "/moves/:id/switch",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        assertServiceIdentity(viewer);
        const move = await claimed(assertId(params.id!, "id"), field(body, "owner", isString));
        if (move.phase === "SWITCHED") return { move };
        if (move.phase !== "COPIED") throw new ConflictError(`move ${move.id} is ${move.phase}; only a verified copy (COPIED) may be switched`);
        const now = deps.clock.now();
        await deps.db.transaction(async (manager) => {
          await manager.update(Tenant, { id: move.tenantId }, { storageRegion: move.toRegion, state: "ACTIVE", movingTo: null, updatedAt: now });
          await manager.update(TenantMove, { id: move.id }, { phase: "SWITCHED", updatedAt: now });
        });
        return { move: await moves().findOneByOrFail({ id: move.id }) };
      },
    },
    {
      method: "post",
      path: "/moves/:id/error",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        assertServiceIdentity(viewer);
        const move = await claimed(assertId(params.id!, "id"), field(body, "owner", isString));
        // Recorded, not terminal: the mover retries; nothing is deleted while the copy is not proven.
        await moves().update({ id: move.id }, { error: field(body, "error", isString).slice(0, 2000), updatedAt: deps.clock.now() });
        return { move: await moves().findOneByOrFail({ id: move.id }) };
      },
    },
  ];
}
