import { PrivacyRequestStatus } from "@dgg/common";
import { WITHDRAWN_STATUSES, WORKABLE_STATUSES } from "./statuses";
import type { DataSource, EntityManager } from "typeorm";
import type { QueryDeepPartialEntity } from "typeorm/query-builder/QueryPartialEntity";
import { PrivacyRequestEventRecord } from "../../entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "../../entities/privacy-request.entity";
import { enqueueWebhookEvent, eventForTransition, requestEventData } from "../../webhooks";


/** Thrown when another worker took the request over (our lease had expired): stop at once, write nothing more. */
export class LeaseLostError extends Error {
  constructor(requestId: string, worker: string) {
    super(`worker ${worker} no longer holds privacy request ${requestId}`);
  }
}

const sqlList = (statuses: readonly string[]) => statuses.map((status) => `'${status}'`).join(", ");
/**
 * A request ON_HOLD whose hold has been lifted is claimable too: the worker that claims it
 * resumes it. So lifting a hold needs no second write, and no request is stranded ON_HOLD
 * by a crash between the lift and its resumption.
 */
const RELEASED = `(status = '${PrivacyRequestStatus.ON_HOLD}' AND NOT EXISTS (SELECT 1 FROM legal_hold h WHERE h.user_id = privacy_request.user_id AND h.lifted_at IS NULL))`;
/** A denied or canceled request whose freeze is still in place: a worker lifts it (worker.ts). */
const WITHDRAWN = `(status IN (${sqlList(WITHDRAWN_STATUSES)}) AND freeze_released_at IS NULL)`;
const CANDIDATE = `(status IN (${sqlList(WORKABLE_STATUSES)}) OR ${RELEASED} OR ${WITHDRAWN}) AND (next_attempt_at IS NULL OR next_attempt_at <= :now) AND (lease_expires_at IS NULL OR lease_expires_at < :now)`;

function bind(db: DataSource, sql: string, values: Record<string, unknown>): [string, unknown[]] {
  const params: unknown[] = [];
  const text = sql.replace(/:(\w+)/g, (_match, name: string) => {
    params.push(values[name]);
    return db.options.type === "postgres" ? `$${params.length}` : "?";
  });
  return [text, params];
}

/**
 * Claims the oldest workable request whose lease is free, atomically: on PostgreSQL the
 * candidate row is locked with FOR UPDATE SKIP LOCKED, so concurrent replicas pick
 * different rows without waiting; on SQLite the single UPDATE is atomic under the
 * database's write lock. The claim counts as an attempt. Returns the request id or null.
 */
