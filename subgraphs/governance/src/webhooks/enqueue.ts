import { randomUUID } from "node:crypto";
import { IsNull } from "typeorm";
import type { EntityManager } from "typeorm";
import { PrivacyRequestRecord } from "../entities/privacy-request.entity";
import { assertPayloadData, payloadBody } from "./payload";
import { WebhookDeliveryRecord } from "./webhook-delivery.entity";
import { WebhookDeliveryStatus } from "./webhook-event";
import type { WebhookEvent } from "./webhook-event";
import { WebhookRecord } from "./webhook.entity";
import { wakeAfterCommit } from "./wake-on-commit";

export interface WebhookEventInput {
  tenantId: string;
  event: WebhookEvent;
  requestId: string;
  /** Ids, kinds, statuses and dates only (payload.ts PAYLOAD_DATA_KEYS); `requestEventData(request)` builds it from a request. */
  data: Record<string, unknown>;
}

export interface EnqueueOptions {
  /**
   * Not sent before this time. Filing uses it while the request is held by the API for its
   * audit entry: if the audit trail refuses, the request and its deliveries are removed
   * before anyone was told (`discardWebhookEvents`); `releaseWebhookEvents` lets them go.
   */
  holdUntil?: Date | null;
}

/**
 * Enqueues `event` for every live webhook of the tenant subscribed to it, in the caller's
 * transaction: the transition and its notifications commit together or not at all. The
 * dispatcher is woken when that transaction commits. Returns how many deliveries were
 * enqueued (0 when the tenant has no subscribed webhook).
 *
 * @example
 * await db.transaction(async (manager) => {
 *   await manager.update(PrivacyRequestRecord, { id }, { status: "DENIED" });
 *   await enqueueWebhookEvent(manager, { tenantId, event: WebhookEvent.REQUEST_DENIED, requestId: id, data: requestEventData(request) }, now);
 * });
 */
export async function enqueueWebhookEvent(manager: EntityManager, input: WebhookEventInput, now: Date, options: EnqueueOptions = {}): Promise<number> {
  const data = assertPayloadData(input.data);
  const webhooks = (await manager.find(WebhookRecord, { where: { tenantId: input.tenantId, deletedAt: IsNull() } })).filter((webhook) =>
    webhook.events.includes(input.event),
  );
  if (webhooks.length === 0) return 0;
  // The request's checkpoint number orders its deliveries to one webhook (delivery-queue.ts).
  const request = await manager.findOne(PrivacyRequestRecord, { select: { id: true, eventSeq: true }, where: { id: input.requestId } });
  const rows: WebhookDeliveryRecord[] = webhooks.map((webhook) => {
    const id = randomUUID();
    return {
      id,
      webhookId: webhook.id,
      tenantId: input.tenantId,
      event: input.event,
      requestId: input.requestId,
      sequence: request?.eventSeq ?? 0,
      body: payloadBody({ id, type: input.event, createdAt: now.toISOString(), data: { requestId: input.requestId, tenantId: input.tenantId, ...data } }),
      status: WebhookDeliveryStatus.PENDING,
      attempts: 0,
      nextAttemptAt: options.holdUntil ?? now,
      leaseOwner: null,
      leaseExpiresAt: null,
      lastResponseStatus: null,
      lastError: null,
      createdAt: now,
      deliveredAt: null,
    };
  });
  await manager.insert(WebhookDeliveryRecord, rows);
  wakeAfterCommit(manager);
  return rows.length;
}

/** Lets a request's held deliveries (`holdUntil`) go now, in the caller's transaction. */
export async function releaseWebhookEvents(manager: EntityManager, requestId: string, now: Date): Promise<void> {
  const result = await manager
    .createQueryBuilder()
    .update(WebhookDeliveryRecord)
    .set({ nextAttemptAt: now })
    .where("request_id = :requestId AND status = :pending AND attempts = 0 AND next_attempt_at > :now", {
      requestId,
      pending: WebhookDeliveryStatus.PENDING,
      now: now.getTime(),
    })
    .execute();
  if ((result.affected ?? 0) > 0) wakeAfterCommit(manager);
}

/**
 * Removes the deliveries of a change being undone, in the caller's transaction: every
 * delivery of a request whose filing is undone, or only the still-held ones of `event` (a
 * decision the audit trail refused; held deliveries were never sent).
 */
export async function discardWebhookEvents(manager: EntityManager, requestId: string, event?: WebhookEvent): Promise<void> {
  if (event === undefined) await manager.delete(WebhookDeliveryRecord, { requestId });
  else await manager.delete(WebhookDeliveryRecord, { requestId, event, status: WebhookDeliveryStatus.PENDING, attempts: 0 });
}
