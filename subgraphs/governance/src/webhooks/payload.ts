import type { WebhookEvent } from "./webhook-event";

/**
 * The keys `data` may carry besides requestId and tenantId. A payload leaves the platform
 * for any URL a tenant names, so it carries ids, kinds, statuses and dates, never personal
 * data: no user id, no names, no reason texts. A new key belongs here only if it is one of
 * those; anything else makes enqueueing throw, so a mistake fails in tests, not at a receiver.
 */
export const PAYLOAD_DATA_KEYS = ["kind", "status", "previousStatus", "receivedAt", "dueAt", "previousDueAt", "completedAt", "failedAt"] as const;
export type PayloadDataKey = (typeof PAYLOAD_DATA_KEYS)[number];

/** What `data` of a payload may hold: the allowed keys, each a string, a number, a boolean or null. */
export type WebhookEventData = Partial<Record<PayloadDataKey, string | number | boolean | null>>;

export interface WebhookPayload {
  id: string;
  type: WebhookEvent;
  createdAt: string;
  data: { requestId: string; tenantId: string } & WebhookEventData;
}

const ALLOWED = new Set<string>(PAYLOAD_DATA_KEYS);

/** Checks `data` against the allowed keys and value types; throws naming the first offender. */
export function assertPayloadData(data: Record<string, unknown>): WebhookEventData {
  for (const [key, value] of Object.entries(data)) {
    if (!ALLOWED.has(key)) throw new Error(`webhook payload data may not carry ${JSON.stringify(key)} (allowed: ${PAYLOAD_DATA_KEYS.join(", ")})`);
    if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
      throw new Error(`webhook payload data.${key} must be a string, number, boolean or null, got ${typeof value}`);
    }
  }
  return data;
}

/** The exact bytes a delivery signs and sends, on every attempt. */
export function payloadBody(payload: WebhookPayload): string {
  return JSON.stringify(payload);
}

/** A request's event data from its record (or the record with the changes about to be written). */
export function requestEventData(request: {
  kind: string;
  status: string;
  createdAt: Date;
  dueAt: Date;
  completedAt?: Date | null;
  failedAt?: Date | null;
}): WebhookEventData {
  return {
    kind: request.kind,
    status: request.status,
    receivedAt: request.createdAt.toISOString(),
    dueAt: request.dueAt.toISOString(),
    ...(request.completedAt ? { completedAt: request.completedAt.toISOString() } : {}),
    ...(request.failedAt ? { failedAt: request.failedAt.toISOString() } : {}),
  };
}
