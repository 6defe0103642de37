import type { DataSource } from "typeorm";
import { enqueueWebhookEvent } from "./enqueue";
import { requestEventData } from "./payload";
import { queryRows, skipLocked } from "./sql";
import { FINISHED_STATUSES } from "../privacy/engine/statuses";
import { WebhookEvent } from "./webhook-event";

/** Requests marked per transaction; the next sweep takes the rest. */
const BATCH = 100;

const finished = FINISHED_STATUSES.map((status) => `'${status}'`).join(", ");
/** Late, unfinished, not yet announced: the partial index ix_privacy_request_overdue_sweep holds exactly the first and last parts. */
const OVERDUE = `overdue_notified_at IS NULL AND status NOT IN (${finished}) AND due_at < :now`;

interface OverdueRow {
  id: string;
  tenant_id: string;
  kind: string;
  status: string;
  created_at: string | number;
  due_at: string | number;
}

/**
 * Announces every request that has become overdue, once: marks it (`overdue_notified_at`)
 * and enqueues REQUEST_OVERDUE in one transaction. The mark is a conditional UPDATE, so of
 * several replicas sweeping at once exactly one marks each request (PostgreSQL: the row
 * lock, with SKIP LOCKED so nobody waits; SQLite: the write lock), and only the one that
 * marked it enqueues. Returns how many requests it marked.
 */
export async function sweepOverdue(db: DataSource, now: Date): Promise<number> {
  const values = { now: now.getTime(), limit: BATCH };
  // Most sweeps find nothing: a read first, so they take no write lock.
  const candidates = await queryRows<{ id: string }>(db, `SELECT id FROM privacy_request WHERE ${OVERDUE} LIMIT 1`, values);
  if (candidates.length === 0) return 0;
  return db.transaction(async (manager) => {
    const marked = await queryRows<OverdueRow>(
      manager,
      `UPDATE privacy_request SET overdue_notified_at = :now
       WHERE id IN (SELECT id FROM privacy_request WHERE ${OVERDUE} ORDER BY due_at LIMIT :limit${skipLocked(db)}) AND ${OVERDUE}
       RETURNING id, tenant_id, kind, status, created_at, due_at`,
      values,
    );
    for (const row of marked) {
      const request = { kind: row.kind, status: row.status, createdAt: new Date(Number(row.created_at)), dueAt: new Date(Number(row.due_at)) };
      await enqueueWebhookEvent(manager, { tenantId: row.tenant_id, event: WebhookEvent.REQUEST_OVERDUE, requestId: row.id, data: requestEventData(request) }, now);
    }
    return marked.length;
  });
}
