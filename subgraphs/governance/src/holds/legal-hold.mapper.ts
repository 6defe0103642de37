import type { LegalHoldRecord } from "../entities/legal-hold.entity";
import type { LegalHold } from "./legal-hold.type";

/** Stored hold → API shape. */
export function toLegalHold(hold: LegalHoldRecord): LegalHold {
  return {
    id: hold.id,
    userId: hold.userId,
    tenantId: hold.tenantId,
    reason: hold.reason,
    placedBy: hold.placedBy,
    placedAt: hold.placedAt,
    active: hold.liftedAt === null,
    liftedBy: hold.liftedBy,
    liftedAt: hold.liftedAt,
    liftReason: hold.liftReason,
  };
}
