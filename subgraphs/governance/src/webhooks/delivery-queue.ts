import type { DataSource } from "typeorm";
import { backoffMs } from "../privacy/engine/worker";
import type { WebhookConfig } from "./config";
import { queryRows, skipLocked } from "./sql";
import { WebhookDeliveryStatus } from "./webhook-event";
import type { WebhookEvent } from "./webhook-event";

/** A delivery claimed for one attempt: what to send, and the attempt it is (claims count). */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  event: WebhookEvent;
  body: string;
  attempts: number;
}

const PENDING = `'${WebhookDeliveryStatus.PENDING}'`;
/** Pending, due, and not held by a live claim; `t` qualifies the columns. */
const free = (t = "") => `${t}status = ${PENDING} AND ${t}next_attempt_at <= :now AND (${t}lease_expires_at IS NULL OR ${t}lease_expires_at < :now)`;
/**
 * One request's deliveries to one webhook go out one at a time, in the order of the
 * request's transitions (checkpoint number, then enqueue time): a receiver never hears
 * COMPLETED before RECEIVED, even when RECEIVED needed retries. A FAILED one no longer holds
 * the next back.
 */
const FIRST_IN_LINE = `NOT EXISTS (SELECT 1 FROM webhook_delivery e WHERE e.webhook_id = d.webhook_id AND e.request_id = d.request_id AND e.status = ${PENDING}
  AND (e.sequence < d.sequence OR (e.sequence = d.sequence AND (e.created_at < d.created_at OR (e.created_at = d.created_at AND e.id < d.id)))))`;

/**
 * Claims up to `limit` due deliveries for `owner`, atomically: PostgreSQL locks the picked
 * rows with SKIP LOCKED, so replicas take different ones without waiting; on SQLite the one
 * UPDATE is atomic under the database's write lock. Each claim is an attempt.
 */
export async function claimDue(db: DataSource, owner: string, now: Date, leaseMs: number, limit: number): Promise<ClaimedDelivery[]> {
  const pick = `SELECT d.id FROM webhook_delivery d WHERE ${free("d.")} AND ${FIRST_IN_LINE}
    ORDER BY d.next_attempt_at, d.id LIMIT :limit${skipLocked(db, "d")}`;
  const rows = await queryRows<{ id: string; webhook_id: string; event: WebhookEvent; body: string; attempts: number | string }>(
    db,
    `UPDATE webhook_delivery SET lease_owner = :owner, lease_expires_at = :until, attempts = attempts + 1
     WHERE id IN (${pick}) AND ${free()} RETURNING id, webhook_id, event, body, attempts`,
    { owner, until: now.getTime() + leaseMs, now: now.getTime(), limit },
  );
  return rows.map((row) => ({ id: row.id, webhookId: row.webhook_id, event: row.event, body: row.body, attempts: Number(row.attempts) }));
}

/** What one attempt came to. */
export type AttemptOutcome = { delivered: true; status: number } | { delivered: false; status: number | null; error: string };

/**
 * Records an attempt's outcome, fenced on the claim (a replica whose lease ran out and was
 * re-claimed writes nothing): DELIVERED; or PENDING again after the backoff; or, after the
 * last attempt, FAILED. Returns the status written, or null when the claim was lost.
 */
export async function recordOutcome(
  db: DataSource,
  delivery: ClaimedDelivery,
  owner: string,
  now: Date,
  outcome: AttemptOutcome,
  config: Pick<WebhookConfig, "maxAttempts" | "retryBaseMs" | "retryMaxMs">,
): Promise<WebhookDeliveryStatus | null> {
  let status: WebhookDeliveryStatus;
  let set: string;
  const values: Record<string, unknown> = { id: delivery.id, owner, code: outcome.status };
  if (outcome.delivered) {
    status = WebhookDeliveryStatus.DELIVERED;
    set = "delivered_at = :now, last_error = NULL";
    values.now = now.getTime();
  } else {
    const last = delivery.attempts >= config.maxAttempts;
    status = last ? WebhookDeliveryStatus.FAILED : WebhookDeliveryStatus.PENDING;
    set = "last_error = :error, next_attempt_at = :next";
    values.error = outcome.error.slice(0, 500);
    values.next = last ? now.getTime() : now.getTime() + backoffMs(delivery.attempts, config.retryBaseMs, config.retryMaxMs);
  }
  values.status = status;
  const rows = await queryRows<{ id: string }>(
    db,
    `UPDATE webhook_delivery SET status = :status, last_response_status = :code, ${set}, lease_owner = NULL, lease_expires_at = NULL
     WHERE id = :id AND lease_owner = :owner AND status = ${PENDING} RETURNING id`,
    values,
  );
  return rows.length === 1 ? status : null;
}
