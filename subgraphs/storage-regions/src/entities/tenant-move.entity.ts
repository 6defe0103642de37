import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
import type { Region } from "@dgg/common";

/** Where a move stands; each phase is recorded before the next one starts. */
export type MovePhase = "REQUESTED" | "COPIED" | "SWITCHED" | "COMPLETED" | "FAILED";

/** Rows and checksum of one subgraph's (or the blob store's) copy of the tenant. */
export interface MoveProgress {
  [store: string]: { rows: number; checksum: string };
}

/**
 * A durable move of one tenant's data to a newly elected region, driven by the governance
 * service's residency mover (docs/decisions/0040). Survives crashes of every service.
 */
@Entity({ name: "tenant_move" })
export class TenantMove {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index("ix_tenant_move_tenant")
  @Column({ name: "tenant_id", type: "varchar", length: 36 })
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

  @Column({ name: "claimed_by", type: "varchar", length: 128, nullable: true })
  claimedBy!: string | null;

  @TimeColumn({ name: "lease_until", nullable: true })
  leaseUntil!: Date | null;

  @Column({ name: "progress", type: "simple-json", nullable: true })
  progress!: MoveProgress | null;

  @Column({ name: "error", type: "varchar", length: 2000, nullable: true })
  error!: string | null;

  @Column({ name: "requested_by", type: "varchar", length: 256 })
  requestedBy!: string;

  @TimeColumn({ name: "requested_at" })
  requestedAt!: Date;

  @TimeColumn({ name: "updated_at" })
  updatedAt!: Date;

  @TimeColumn({ name: "completed_at", nullable: true })
  completedAt!: Date | null;
}
