import { assertId, assertServiceIdentity, BadUserInputError, ConflictError, ERROR_LENGTH, NotFoundError, quote } from "@dgg/common";
import type { InternalRoute, MoveProgress, Region, Viewer } from "@dgg/common";
import { Tenant } from "../entities/tenant.entity";
import { OPEN_PHASES, TenantMove } from "../entities/tenant-move.entity";
import type { MovePhase } from "../entities/tenant-move.entity";
import type { StorageRegionsDeps } from "../context";

function field<T>(body: unknown, name: string, check: (value: unknown) => value is T): T {
  const value = (body as Record<string, unknown> | null)?.[name];
  if (!check(value)) throw new BadUserInputError(`${name} is missing or invalid, got ${quote(value)}`, name);
  return value;
}
const isString = (value: unknown): value is string => typeof value === "string" && value.length > 0 && value.length <= 2000;
const isPositive = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value > 0;
const isProgress = (value: unknown): value is MoveProgress => typeof value === "object" && value !== null && !Array.isArray(value);

/** Which phase each recordable phase must follow: a record is refused unless the move is exactly there. */
const PREVIOUS: Partial<Record<MovePhase, MovePhase>> = { COPIED: "REQUESTED", COMPLETED: "SWITCHED", CANCELLED: "ROLLED_BACK" };

/** A settling step: the phase it leaves and reaches, where the tenant is then, and the refusal's message. */
interface Settlement {
  from: MovePhase;
  to: MovePhase;
  regionOf: (move: TenantMove) => Region;
  refusal: (move: TenantMove, owner: string) => string;
}

/**
 * The durable move records, for governance's residency mover (service identity only).
 * A mover claims a move with a lease it renews while it works (so two governance replicas
 * never drive the same move), checkpoints its chunked progress, records each phase,
 * switches the directory, and completes it or, when cancelled, rolls it back.
 *
 * Every write is fenced: it applies only while the caller still holds the claim and the
 * move is in the phase the caller believes, so a replica that lost its lease, or a copy
 * that was cancelled under it, gets CONFLICT and stops rather than overwriting.
 */
