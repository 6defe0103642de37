import { Column, Entity, Index } from "typeorm";
import { ActorColumn, JsonColumn, PrimaryIdColumn, TenantIdColumn, TimeColumn } from "@dgg/common";
import type { CategoryCount } from "@dgg/common";

/** What was erased in one subgraph, for the receipt. */
export interface ReceiptErasure {
  subgraph: string;
  erasedAt: string;
  counts: CategoryCount[];
}

/**
 * The receipt of a completed request: what was exported (manifest hash and counts), what
 * was erased per category and subgraph and when, on whose request. Kept for one year
 * (`expiresAt`), then purged with the request by the evidence purge.
 */
@Entity({ name: "privacy_receipt" })
export class PrivacyReceiptRecord {
  @PrimaryIdColumn({ name: "request_id" })
  requestId!: string;

  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "manifest_sha256", type: "varchar", length: 64 })
  manifestSha256!: string;

  @JsonColumn("exported")
  exported!: CategoryCount[];

  @JsonColumn("erasures")
  erasures!: ReceiptErasure[];

  @ActorColumn("requested_by")
  requestedBy!: string;

  @TimeColumn({ name: "requested_at" })
  requestedAt!: Date;

  @TimeColumn({ name: "completed_at" })
  completedAt!: Date;

  @Index("ix_privacy_receipt_expires")
  @TimeColumn({ name: "expires_at" })
  expiresAt!: Date;
}
