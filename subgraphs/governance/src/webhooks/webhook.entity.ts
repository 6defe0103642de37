import { Column, Entity, PrimaryColumn } from "typeorm";
import { TimeColumn } from "@dgg/common";
import type { WebhookEvent } from "./webhook-event";

/**
 * A tenant's endpoint for privacy-request events. Deleting one only marks it (`deletedAt`):
 * its deliveries stay listed as evidence of what was sent where.
 */
@Entity({ name: "webhook" })
export class WebhookRecord {
  @PrimaryColumn({ type: "varchar", length: 36 })
  id!: string;

  @Column({ name: "tenant_id", type: "varchar", length: 36 })
  tenantId!: string;

  @Column({ name: "url", type: "varchar", length: 2048 })
  url!: string;

  @Column({ name: "events", type: "simple-json" })
  events!: WebhookEvent[];

  /**
   * The HMAC key, kept as issued: signing needs it in clear (a hash could not sign), and the
   * API shows it only in createWebhook's answer (docs/decisions/0046).
   */
  @Column({ name: "signing_secret", type: "varchar", length: 128 })
  signingSecret!: string;

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  /** Subject of the identity that created it. */
  @Column({ name: "created_by", type: "varchar", length: 256 })
  createdBy!: string;

  @TimeColumn({ name: "deleted_at", nullable: true })
  deletedAt!: Date | null;
}
