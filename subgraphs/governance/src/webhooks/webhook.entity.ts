import { Column, Entity } from "typeorm";
import { ActorColumn, JsonColumn, PrimaryIdColumn, TenantIdColumn, TimeColumn } from "@dgg/common";
import type { WebhookEvent } from "./webhook-event";

/**
 * A tenant's endpoint for privacy-request events. Deleting one only marks it (`deletedAt`):
 * its deliveries stay listed as evidence of what was sent where.
 */
@Entity({ name: "webhook" })
export class WebhookRecord {
  @PrimaryIdColumn()
  id!: string;

  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "url", type: "varchar", length: 2048 })
  url!: string;

  @JsonColumn("events")
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
  @ActorColumn("created_by")
  createdBy!: string;

  @TimeColumn({ name: "deleted_at", nullable: true })
  deletedAt!: Date | null;
}
