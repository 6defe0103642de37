import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
import type { CategoryCount, PrivacyRequestStatus, Region } from "@dgg/common";

/**
 * A restrictProcessing request and its evidence: kept after the user's data is gone, so
 * an auditor can see what was exported (location, SHA-256, counts) and what was erased.
 */
@Entity({ name: "privacy_request" })
export class PrivacyRequestRecord {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Index("ix_privacy_request_user")
  @Column({ name: "user_id", type: "varchar", length: 36 })
  userId!: string;

  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "status", type: "varchar", length: 16 })
  status!: PrivacyRequestStatus;

  @Column({ name: "reason", type: "varchar", length: 1000, nullable: true })
  reason!: string | null;

  /** Subject of the identity that filed the request. */
  @Column({ name: "requested_by", type: "varchar", length: 256 })
  requestedBy!: string;

  @Column({ name: "region", type: "varchar", length: 32 })
  region!: Region;

  @Column({ name: "export_location", type: "varchar", length: 1024, nullable: true })
  exportLocation!: string | null;

  @Column({ name: "export_sha256", type: "varchar", length: 64, nullable: true })
  exportSha256!: string | null;

  @Column({ name: "export_byte_size", type: "integer", nullable: true })
  exportByteSize!: number | null;

  @Column({ name: "export_counts", type: "simple-json", nullable: true })
  exportCounts!: CategoryCount[] | null;

  @TimeColumn({ name: "exported_at", nullable: true })
  exportedAt!: Date | null;

  @Column({ name: "erasures", type: "simple-json", nullable: true })
  erasures!: CategoryCount[] | null;

  @Column({ name: "error", type: "varchar", length: 2000, nullable: true })
  error!: string | null;

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  @TimeColumn({ name: "completed_at", nullable: true })
  completedAt!: Date | null;
}
