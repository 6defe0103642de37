import { graphqlEnum, PrivacyRequestStatus } from "@dgg/common";
import type { EnumValue } from "@dgg/common";

/**
 * What a webhook can subscribe to: the transitions of a tenant's privacy requests.
 * REQUEST_OVERDUE: past its due date and not finished; sent once per request.
 */
export const WebhookEvent = graphqlEnum(
  "WebhookEvent",
  [
    "REQUEST_RECEIVED", "REQUEST_AWAITING_APPROVAL", "REQUEST_APPROVED", "REQUEST_DENIED", "REQUEST_CANCELED",
    "REQUEST_ON_HOLD", "REQUEST_COMPLETED", "REQUEST_FAILED", "REQUEST_OVERDUE", "REQUEST_DEADLINE_EXTENDED",
  ],
  "A transition of a privacy request that a webhook can subscribe to.",
);
export type WebhookEvent = EnumValue<typeof WebhookEvent>;

export const WebhookDeliveryStatus = graphqlEnum("WebhookDeliveryStatus", ["PENDING", "DELIVERED", "FAILED"]);
export type WebhookDeliveryStatus = EnumValue<typeof WebhookDeliveryStatus>;

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = Object.values(WebhookEvent);

/**
 * The one place that says which request status announces itself with which event. The
 * working statuses (EXPORTING, EXPORTED, ERASING) are progress, not news, and send nothing.
 */
export const EVENT_FOR_STATUS: Readonly<Partial<Record<PrivacyRequestStatus, WebhookEvent>>> = {
  [PrivacyRequestStatus.RECEIVED]: WebhookEvent.REQUEST_RECEIVED,
  [PrivacyRequestStatus.AWAITING_APPROVAL]: WebhookEvent.REQUEST_AWAITING_APPROVAL,
  [PrivacyRequestStatus.DENIED]: WebhookEvent.REQUEST_DENIED,
  [PrivacyRequestStatus.CANCELED]: WebhookEvent.REQUEST_CANCELED,
  [PrivacyRequestStatus.ON_HOLD]: WebhookEvent.REQUEST_ON_HOLD,
  [PrivacyRequestStatus.COMPLETED]: WebhookEvent.REQUEST_COMPLETED,
  [PrivacyRequestStatus.FAILED]: WebhookEvent.REQUEST_FAILED,
};

/**
 * The event a status change announces, or null. Re-entering RECEIVED (a request resumed
 * after a legal hold, or retried from the start) is not a new request, so only filing
 * sends REQUEST_RECEIVED; filing calls this with `from` null.
 */
export function eventForTransition(from: PrivacyRequestStatus | null, to: PrivacyRequestStatus): WebhookEvent | null {
  if (from === to) return null;
  if (from !== null && to === PrivacyRequestStatus.RECEIVED) return null;
  return EVENT_FOR_STATUS[to] ?? null;
}
