import { In, IsNull } from "typeorm";
import type { DataSource } from "typeorm";
import { quote } from "@dgg/common";
import { LegalHoldRecord } from "../entities/legal-hold.entity";

/** The active holds of these users, in key order (null when a user has none). */
export async function activeHoldsFor(db: DataSource, userIds: readonly string[]): Promise<(LegalHoldRecord | null)[]> {
  const rows = await db.getRepository(LegalHoldRecord).findBy({ userId: In([...userIds]), liftedAt: IsNull() });
  const byUser = new Map(rows.map((row) => [row.userId, row]));
  return userIds.map((userId) => byUser.get(userId) ?? null);
}

/** Every user under an active hold (of one tenant, or platform-wide): retention keeps all of their data. */
export async function heldUserIds(db: DataSource, tenantId: string | null = null): Promise<string[]> {
  const where = tenantId ? { liftedAt: IsNull(), tenantId } : { liftedAt: IsNull() };
  const rows = await db.getRepository(LegalHoldRecord).find({ select: { userId: true }, where });
  return rows.map((row) => row.userId);
}

/** The message that names a hold wherever it stops something. */
export function describeHold(hold: LegalHoldRecord): string {
  return `legal hold ${hold.id} (reason: ${quote(hold.reason)}, placed by ${hold.placedBy} at ${hold.placedAt.toISOString()})`;
}