export async function claimNext(db: DataSource, worker: string, now: Date, leaseMs: number): Promise<string | null> {
  const postgres = db.options.type === "postgres";
  const pick = `SELECT id FROM privacy_request WHERE ${CANDIDATE} ORDER BY created_at, id LIMIT 1${postgres ? " FOR UPDATE SKIP LOCKED" : ""}`;
  const [sql, params] = bind(
    db,
    `UPDATE privacy_request SET lease_owner = :worker, lease_expires_at = :until, attempts = attempts + 1
     WHERE id = (${pick}) AND ${CANDIDATE} RETURNING id`,
    { worker, until: now.getTime() + leaseMs, now: now.getTime() },
  );
  const result: unknown = await db.query(sql, params);
  // pg answers [rows, count] for UPDATE … RETURNING through TypeORM; better-sqlite3 answers rows.
  const rows = (postgres && Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as { id: string }[];
  return rows[0]?.id ?? null;
}

/** Extends our lease; false when the request is no longer ours. */
export async function renewLease(db: DataSource, requestId: string, worker: string, now: Date, leaseMs: number): Promise<boolean> {
  const result = await db
    .createQueryBuilder()
    .update(PrivacyRequestRecord)
    .set({ leaseExpiresAt: new Date(now.getTime() + leaseMs) })
    .where("id = :requestId AND lease_owner = :worker", { requestId, worker })
    .execute();
  return (result.affected ?? 0) === 1;
}

export type RequestChanges = Partial<Omit<PrivacyRequestRecord, "id" | "eventSeq">>;

/** One entry of a request's event log: who (an identity's subject, or null for a worker), what, and the status it left. */
export interface RequestEvent {
  at: Date;
  worker: string;
  actor: string | null;
  step: string;
  status: PrivacyRequestStatus;
  detail: Record<string, unknown> | null;
}

/**
 * Inside a transaction that already updated the request row (and so holds its lock):
 * takes the next sequence number from the row and logs the event under it. The number is
 * counted in the database, not in memory, so an API action (an extension, a download)
 * and a worker's step never claim the same one.
 */
export async function appendEvent(manager: EntityManager, requestId: string, event: RequestEvent): Promise<number> {
  await manager
    .createQueryBuilder()
    .update(PrivacyRequestRecord)
    .set({ eventSeq: () => "event_seq + 1" })
    .where("id = :requestId", { requestId })
    .execute();
  return logEvent(manager, requestId, event);
}

/** Logs the event under the request's current sequence number, which the caller's UPDATE just advanced. */
async function logEvent(manager: EntityManager, requestId: string, event: RequestEvent): Promise<number> {
  const row = await manager.getRepository(PrivacyRequestRecord).findOneOrFail({ select: { id: true, eventSeq: true }, where: { id: requestId } });
  const record: PrivacyRequestEventRecord = { requestId, seq: row.eventSeq, ...event };
  await manager.getRepository(PrivacyRequestEventRecord).insert(record as never);
  return row.eventSeq;
}

/**
 * Updates the request row, fenced on our lease: if another worker took the request over,
 * nothing is written and LeaseLostError is thrown.
 */
export async function updateOwnedRequest(
  manager: EntityManager,
  request: PrivacyRequestRecord,
  worker: string,
  set: QueryDeepPartialEntity<PrivacyRequestRecord>,
): Promise<void> {
  const result = await manager.createQueryBuilder().update(PrivacyRequestRecord).set(set).where("id = :id AND lease_owner = :worker", { id: request.id, worker }).execute();
  if ((result.affected ?? 0) !== 1) throw new LeaseLostError(request.id, worker);
}

/**
 * Inside a transaction: the request's changes and a numbered event in the checkpoint log,
 * fenced on the lease (a worker that lost the request writes nothing). The UPDATE also
 * takes the request row's lock, which is what serialises a step against placeLegalHold.
 * A status change that announces itself (webhooks/webhook-event.ts) enqueues its webhook
 * deliveries in the same transaction. Returns the event's sequence number.
 */
export async function writeCheckpoint(
  manager: EntityManager,
  request: PrivacyRequestRecord,
  worker: string,
  at: Date,
  step: string,
  changes: RequestChanges,
  detail: Record<string, unknown> | null,
): Promise<number> {
  await updateOwnedRequest(manager, request, worker, { ...changes, eventSeq: () => "event_seq + 1" });
  const announced = changes.status === undefined ? null : eventForTransition(request.status, changes.status);
  if (announced) await enqueueWebhookEvent(manager, { tenantId: request.tenantId, event: announced, requestId: request.id, data: requestEventData({ ...request, ...changes }) }, at);
  return logEvent(manager, request.id, { at, worker, actor: null, step, status: changes.status ?? request.status, detail });
}

/** A checkpoint to write: its step, the request's changes, the event's detail and any `extra` writes in the same transaction. */
export interface Checkpoint {
  step: string;
  changes: RequestChanges;
  detail?: Record<string, unknown> | null;
  extra?: (manager: EntityManager) => Promise<unknown>;
}

/** Inside a transaction: `writeCheckpoint`, then the checkpoint's `extra` writes. Returns the event's sequence number. */
export async function writeStep(manager: EntityManager, request: PrivacyRequestRecord, worker: string, at: Date, next: Checkpoint): Promise<number> {
  const seq = await writeCheckpoint(manager, request, worker, at, next.step, next.changes, next.detail ?? null);
  if (next.extra) await next.extra(manager);
  return seq;
}

/**
 * Writes one checkpoint (`writeCheckpoint`) in its own transaction, with `extra` writes in
 * the same transaction. Applies the changes to `request` once committed.
 */
export async function checkpoint(
  db: DataSource,
  request: PrivacyRequestRecord,
  worker: string,
  at: Date,
  step: string,
  changes: RequestChanges,
  detail: Record<string, unknown> | null = null,
  extra?: (manager: EntityManager) => Promise<unknown>,
): Promise<void> {
  const seq = await db.transaction((manager) => writeStep(manager, request, worker, at, { step, changes, detail, extra }));
  Object.assign(request, changes, { eventSeq: seq });
}
