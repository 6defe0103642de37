import { Column, Entity } from "typeorm";
import { ClaimedRow, IdColumn, PrimaryIdColumn, TenantIdColumn, TimeColumn } from "@dgg/common";
import type { WebhookDeliveryStatus, WebhookEvent } from "./webhook-event";

/**
 * One event for one webhook: the outbox row the dispatcher claims (ClaimedRow: each claim is
 * one POST, or one refused by the URL policy), sends and retries. `body` is written once, at
 * enqueue, and is exactly what is signed and sent on every attempt, so a retry carries the
 * same bytes and the same delivery id.
 */
@Entity({ name: "webhook_delivery" })
export class WebhookDeliveryRecord extends ClaimedRow {
  @PrimaryIdColumn()
  id!: string;

  @IdColumn("webhook_id")
  webhookId!: string;

  @TenantIdColumn()
  tenantId!: string;

  @Column({ name: "event", type: "varchar", length: 48 })
  event!: WebhookEvent;

  @IdColumn("request_id", { nullable: true })
  requestId!: string | null;

  /**
   * The request's checkpoint number when the event was enqueued: a request's deliveries to
   * one webhook go out in this order, one at a time (see delivery-queue.ts).
   */
  @Column({ name: "sequence", type: "integer" })
  sequence!: number;

  @Column({ name: "body", type: "text" })
  body!: string;

  @Column({ name: "status", type: "varchar", length: 16 })
  status!: WebhookDeliveryStatus;

  @TimeColumn({ name: "next_attempt_at" })
  nextAttemptAt!: Date;

  @Column({ name: "last_response_status", type: "integer", nullable: true })
  lastResponseStatus!: number | null;

  @Column({ name: "last_error", type: "varchar", length: 500, nullable: true })
  lastError!: string | null;

  @TimeColumn({ name: "created_at" })
  createdAt!: Date;

  @TimeColumn({ name: "delivered_at", nullable: true })
  deliveredAt!: Date | null;
}
