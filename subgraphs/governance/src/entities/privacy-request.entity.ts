import { Column, Entity, Index } from "typeorm";
import { ActorColumn, ClaimedRow, ERROR_LENGTH, IdColumn, JsonColumn, PrimaryIdColumn, REASON_LENGTH, TenantIdColumn, TimeColumn, TraceParentColumn } from "@dgg/common";
import type { CategoryCount, PrivacyRequestKind, PrivacyRequestStatus, Region } from "@dgg/common";
import type { RequestCheckpoint } from "../privacy/engine/checkpoint";

/** One extension of a request's deadline (GDPR Art. 12(3): up to two more months, with reasons). */
export interface DeadlineExtensionRecord {
  days: number;
  reason: string;
  extendedBy: string;
  /** Epoch milliseconds. */
  extendedAt: number;
}

/**
 * A privacy request (ACCESS or RESTRICT_PROCESSING) and its evidence: kept after the user's data is gone, so
 * an auditor can see what was exported (location, SHA-256, counts) and what was erased.
 * It is also the durable work item the privacy workers claim (ClaimedRow: attempts and lease) and resume
 * from (`checkpoint`), see docs/decisions/0030.
 */
@Entity({ name: "privacy_request" })
export class PrivacyRequestRecord extends ClaimedRow {
  @PrimaryIdColumn()
  id!: string;

  @Index("ix_privacy_request_user")
  @IdColumn("user_id")
  userId!: string;

  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "status", type: "varchar", length: 24 })
  status!: PrivacyRequestStatus;

  @Column({ name: "reason", type: "varchar", length: REASON_LENGTH, nullable: true })
  reason!: string | null;

  /** Subject of the identity that filed the request. */
  @ActorColumn("requested_by")
  requestedBy!: string;

  @Column({ name: "region", type: "varchar", length: 32 })
  region!: Region;

  @Column({ name: "export_location", type: "varchar", length: 1024, nullable: true })
  exportLocation!: string | null;

  @Column({ name: "export_sha256", type: "varchar", length: 64, nullable: true })
  exportSha256!: string | null;

  @Column({ name: "export_byte_size", type: "integer", nullable: true })
  exportByteSize!: number | null;

  @JsonColumn("export_counts", { nullable: true })
  exportCounts!: CategoryCount[] | null;

  @TimeColumn({ name: "exported_at", nullable: true })
  exportedAt!: Date | null;

  @JsonColumn("erasures", { nullable: true })
  erasures!: CategoryCount[] | null;

  @Column({ name: "error", type: "varchar", length: ERROR_LENGTH, nullable: true })
  error!: string | null;

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  @TimeColumn({ name: "completed_at", nullable: true })
  completedAt!: Date | null;

  @Column({ name: "kind", type: "varchar", length: 32 })
  kind!: PrivacyRequestKind;

  /**
   * The user id while a RESTRICT_PROCESSING request is open, null once it is finished (and
   * always null for ACCESS, of which a user may have several): a unique index makes "one open
   * restriction per user" hold under races.
   */
  @IdColumn("open_user_id", { nullable: true })
  openUserId!: string | null;

  /** 30 days after receipt (the GDPR month), plus any extensions. */
  @TimeColumn({ name: "due_at" })
  dueAt!: Date;

  @TimeColumn({ name: "next_attempt_at", nullable: true })
  nextAttemptAt!: Date | null;

  @TimeColumn({ name: "last_error_at", nullable: true })
  lastErrorAt!: Date | null;

  /** The step a FAILED request resumes at when retried. */
  @Column({ name: "resume_status", type: "varchar", length: 24, nullable: true })
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
  @JsonColumn("checkpoint")
  checkpoint!: RequestCheckpoint;

  /** Sequence number of the last checkpoint event (privacy_request_event.seq). */
  @Column({ name: "event_seq", type: "integer" })
  eventSeq!: number;

  @TimeColumn({ name: "archive_expires_at", nullable: true })
  archiveExpiresAt!: Date | null;

  @TimeColumn({ name: "archive_purged_at", nullable: true })
  archivePurgedAt!: Date | null;

  /** The second person who let a request that needed approval run (never its requester). */
  @ActorColumn("approved_by", { nullable: true })
  approvedBy!: string | null;

  @TimeColumn({ name: "approved_at", nullable: true })
  approvedAt!: Date | null;

  /** Why the request was denied or canceled. */
  @Column({ name: "decision_reason", type: "varchar", length: REASON_LENGTH, nullable: true })
  decisionReason!: string | null;

  @JsonColumn("deadline_extensions")
  deadlineExtensions!: DeadlineExtensionRecord[];

  /**
   * When a denied or canceled restriction's freeze was lifted in every data subgraph. Null
   * while that is still to do: the workers claim such a request and lift it (queue.ts).
   */
  @TimeColumn({ name: "freeze_released_at", nullable: true })
  freezeReleasedAt!: Date | null;

  /** W3C traceparent of the filing request; the workers' steps continue its trace. */
  @TraceParentColumn()
  traceParent!: string | null;
}
