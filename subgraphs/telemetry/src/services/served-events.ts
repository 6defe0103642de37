import { TELEMETRY_RETENTION_MS } from "@dgg/common";
import { HELD_TABLE } from "./held-events";
import { PARENT_TABLE } from "./partitions";

/** The first moment still within the retention period at `now`: older events are expired. */
export const retentionCutoff = (now: Date): number => now.getTime() - TELEMETRY_RETENTION_MS;

/**
 * The telemetry that reads may serve at `now`, as a subquery over both tables (columns as
 * in telemetry_event): events within their 30 days, and the events a legal hold kept. An
 * event that expired is not served from the second it expires, whether or not the hourly
 * run has removed it yet (docs/decisions/0023).
 *
 * The cut-off is written into the SQL as an integer literal, not a parameter, so that
 * PostgreSQL prunes the expired partitions while planning: a read plans the month or two
 * it can see, not a year of backlog, and takes no lock on the expired partitions that
 * retention detaches.
 */
export function servedEvents(now: Date): string {
  const cutoff = retentionCutoff(now);
  if (!Number.isSafeInteger(cutoff)) throw new Error(`retention cut-off ${cutoff} is not an integer number of milliseconds`);
  const columns = "id, tenant_id, user_id, kind, occurred_at, payload";
  return `(SELECT ${columns} FROM "${PARENT_TABLE}" WHERE occurred_at >= ${cutoff} UNION ALL SELECT ${columns} FROM "${HELD_TABLE}")`;
}
