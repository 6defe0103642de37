/**
 * Signed webhooks for privacy requests: what other code of governance uses. See README
 * ("Webhooks") and docs/decisions/0046.
 */
export { enqueueWebhookEvent, releaseWebhookEvents, discardWebhookEvents } from "./enqueue";
export type { WebhookEventInput } from "./enqueue";
export { requestEventData } from "./payload";
export { EVENT_FOR_STATUS, eventForTransition, WebhookEvent, WebhookDeliveryStatus } from "./webhook-event";
