import { Column, Entity, Index } from "typeorm";
import { ActorColumn, ERROR_LENGTH, JsonColumn, PrimaryIdColumn, TenantIdColumn, TimeColumn, TraceParentColumn, WorkerColumn } from "@dgg/common";
import type { MoveProgress, Region } from "@dgg/common";
import type { ResidencyMovePhase } from "../types/residency-move.type";

/**
 * Where a move stands; each phase is recorded before the next one starts. A cancel turns
 * REQUESTED or COPIED into CANCELLING; the mover then deletes the target's copy, puts the
 * tenant back (ROLLED_BACK), audits, and ends it CANCELLED. The phases are the API's
 * ResidencyMovePhase, which shows the record's phase as it is (docs/decisions/0043).
 */
export type MovePhase = `${ResidencyMovePhase}`;

/** The phases a mover still has work in. */
export const OPEN_PHASES: readonly MovePhase[] = ["REQUESTED", "COPIED", "SWITCHED", "CANCELLING", "ROLLED_BACK"];

/**
 * A durable move of one tenant's data to a newly elected region, driven by the governance
 * service's residency mover (docs/decisions/0040). Survives crashes of every service.
 */
@Entity({ name: "tenant_move" })
export class TenantMove {
  @PrimaryIdColumn()
  id!: string;

  @Index("ix_tenant_move_tenant")
  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "from_region", type: "varchar", length: 32 })
  fromRegion!: Region;

  @Column({ name: "to_region", type: "varchar", length: 32 })
  toRegion!: Region;

  @Column({ name: "phase", type: "varchar", length: 16 })
  phase!: MovePhase;

  /** Copying may start only after every cached "ACTIVE in the old region" answer has expired. */
  @TimeColumn({ name: "freeze_until" })
  freezeUntil!: Date;

  @WorkerColumn("claimed_by", { nullable: true })
  claimedBy!: string | null;

  @TimeColumn({ name: "lease_until", nullable: true })
  leaseUntil!: Date | null;

  @JsonColumn("progress", { nullable: true })
  progress!: MoveProgress | null;

  @Column({ name: "error", type: "varchar", length: ERROR_LENGTH, nullable: true })
  error!: string | null;

  @ActorColumn("requested_by")
  requestedBy!: string;

  @TimeColumn({ name: "requested_at" })
  requestedAt!: Date;

  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;

  /** Who asked to cancel the move (audited once the tenant is back in its old region). */
  @ActorColumn("cancelled_by", { nullable: true })
  cancelledBy!: string | null;

  @TimeColumn({ name: "completed_at", nullable: true })
  completedAt!: Date | null;

  /** W3C traceparent of the request that asked for the move; the mover's work continues its trace. */
  @TraceParentColumn()
  traceParent!: string | null;
}
