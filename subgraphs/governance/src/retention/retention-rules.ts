import { AUDIT_RETENTION_MS, DataCategory, REMOVED_USER_RETENTION_MS, TELEMETRY_RETENTION_MS } from "@dgg/common";
import type { SubjectHoldings } from "../contract/personal-data-contract-client";


export const POLICIES: Record<DataCategory, string> = {
  [DataCategory.ACCOUNT]: "until 30 days after removal from management",
  [DataCategory.SERVICE_DATA]: "until 30 days after removal from management",
  [DataCategory.TELEMETRY]: "at most 30 days after it was recorded (sooner if the user is removed from management)",
  [DataCategory.AUDIT_LOG]: "up to one year (365 days) after it was recorded; unlinked from the person when the account is erased",
};

export const CATEGORY_ORDER: DataCategory[] = [
  DataCategory.ACCOUNT,
  DataCategory.SERVICE_DATA,
  DataCategory.TELEMETRY,
  DataCategory.AUDIT_LOG,
];

const plus = (date: Date | null, ms: number): Date | null => (date ? new Date(date.getTime() + ms) : null);
const earliest = (...dates: (Date | null)[]): Date | null =>
  dates.filter((date): date is Date => date !== null).sort((a, b) => a.getTime() - b.getTime())[0] ?? null;

/**
 * When the oldest data of each category held about one user will be purged; null when
 * none is held or no clock has started (a managed user's account has no end date yet).
 */
export function purgeDatesFor(holdings: SubjectHoldings): Map<DataCategory, Date | null> {
  const removalDeadline = plus(holdings.removedAt, REMOVED_USER_RETENTION_MS);
  const held = (category: DataCategory) => (holdings.categories.get(category)?.records ?? 0) > 0;
  const oldest = (category: DataCategory) => holdings.categories.get(category)?.oldestAt ?? null;
  return new Map<DataCategory, Date | null>([
    [DataCategory.ACCOUNT, held(DataCategory.ACCOUNT) ? removalDeadline : null],
    [DataCategory.SERVICE_DATA, held(DataCategory.SERVICE_DATA) ? removalDeadline : null],
    [
      DataCategory.TELEMETRY,
      held(DataCategory.TELEMETRY) ? earliest(plus(oldest(DataCategory.TELEMETRY), TELEMETRY_RETENTION_MS), removalDeadline) : null,
    ],
    [DataCategory.AUDIT_LOG, held(DataCategory.AUDIT_LOG) ? plus(oldest(DataCategory.AUDIT_LOG), AUDIT_RETENTION_MS) : null],
  ]);
}

/** The cut-offs for a run at `now`: rows strictly older than these go. */
export function cutoffs(now: Date): { telemetry: Date; removedUsers: Date; audit: Date } {
  return {
    telemetry: new Date(now.getTime() - TELEMETRY_RETENTION_MS),
    removedUsers: new Date(now.getTime() - REMOVED_USER_RETENTION_MS),
    audit: new Date(now.getTime() - AUDIT_RETENTION_MS),
  };
}

/**
 * When the schedule will really purge data that expires at `purgeAfter`: the first slot
 * start strictly after it (data exactly at its limit is still kept), and never before the
 * next slot from `now` when it is already overdue. Slots are aligned to the epoch, as the
 * scheduler aligns them. Null without a date or without a schedule.
 */
export function scheduledPurgeAt(purgeAfter: Date | null, intervalMs: number | null, now: Date): Date | null {
  if (!purgeAfter || !intervalMs) return null;
  const nextSlotAfter = (ms: number) => (Math.floor(ms / intervalMs) + 1) * intervalMs;
  const slot = nextSlotAfter(purgeAfter.getTime());
  return new Date(slot > now.getTime() ? slot : nextSlotAfter(now.getTime()));
}
