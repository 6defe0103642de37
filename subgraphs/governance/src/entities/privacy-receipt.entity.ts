import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
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
  @PrimaryColumn({ name: "request_id", type: "varchar", length: 36 })
  requestId!: string;

  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "manifest_sha256", type: "varchar", length: 64 })
  manifestSha256!: string;

  @Column({ name: "exported", type: "simple-json" })
  exported!: CategoryCount[];

  @Column({ name: "erasures", type: "simple-json" })
  erasures!: ReceiptErasure[];

  @Column({ name: "requested_by", type: "varchar", length: 256 })
  requestedBy!: string;

  @TimeColumn({ name: "requested_at" })
  requestedAt!: Date;

  @TimeColumn({ name: "completed_at" })
  completedAt!: Date;

  @Index("ix_privacy_receipt_expires")
  @TimeColumn({ name: "expires_at" })
  expiresAt!: Date;
}
