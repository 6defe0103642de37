import { PrivacyRequestStatus } from "@dgg/common";

/** Statuses a worker can make progress on. FAILED waits for retryPrivacyRequest. */
export const WORKABLE_STATUSES = [
  PrivacyRequestStatus.RECEIVED,
  PrivacyRequestStatus.EXPORTING,
  PrivacyRequestStatus.EXPORTED,
  PrivacyRequestStatus.ERASING,
] as const;

/**
 * Statuses of a request that is not finished: a second restrictProcessing returns it, and
 * its subject stays frozen. AWAITING_APPROVAL waits for a second person, ON_HOLD for
 * liftLegalHold, FAILED for retryPrivacyRequest.
 */
export const OPEN_STATUSES = [...WORKABLE_STATUSES, PrivacyRequestStatus.AWAITING_APPROVAL, PrivacyRequestStatus.ON_HOLD, PrivacyRequestStatus.FAILED] as const;

/** Statuses a request ends in; nothing moves it on from there. */
export const FINISHED_STATUSES = [PrivacyRequestStatus.COMPLETED, PrivacyRequestStatus.DENIED, PrivacyRequestStatus.CANCELED] as const;

/** Ended before anything was erased: a restriction's freeze must still be lifted (`freeze_released_at`). */
export const WITHDRAWN_STATUSES = [PrivacyRequestStatus.DENIED, PrivacyRequestStatus.CANCELED] as const;

export const isFinished = (status: PrivacyRequestStatus): boolean => (FINISHED_STATUSES as readonly PrivacyRequestStatus[]).includes(status);
