import { createHash } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { AuditErasedSubject } from "../entities/audit-erased-subject.entity";
import { Needles, redactDetails } from "./redaction";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUIDS_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Hashes per lookup statement: well below both engines' bound-parameter limits. */
const LOOKUP_CHUNK = 500;

/**
 * The tombstone key of an erased value: hex SHA-256 of a user id (lower-cased, as ids are
 * compared everywhere) or of an IdP subject (as the token carried it, unless UUID-shaped).
 * Unkeyed on purpose: every replica must compute it from the append alone; user ids are
 * random UUIDs, so the hash cannot be reversed by guessing (docs/decisions/0033).
 */
export function subjectHash(value: string): string {
  return createHash("sha256")
    .update(UUID.test(value) ? value.toLowerCase() : value, "utf8")
    .digest("hex");
}

/**
 * Appends and erasures of one store exclude each other, or an append that read no tombstone
 * could commit its clear row after the erasure rewrote the rows it could see.
 *
 * PostgreSQL (any number of replicas): a transaction-scoped advisory lock, shared by appends,
 * exclusive for an erasure. SQLite: a write transaction holds the database alone (BEGIN
 * IMMEDIATE, and one transaction per store at a time in the process, see
 * packages/common/src/sqlite-transactions.ts), so appends and erasures are already ordered.
 */
const ERASURE_LOCK_KEY = "7305069261637423461";

async function lockedTransaction<T>(db: DataSource, exclusive: boolean, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (db.options.type === "postgres") {
    return db.transaction(async (manager) => {
      await manager.query(exclusive ? "SELECT pg_advisory_xact_lock($1::bigint)" : "SELECT pg_advisory_xact_lock_shared($1::bigint)", [ERASURE_LOCK_KEY]);
      return work(manager);
    });
  }
  return db.transaction(work);
}

/** A transaction of an append: may run alongside other appends, never alongside an erasure of the same store. */
export function appendTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return lockedTransaction(db, false, work);
}

/** A transaction of an erasure: alone against appends to the same store. */
export function erasureTransaction<T>(db: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  return lockedTransaction(db, true, work);
}

/** The pseudonym of each tombstoned hash among `hashes`. */
export async function findTombstones(manager: EntityManager, hashes: Iterable<string>): Promise<Map<string, string>> {
  const all = [...new Set(hashes)];
  const found = new Map<string, string>();
  for (let start = 0; start < all.length; start += LOOKUP_CHUNK) {
    const chunk = all.slice(start, start + LOOKUP_CHUNK);
    const rows = await manager
      .createQueryBuilder(AuditErasedSubject, "t")
      .select(["t.subjectHash", "t.pseudonym"])
      .where("t.subject_hash IN (:...chunk)", { chunk })
      .getMany();
    for (const row of rows) found.set(row.subjectHash, row.pseudonym);
  }
  return found;
}

/** Writes tombstones; an existing one keeps its pseudonym and date (a repeated erasure relinks nothing). */
export async function writeTombstones(manager: EntityManager, hashes: Iterable<string>, pseudonym: string, erasedAt: Date): Promise<void> {
  const rows = [...new Set(hashes)].map((subjectHash) => ({ subjectHash, pseudonym, erasedAt }));
  for (let start = 0; start < rows.length; start += LOOKUP_CHUNK) {
    await manager.createQueryBuilder().insert().into(AuditErasedSubject).values(rows.slice(start, start + LOOKUP_CHUNK)).orIgnore().updateEntity(false).execute();
  }
}

/** Deletes tombstones written before `cutoff` (epoch ms): the entries they protected are purged by then. */
export async function purgeTombstones(db: DataSource, cutoff: number): Promise<number> {
  const result = await db.createQueryBuilder().delete().from(AuditErasedSubject).where("erased_at < :cutoff", { cutoff }).execute();
  return result.affected ?? 0;
}

/** The fields of a row about to be appended that a tombstone may rewrite. */
export interface TombstonedFields {
  actor: string;
  actorUserId: string | null;
  subjectUserId: string | null;
  details: Record<string, unknown> | null;
}

/**
 * Rewrites, in place and inside the append's transaction, the rows that name an erased
 * person: subject or actor replaced by the tombstone's pseudonym, actor_user_id cleared,
 * details redacted. A row about someone else whose details carry an erased user id (any
 * UUID in them is looked up) has its details redacted. Returns how many rows were rewritten.
 */
export async function applyTombstones(manager: EntityManager, rows: TombstonedFields[]): Promise<number> {
  const hashes = new Set<string>();
  const uuidsOf = (row: TombstonedFields) => (row.details === null ? [] : (JSON.stringify(row.details).match(UUIDS_IN_TEXT) ?? []));
  for (const row of rows) {
    hashes.add(subjectHash(row.actor));
    if (row.actorUserId) hashes.add(subjectHash(row.actorUserId));
    if (row.subjectUserId) hashes.add(subjectHash(row.subjectUserId));
    for (const uuid of uuidsOf(row)) hashes.add(subjectHash(uuid));
  }
  const tombstones = await findTombstones(manager, hashes);
  if (tombstones.size === 0) return 0;
  let rewritten = 0;
  for (const row of rows) {
    const erasedValues: string[] = [];
    const subjectPseudonym = row.subjectUserId ? tombstones.get(subjectHash(row.subjectUserId)) : undefined;
    const actorPseudonym = tombstones.get(subjectHash(row.actor)) ?? (row.actorUserId ? tombstones.get(subjectHash(row.actorUserId)) : undefined);
    const mentioned = uuidsOf(row).filter((uuid) => tombstones.has(subjectHash(uuid)));
    if (subjectPseudonym === undefined && actorPseudonym === undefined && mentioned.length === 0) continue;
    if (subjectPseudonym !== undefined) {
      erasedValues.push(row.subjectUserId!);
      row.subjectUserId = subjectPseudonym;
    }
    if (actorPseudonym !== undefined) {
      erasedValues.push(row.actor);
      if (row.actorUserId) erasedValues.push(row.actorUserId);
      row.actor = actorPseudonym;
      row.actorUserId = null;
    }
    row.details = redactDetails(row.details, new Needles([...erasedValues, ...mentioned]));
    rewritten += 1;
  }
  return rewritten;
}
