import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";

/**
 * A legal hold on one user: while it is active (not lifted), retention purges nothing about
 * the user and restrictProcessing is refused. Lifted holds are kept as evidence.
 */
@Entity({ name: "legal_hold" })
export class LegalHoldRecord {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ name: "user_id", type: "varchar", length: 36 })
  userId!: string;

  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "reason", type: "varchar", length: 1000 })
  reason!: string;

  /** Subject of the identity that placed the hold. */
  @Column({ name: "placed_by", type: "varchar", length: 256 })
  placedBy!: string;

  @TimeColumn({ name: "placed_at" })
  placedAt!: Date;

  @Column({ name: "lifted_by", type: "varchar", length: 256, nullable: true })
  liftedBy!: string | null;

  @TimeColumn({ name: "lifted_at", nullable: true })
  liftedAt!: Date | null;

  @Column({ name: "lift_reason", type: "varchar", length: 1000, nullable: true })
  liftReason!: string | null;
}