export function moveRoutes(deps: StorageRegionsDeps): InternalRoute[] {
  const moves = () => deps.db.getRepository(TenantMove);
  /** Applies `changes` to the move only while `owner` holds its claim; whether it did. */
  async function updateIfHeld(id: string, owner: string, changes: Partial<TenantMove>): Promise<boolean> {
    const result = await moves().createQueryBuilder().update(TenantMove).set(changes).where("id = :id AND claimed_by = :owner", { id, owner }).execute();
    return Boolean(result.affected);
  }
  async function fencedUpdate(id: string, owner: string, phase: MovePhase, changes: Partial<TenantMove>): Promise<TenantMove> {
    const result = await moves()
      .createQueryBuilder()
      .update(TenantMove)
      .set(changes)
      .where("id = :id AND claimed_by = :owner AND phase = :phase", { id, owner, phase })
      .execute();
    if (!result.affected) {
      const move = await moves().findOneBy({ id });
      if (!move) throw new NotFoundError(`no move with id ${quote(id)}`);
      throw new ConflictError(`move ${id} is ${move.phase} and claimed by ${move.claimedBy ?? "nobody"}, not ${phase} for ${owner}; stopping`);
    }
    return moves().findOneByOrFail({ id });
  }
  const idOf = (params: Record<string, string>) => assertId(params.id!, "id");
  const ownerOf = (body: unknown) => field(body, "owner", isString);
  /** A mover's call about its claim on a move: the caller must be a service; the move's id and the claim's owner, checked. */
  const claimOf = (viewer: Viewer, params: Record<string, string>, body: unknown) => {
    assertServiceIdentity(viewer);
    return { id: idOf(params), owner: ownerOf(body) };
  };
  /**
   * The route at `path` that ends a move's stay in limbo: `from` → `to` for the claim's holder,
   * with the tenant ACTIVE again in `regionOf(move)`, in one transaction. Conditional on `from`
   * inside it, so a cancel and a switch that race never both win. Repeating it as the holder
   * returns the move.
   */
  function settleRoute(
    path: string,
    step: Settlement,
  ): InternalRoute {
    return { method: "post", path, handler: ({ viewer, params, body }) => settle(viewer, params, body, step) };
  }

  async function settle(
    viewer: Viewer,
    params: Record<string, string>,
    body: unknown,
    step: Settlement,
  ): Promise<{ move: TenantMove }> {
    const { id, owner } = claimOf(viewer, params, body);
    const move = await moves().findOneBy({ id });
    if (!move) throw new NotFoundError(`no move with id ${quote(id)}`);
    if (move.phase === step.to && move.claimedBy === owner) return { move };
    const now = deps.clock.now();
    await deps.db.transaction(async (manager) => {
      const done = await manager
        .createQueryBuilder()
        .update(TenantMove)
        .set({ phase: step.to, updatedAt: now })
        .where("id = :id AND claimed_by = :owner AND phase = :from", { id, owner, from: step.from })
        .execute();
      if (!done.affected) throw new ConflictError(step.refusal(move, owner));
      await manager.update(Tenant, { id: move.tenantId }, { storageRegion: step.regionOf(move), state: "ACTIVE", movingTo: null, updatedAt: now });
    });
    return { move: await moves().findOneByOrFail({ id }) };
  }

  return [
    {
      method: "get",
      path: "/moves",
      async handler({ viewer }): Promise<{ moves: TenantMove[] }> {
        assertServiceIdentity(viewer);
        const all = await moves().find({ order: { requestedAt: "ASC" } });
        return { moves: all.filter((move) => OPEN_PHASES.includes(move.phase)) };
      },
    },
    {
      method: "post",
      path: "/moves/:id/claim",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove | null }> {
        const { id, owner } = claimOf(viewer, params, body);
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
      // The mover's heartbeat (a third of the lease): only the holder renews; anyone else learns it lost the move.
      method: "post",
      path: "/moves/:id/renew",
      async handler({ viewer, params, body }): Promise<{ held: boolean }> {
        const { id, owner } = claimOf(viewer, params, body);
        const leaseMs = field(body, "leaseMs", isPositive);
        return { held: await updateIfHeld(id, owner, { leaseUntil: new Date(Date.now() + leaseMs) }) };
      },
    },
    {
      // A checkpoint after each chunk of the copy or its clean-up; in the phase the mover is working in.
      method: "post",
      path: "/moves/:id/progress",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        assertServiceIdentity(viewer);
        const phase = field(body, "phase", (value): value is MovePhase => value === "REQUESTED" || value === "CANCELLING" || value === "SWITCHED");
        const progress = field(body, "progress", isProgress);
        return { move: await fencedUpdate(idOf(params), ownerOf(body), phase, { progress, updatedAt: deps.clock.now() }) };
      },
    },
    {
      method: "post",
      path: "/moves/:id/phase",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        assertServiceIdentity(viewer);
        const phase = field(body, "phase", (value): value is MovePhase => value === "COPIED" || value === "COMPLETED" || value === "CANCELLED");
        const changes: Partial<TenantMove> = { phase, updatedAt: deps.clock.now(), error: null };
        if (phase === "COMPLETED" || phase === "CANCELLED") changes.completedAt = deps.clock.now();
        const progress = (body as { progress?: unknown }).progress;
        if (isProgress(progress)) changes.progress = progress;
        return { move: await fencedUpdate(idOf(params), ownerOf(body), PREVIOUS[phase]!, changes) };
      },
    },
    settleRoute("/moves/:id/switch", {
      from: "COPIED",
      to: "SWITCHED",
      regionOf: (move) => move.toRegion,
      refusal: (move, owner) => `move ${move.id} is ${move.phase} and claimed by ${move.claimedBy ?? "nobody"}; only a verified copy (COPIED) held by ${owner} may be switched`,
    }),
    // After a cancelled move's target copy is deleted: the tenant is ACTIVE again where it was, nothing moved.
    settleRoute("/moves/:id/roll-back", {
      from: "CANCELLING",
      to: "ROLLED_BACK",
      regionOf: (move) => move.fromRegion,
      refusal: (move, owner) => `move ${move.id} is ${move.phase}; only a CANCELLING move held by ${owner} may be rolled back`,
    }),
    {
      method: "post",
      path: "/moves/:id/error",
      async handler({ viewer, params, body }): Promise<{ move: TenantMove }> {
        const { id, owner } = claimOf(viewer, params, body);
        // Recorded, not terminal: the mover retries; nothing is deleted while the copy is not proven.
        const held = await updateIfHeld(id, owner, { error: field(body, "error", isString).slice(0, ERROR_LENGTH), updatedAt: deps.clock.now() });
        if (!held) throw new ConflictError(`move ${id} is not claimed by ${owner}`);
        return { move: await moves().findOneByOrFail({ id }) };
      },
    },
  ];
}
