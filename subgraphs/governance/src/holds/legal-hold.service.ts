import { randomUUID } from "node:crypto";
import { assertId, assertMayCall, assertText, ConflictError, NotFoundError, outOfBounds, quote, REASON_LENGTH, writeThenAudit } from "@dgg/common";
import { LegalHoldRecord } from "../entities/legal-hold.entity";
import { activeHoldsFor, describeHold } from "./hold-queries";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import type { GovernanceContext } from "../context";

/**
 * The tenant of the user a hold is about, if the viewer may act there. Privacy officers get
 * the same FORBIDDEN for a foreign user and an unknown id; operators act platform-wide.
 */
async function tenantForHold(ctx: GovernanceContext, userId: string, knownTenant: string | null): Promise<string> {
  // An operator has no tenant of its own, so the user's tenant is looked up across the regions.
  const tenantId =
    knownTenant ??
    (ctx.viewer.role === "operator" ? await ctx.contract.ownerOf(userId) : (await ctx.loaders.holdings.load(userId)).tenantId);
  if (ctx.viewer.role === "privacy-officer") {
    if (!tenantId || tenantId !== ctx.viewer.tenantId) throw outOfBounds(ctx.viewer, `user ${userId}`);
    return tenantId;
  }
  if (!tenantId) throw new NotFoundError(`nothing is held about user ${quote(userId)}, so there is nothing to hold`);
  return tenantId;
}

/** Places a hold on a user whose data is held; one active hold per user. */
export async function placeLegalHold(ctx: GovernanceContext, rawUser: string, rawReason: string): Promise<LegalHoldRecord> {
  assertMayCall(ctx.viewer, "placeLegalHold", "place a legal hold");
  const userId = assertId(rawUser, "user");
  const reason = assertText(rawReason, "reason", REASON_LENGTH);
  const tenantId = await tenantForHold(ctx, userId, null);
  const [existing] = await activeHoldsFor(ctx.db, [userId]);
  if (existing) throw new ConflictError(`user ${userId} is already under ${describeHold(existing)}`);
  const repo = ctx.db.getRepository(LegalHoldRecord);
  const hold = repo.create({
    id: randomUUID(),
    userId,
    tenantId,
    reason,
    placedBy: ctx.viewer.subject,
    placedAt: ctx.clock.now(),
    liftedBy: null,
    liftedAt: null,
    liftReason: null,
  });
  return writeThenAudit({
    write: () => insertHold(ctx, hold),
    entries: () => [{ tenantId, action: "LEGAL_HOLD_PLACED", subjectUserId: userId, details: { holdId: hold.id, reason } }],
    undo: () => repo.delete({ id: hold.id }),
    audit: ctx.audit,
    token: ctx.token,
  });
}

/**
 * Inserts the hold unless the user's erasure has begun. Serialised with the privacy
 * workers' step gate (privacy/engine/hold-gate.ts): both first lock the user's open request row,
 * so a hold committed before an erasure starts stops it (ON_HOLD), and an erasure that
 * started first makes the hold answer CONFLICT naming the request. The unique index on
 * active holds decides between two officers placing one at the same moment.
 */
async function insertHold(ctx: GovernanceContext, hold: LegalHoldRecord): Promise<LegalHoldRecord> {
  try {
    await ctx.db.transaction(async (manager) => {
      await manager
        .createQueryBuilder()
        .update(PrivacyRequestRecord)
        .set({ eventSeq: () => "event_seq" })
        .where("open_user_id = :userId", { userId: hold.userId })
        .execute();
      const open = await manager.findOneBy(PrivacyRequestRecord, { openUserId: hold.userId });
      if (open?.erasureStartedAt) {
        throw new ConflictError(
          `privacy request ${open.id} began erasing user ${hold.userId} at ${open.erasureStartedAt.toISOString()} (status ${open.status}); a legal hold can no longer stop it`,
        );
      }
      await manager.insert(LegalHoldRecord, hold);
    });
    return hold;
  } catch (error) {
    if (error instanceof ConflictError) throw error;
    const [existing] = await activeHoldsFor(ctx.db, [hold.userId]);
    if (existing) throw new ConflictError(`user ${hold.userId} is already under ${describeHold(existing)}`);
    throw error;
  }
}

/**
 * Lifts the active hold of a user; retention catches up at its next run, and a privacy
 * request that the hold stopped (ON_HOLD) becomes claimable again and is resumed by the
 * next worker (privacy/engine/queue.ts).
 */
export async function liftLegalHold(ctx: GovernanceContext, rawUser: string, rawReason: string | null | undefined): Promise<LegalHoldRecord> {
  assertMayCall(ctx.viewer, "liftLegalHold", "lift a legal hold");
  const userId = assertId(rawUser, "user");
  const liftReason = rawReason == null || rawReason.trim() === "" ? null : assertText(rawReason, "reason", REASON_LENGTH);
  const [hold] = await activeHoldsFor(ctx.db, [userId]);
  const tenantId = await tenantForHold(ctx, userId, hold?.tenantId ?? null);
  if (!hold) throw new NotFoundError(`user ${userId} has no active legal hold`);
  const repo = ctx.db.getRepository(LegalHoldRecord);
  return writeThenAudit({
    write: async () => {
      await repo.update({ id: hold.id }, { liftedAt: ctx.clock.now(), liftedBy: ctx.viewer.subject, liftReason });
      return repo.findOneByOrFail({ id: hold.id });
    },
    entries: (lifted) => [
      { tenantId, action: "LEGAL_HOLD_LIFTED", subjectUserId: userId, details: { holdId: lifted.id, reason: liftReason } },
    ],
    undo: () => repo.update({ id: hold.id }, { liftedAt: null, liftedBy: null, liftReason: null }),
    audit: ctx.audit,
    token: ctx.token,
  }).then((lifted) => {
    ctx.wakeWorkers();
    return lifted;
  });
}
