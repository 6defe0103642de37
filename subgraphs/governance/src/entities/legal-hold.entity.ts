import { Column, Entity } from "typeorm";
import { ActorColumn, IdColumn, PrimaryIdColumn, REASON_LENGTH, TenantIdColumn, TimeColumn } from "@dgg/common";

/**
 * A legal hold on one user: while it is active (not lifted), retention purges nothing about
 * the user and restrictProcessing is refused. Lifted holds are kept as evidence.
 */
@Entity({ name: "legal_hold" })
export class LegalHoldRecord {
  @PrimaryIdColumn()
  id!: string;

  @IdColumn("user_id")
  userId!: string;

  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "reason", type: "varchar", length: REASON_LENGTH })
  reason!: string;

  /** Subject of the identity that placed the hold. */
  @ActorColumn("placed_by")
  placedBy!: string;

  @TimeColumn({ name: "placed_at" })
  placedAt!: Date;

  @ActorColumn("lifted_by", { nullable: true })
  liftedBy!: string | null;

  @TimeColumn({ name: "lifted_at", nullable: true })
  liftedAt!: Date | null;

  @Column({ name: "lift_reason", type: "varchar", length: REASON_LENGTH, nullable: true })
  liftReason!: string | null;
}
