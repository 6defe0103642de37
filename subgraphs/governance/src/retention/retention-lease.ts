import type { DataSource } from "typeorm";
import type { Clock } from "@dgg/common";
import { RetentionLeaseRecord } from "../entities/retention-lease.entity";

const LEASE = "retention";

/**
 * One retention run at a time across every replica that shares governance's database.
 * Claiming is a single conditional UPDATE (free, or expired), so two replicas can never
 * both see success, on SQLite or PostgreSQL; a holder that dies stops renewing and the
 * lease frees itself when it expires (docs/decisions/0021).
 */
export class RetentionLease {
  constructor(
    private readonly db: DataSource,
    private readonly clock: Clock,
    /** This replica's name: host, process and a random part. */
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /**
   * Claims the lease. With `slot`, only if that scheduled slot has not run yet, so a slot
   * runs once however many replicas tick at the same moment.
   */
  async acquire(slot?: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const qb = this.db
      .createQueryBuilder()
      .update(RetentionLeaseRecord)
      .set({ holder: this.holder, expiresAt: new Date(now + this.ttlMs) })
      .where("name = :name", { name: LEASE })
      .andWhere("(holder IS NULL OR expires_at <= :now)", { now });
    if (slot !== undefined) qb.andWhere("(last_slot IS NULL OR last_slot < :slot)", { slot });
    return ((await qb.execute()).affected ?? 0) === 1;
  }

  /** Extends a lease this replica holds; false when it was lost (expired and claimed by another). */
  async renew(): Promise<boolean> {
    const result = await this.db
      .createQueryBuilder()
      .update(RetentionLeaseRecord)
      .set({ expiresAt: new Date(this.clock.now().getTime() + this.ttlMs) })
      .where("name = :name AND holder = :holder", { name: LEASE, holder: this.holder })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  /** Frees the lease; with `slot`, records that the slot ran. */
  async release(slot?: number): Promise<void> {
    await this.db
      .createQueryBuilder()
      .update(RetentionLeaseRecord)
      .set({ holder: null, expiresAt: null, ...(slot === undefined ? {} : { lastSlot: String(slot) }) })
      .where("name = :name AND holder = :holder", { name: LEASE, holder: this.holder })
      .execute();
  }

  /** Who holds the lease now and until when (for messages), or null when free. */
  async current(): Promise<{ holder: string; expiresAt: Date } | null> {
    const row = await this.db.getRepository(RetentionLeaseRecord).findOneBy({ name: LEASE });
    const now = this.clock.now().getTime();
    if (!row?.holder || !row.expiresAt || row.expiresAt.getTime() <= now) return null;
    return { holder: row.holder, expiresAt: row.expiresAt };
  }
}
