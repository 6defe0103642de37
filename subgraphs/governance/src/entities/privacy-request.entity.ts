import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
import type { CategoryCount, PrivacyRequestStatus, Region } from "@dgg/common";
import type { RequestCheckpoint } from "../privacy/checkpoint";

/**
 * A restrictProcessing request and its evidence: kept after the user's data is gone, so
 * an auditor can see what was exported (location, SHA-256, counts) and what was erased.
 * It is also the durable work item the privacy workers claim (lease columns) and resume
 * from (`checkpoint`), see docs/decisions/0030.
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

  /** RESTRICT_PROCESSING today; the engine is meant to carry later kinds too. */
  @Column({ name: "kind", type: "varchar", length: 32 })
  kind!: string;

  /** The user id while the request is open, null once it is finished: a unique index makes "one open request per user" hold under races. */
  @Column({ name: "open_user_id", type: "varchar", length: 36, nullable: true })
  openUserId!: string | null;

  /** 30 days after receipt: the GDPR month. */
  @TimeColumn({ name: "due_at" })
  dueAt!: Date;

  @Column({ name: "attempts", type: "integer" })
  attempts!: number;

  @TimeColumn({ name: "next_attempt_at", nullable: true })
  nextAttemptAt!: Date | null;

  @TimeColumn({ name: "last_error_at", nullable: true })
  lastErrorAt!: Date | null;

  @Column({ name: "lease_owner", type: "varchar", length: 128, nullable: true })
  leaseOwner!: string | null;

  @TimeColumn({ name: "lease_expires_at", nullable: true })
  leaseExpiresAt!: Date | null;

  /** The step a FAILED request resumes at when retried. */
  @Column({ name: "resume_status", type: "varchar", length: 16, nullable: true })
  resumeStatus!: PrivacyRequestStatus | null;

  @TimeColumn({ name: "export_started_at", nullable: true })
  exportStartedAt!: Date | null;

  @TimeColumn({ name: "verified_at", nullable: true })
  verifiedAt!: Date | null;

  @TimeColumn({ name: "erasure_started_at", nullable: true })
  erasureStartedAt!: Date | null;

  @TimeColumn({ name: "failed_at", nullable: true })
  failedAt!: Date | null;

  /** Where each step stands; written in the same statement as the status it belongs to. */
  @Column({ name: "checkpoint", type: "simple-json" })
  checkpoint!: RequestCheckpoint;

  /** Sequence number of the last checkpoint event (privacy_request_event.seq). */
  @Column({ name: "event_seq", type: "integer" })
  eventSeq!: number;

  @TimeColumn({ name: "archive_expires_at", nullable: true })
  archiveExpiresAt!: Date | null;

  @TimeColumn({ name: "archive_purged_at", nullable: true })
  archivePurgedAt!: Date | null;
}
