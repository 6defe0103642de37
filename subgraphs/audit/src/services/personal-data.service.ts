import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { AUDIT_RETENTION_MS, DataCategory, DAY_MS, epochOfTime, holdingStats, jsonColumnText, keysetExportPage, sealingSpecOf } from "@dgg/common";
import type { CategoryHolding, ExportPage, SubjectKeyStore } from "@dgg/common";
import { In } from "typeorm";
import type { DataSource, EntityManager } from "typeorm";
import { AuditLogEntry, ENTRIES_ABOUT_NOBODY } from "../entities/audit-log-entry.entity";
import type { AuditOutcome } from "../types/audit-outcome.enum";
import { deleteEntries, ENTRY_COLUMNS, insertEntries } from "./audit-entries.service";
import { erasureTransaction, findTombstones, purgeTombstones, subjectHash, writeTombstones } from "./erased-subjects";
import { Needles, redactDetails } from "./redaction";

/** Rows per purge statement: keeps each delete short so writers are never blocked for long. */
export const PURGE_BATCH = 5000;

/**
 * An entry concerns a user when it is about them or when they did it: as the actor itself
 * (a token whose subject is the user id) or as the verified user behind an IdP subject.
 */
const CONCERNS_USER = "(a.subject_user_id = :userId OR a.actor = :userId OR a.actor_user_id = :userId)";

/** How many entries concern the user, since when, and in which tenant. */
export async function auditHoldings(db: DataSource, userId: string, tenantId: string): Promise<{ tenantId: string | null; holding: CategoryHolding }> {
  const entries = db.getRepository(AuditLogEntry).createQueryBuilder("a").where(CONCERNS_USER, { userId }).andWhere("a.tenant_id = :tenantId", { tenantId });
  const { records, oldestAt, tenantId: holder } = await holdingStats(entries, "a", "occurred_at");
  return { tenantId: holder, holding: { category: DataCategory.AUDIT_LOG, records, oldestAt } };
}

/** What the archive keeps of each entry. */
const ENTRY_FIELDS = ["id", "tenantId", "actor", "action", "subjectUserId", "occurredAt", "details"] as const;

/** One export page of the entries concerning the user, oldest first, keyset on (occurred_at, id). */
export async function exportAuditPage(db: DataSource, userId: string, tenantId: string, after: string | undefined, limit: number): Promise<ExportPage> {
  const qb = db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .where(CONCERNS_USER, { userId })
    .andWhere("a.tenant_id = :tenantId", { tenantId });
  return keysetExportPage(qb, { alias: "a", time: { column: "occurred_at", field: "occurredAt" }, fields: ENTRY_FIELDS, category: DataCategory.AUDIT_LOG, after, limit });
}

/** What an audit erasure replaces and redacts besides the user id (the erase route's body). */
export interface AuditErasure {
  /** Replaces the user (and the user's IdP subjects) as subject and actor, linking what is left of the trail. */
  pseudonym: string;
  /** Clear-text values naming the person (principal name, email, display name, serials), from the users subgraph. */
  identifiers: readonly string[];
  /** When the tombstones were written: they are purged with the trail, AUDIT_RETENTION_MS later. */
  erasedAt: Date;
}

/** Needles per candidate query: bounds both the bound parameters and SQLite's expression depth. */
const NEEDLE_CHUNK = 50;
/** Entries loaded and rewritten at a time. */
const REWRITE_CHUNK = 500;

/** Entries with details read and opened at a time by the scan. */
const SCAN_CHUNK = 1000;

/**
 * The ids of the entries without details that may concern the person: about them, by them,
 * or naming one of the values as subject or actor. A superset filter only; each row is
 * decided by `rewrite`. Columns are compared in SQL: PostgreSQL lower-cased; SQLite's LOWER
 * and NOCASE fold ASCII only, so each value is also tried as given, lower- and upper-cased
 * (docs/decisions/0033). Entries with details are not looked for here: the scan reads every
 * one of them (see `eraseInStore`).
 */
async function candidatesWithoutDetails(manager: EntityManager, userId: string, actors: readonly string[], values: readonly string[]): Promise<string[]> {
  const ids = new Set<string>();
  const postgres = manager.connection.options.type === "postgres";
  const collect = async (where: string, parameters: Record<string, unknown>) => {
    const rows: { id: string }[] = await manager
      .createQueryBuilder(AuditLogEntry, "a")
      .select("a.id", "id")
      .where("a.details IS NULL")
      .andWhere(`(${where})`, parameters)
      .getRawMany();
    for (const row of rows) ids.add(row.id);
  };
  await collect("a.subject_user_id = :userId OR a.actor_user_id = :userId OR a.actor IN (:...actors)", { userId, actors: [userId, ...actors] });
  for (let start = 0; start < values.length; start += NEEDLE_CHUNK) {
    const chunk = values.slice(start, start + NEEDLE_CHUNK);
    const variants = [...new Set(chunk.flatMap((value) => (postgres ? [value.toLowerCase()] : [value, value.toLowerCase(), value.toUpperCase()])))];
    const columns = postgres
      ? "LOWER(a.subject_user_id) IN (:...variants) OR LOWER(a.actor) IN (:...variants)"
      : "a.subject_user_id COLLATE NOCASE IN (:...variants) OR a.actor COLLATE NOCASE IN (:...variants)";
    await collect(columns, { variants });
  }
  return [...ids];
}

/** An entry with details as the scan reads it: its columns, ids translated back, details sealed. */
interface ScannedEntry {
  id: string;
  tenant_id: string;
  actor: string;
  actor_user_id: string | null;
  actor_role: string;
  outcome: AuditOutcome;
  action: string;
  subject_user_id: string | null;
  occurred_at: string | number;
  details: string;
}

/** The JSON text of an entry's details, opened without building the entity or the value. */
function detailsText(keys: SubjectKeyStore, row: ScannedEntry): string {
  const key = { subjectUserId: row.subject_user_id, tenantId: row.tenant_id, occurredAt: Number(row.occurred_at) };
  return jsonColumnText(keys, sealingSpecOf(AuditLogEntry)!, key, "details", row.details);
}

/** The entry a scanned row is, given its details' JSON text, as a load through TypeORM would build it. */
function entryOf(row: ScannedEntry, details: string): AuditLogEntry {
  return Object.assign(new AuditLogEntry(), {
    id: row.id,
    tenantId: row.tenant_id,
    actor: row.actor,
    actorUserId: row.actor_user_id,
    actorRole: row.actor_role,
    outcome: row.outcome,
    action: row.action,
    subjectUserId: row.subject_user_id,
    occurredAt: new Date(Number(row.occurred_at)),
    details: JSON.parse(details) as Record<string, unknown>,
  });
}

/** The values an erasure looks for, and how it decides what a row is to the person. */
interface ErasureScope {
  userId: string;
  pseudonym: string;
  idpSubjects: Set<string>;
  identifiersLower: Set<string>;
  needles: Needles;
}

/** Whether an entry is about the person (its subject names them) and whether it is by them (its actor). */
function aboutAndBy(row: Pick<AuditLogEntry, "subjectUserId" | "actor" | "actorUserId">, scope: ErasureScope): { about: boolean; by: boolean } {
  const names = (value: string | null) => value !== null && (value.toLowerCase() === scope.userId || scope.identifiersLower.has(value.toLowerCase()));
  return { about: names(row.subjectUserId), by: row.actorUserId === scope.userId || scope.idpSubjects.has(row.actor) || names(row.actor) };
}

/** The row as the erasure leaves it, or null when it does not concern the person. */
function rewrite(row: AuditLogEntry, scope: ErasureScope): Pick<AuditLogEntry, "subjectUserId" | "actor" | "actorUserId" | "details"> | null {
  const { about, by } = aboutAndBy(row, scope);
  if (about || by) {
    return {
      subjectUserId: about ? scope.pseudonym : row.subjectUserId,
      actor: by ? scope.pseudonym : row.actor,
      actorUserId: by ? null : row.actorUserId,
      details: redactDetails(row.details, scope.needles),
    };
  }
  if (row.details !== null && scope.needles.mentionedIn(row.details)) {
    return { subjectUserId: row.subjectUserId, actor: row.actor, actorUserId: row.actorUserId, details: redactDetails(row.details, scope.needles) };
  }
  return null;
}

async function idpSubjectsIn(manager: EntityManager, userId: string): Promise<string[]> {
  const rows: { actor: string }[] = await manager
    .createQueryBuilder(AuditLogEntry, "a")
    .select("DISTINCT a.actor", "actor")
    .where("a.actor_user_id = :userId", { userId })
    .getRawMany();
  return rows.map((row) => row.actor);
}

/** A regional audit store and its subject keys. */
export interface AuditStore {
  db: DataSource;
  keys: SubjectKeyStore;
}

/** One store's part of the erasure, in one transaction that no append of that store overlaps. */
async function eraseInStore({ db, keys }: AuditStore, userId: string, erasure: AuditErasure, idpSubjects: Set<string>, changed: Set<string>): Promise<void> {
  await erasureTransaction(db, async (manager) => {
    // Under the lock: an IdP subject first seen since the collection before the loop is caught here.
    for (const subject of await idpSubjectsIn(manager, userId)) idpSubjects.add(subject);
    // A repeated erasure (ledger replay) keeps the first pseudonym, so the trail stays one trail.
    const existing = await findTombstones(manager, [subjectHash(userId)]);
    const pseudonym = existing.get(subjectHash(userId)) ?? erasure.pseudonym;
    await writeTombstones(manager, [userId, ...idpSubjects].map(subjectHash), pseudonym, erasure.erasedAt);
    const scope: ErasureScope = {
      userId,
      pseudonym,
      idpSubjects,
      identifiersLower: new Set(erasure.identifiers.map((value) => value.toLowerCase())),
      needles: new Needles([userId, ...idpSubjects, ...erasure.identifiers]),
    };
    // Each chunk's rewritten entries replace the old ones in two statements rather than one
    // UPDATE each (10,000 entries about a person were 10,000 round trips). Sealed as the
    // appends are: with the row's tenant and day, under the key of the subject they now have
    // (the pseudonym's, for an entry about the person). Same id, same transaction.
    const replace = async (rows: AuditLogEntry[]) => {
      const rewritten: AuditLogEntry[] = [];
      for (const row of rows) {
        const next = rewrite(row, scope);
        if (!next) continue;
        const same =
          next.subjectUserId === row.subjectUserId &&
          next.actor === row.actor &&
          next.actorUserId === row.actorUserId &&
          JSON.stringify(next.details) === JSON.stringify(row.details);
        if (!same) rewritten.push({ ...row, ...next });
      }
      if (rewritten.length === 0) return;
      await deleteEntries(manager, rewritten.map((row) => row.id));
      await insertEntries(keys, manager, rewritten);
      for (const row of rewritten) changed.add(row.id);
    };
    const repository = manager.getRepository(AuditLogEntry);
    // Entries without details: found by their columns.
    const bare = await candidatesWithoutDetails(manager, userId, [...idpSubjects], [userId, ...idpSubjects, ...erasure.identifiers]);
    for (let start = 0; start < bare.length; start += REWRITE_CHUNK) await replace(await repository.findBy({ id: In(bare.slice(start, start + REWRITE_CHUNK)) }));
    // Entries with details: sealed (docs/decisions/0044), so the database cannot search them.
    // Every one in the store is read raw, a chunk at a time in id order, and only one about or
    // by the person, or whose details' text may name them, is built and decided (`rewrite`).
    // Building every entry of the trail to find the few that concern someone was most of the
    // scan. A rewritten entry keeps its id, behind the scan's position, so the scan never
    // meets it again.
    // Each row's details are opened once: as text to test, and parsed only for a row that may concern the person.
    const concerning = (row: ScannedEntry): AuditLogEntry[] => {
      const text = detailsText(keys, row);
      const { about, by } = aboutAndBy({ subjectUserId: row.subject_user_id, actor: row.actor, actorUserId: row.actor_user_id }, scope);
      return about || by || scope.needles.mayBeMentionedInJson(text) ? [entryOf(row, text)] : [];
    };
    let after = "";
    for (;;) {
      const rows = await manager
        .createQueryBuilder(AuditLogEntry, "a")
        .select(ENTRY_COLUMNS.map((column) => `a.${column} AS ${column}`))
        .where("a.details IS NOT NULL AND a.id > :after", { after })
        .orderBy("a.id", "ASC")
        .limit(SCAN_CHUNK)
        .getRawMany<ScannedEntry>();
      await replace(rows.flatMap(concerning));
      if (rows.length < SCAN_CHUNK) break;
      after = rows.at(-1)!.id;
    }
  });
}

/**
 * Erases a person from the audit trail of every store (another tenant's trail may name
 * them): entries about or by them keep their action, time, tenant, outcome and actor role
 * under the pseudonym, with details redacted to evidence that names nobody; any other
 * entry whose details name the user id, an IdP subject of theirs or one of `identifiers`
 * has its details redacted. Tombstones make later appends about or by them arrive
 * pseudonymised. One transaction per store, exclusive of that store's appends.
 * Returns the number of distinct entries changed; a second call changes nothing and returns 0.
 */
export async function eraseAuditSubject(stores: readonly AuditStore[], userId: string, erasure: AuditErasure): Promise<number> {
  const id = userId.toLowerCase();
  // The person's IdP subjects are known only from their own entries (actor_user_id), in any store:
  // gathered first so that every store's tombstones and rewrite know all of them.
  const idpSubjects = new Set<string>();
  for (const { db } of stores) for (const subject of await idpSubjectsIn(db.manager, id)) idpSubjects.add(subject);
  const changed = new Set<string>();
  for (;;) {
    const known = idpSubjects.size;
    for (const store of stores) await eraseInStore(store, id, erasure, idpSubjects, changed);
    // A subject first seen in a later store's pass: the earlier stores are done again (idempotent).
    if (idpSubjects.size === known) return changed.size;
  }
}

/** Destroys the keys of the days wholly before `cutoff`, except the subjects' of entries still kept from those days. */
async function destroyExpiredDayKeys(db: DataSource, keys: SubjectKeyStore, cutoff: number): Promise<void> {
  const firstKeptDay = epochOfTime(cutoff);
  const kept: { subject: string | null }[] = await db
    .getRepository(AuditLogEntry)
    .createQueryBuilder("a")
    .select("DISTINCT a.subject_user_id", "subject")
    .where("a.occurred_at < :start", { start: firstKeptDay * DAY_MS })
    .getRawMany();
  keys.destroyEpochsBefore(firstKeptDay, kept.map((row) => row.subject ?? ENTRIES_ABOUT_NOBODY));
}

/**
 * Deletes entries written strictly more than a year before `asOf`, in batches of
 * PURGE_BATCH ids chosen by the database, so no row is ever loaded into the service.
 * Entries about or by a user under legal hold are kept until the hold is lifted.
 * Erasure tombstones of the same age are deleted too (not counted: they are not entries).
 * Then the keys of every day that expired whole are destroyed, except those of the subjects
 * of entries kept (held), so that what the files keep of purged entries cannot be opened.
 */
export async function purgeAuditEntries(db: DataSource, keys: SubjectKeyStore, asOf: Date, heldUserIds: readonly string[] = []): Promise<number> {
  const cutoff = asOf.getTime() - AUDIT_RETENTION_MS;
  const held = [...heldUserIds];
  // COALESCE: an entry about nobody (subject NULL) must not be kept by a NULL comparison.
  const keepHeld =
    held.length > 0
      ? " AND COALESCE(old.subject_user_id, '') NOT IN (:...held) AND old.actor NOT IN (:...held) AND COALESCE(old.actor_user_id, '') NOT IN (:...held)"
      : "";
  let purged = 0;
  for (;;) {
    const result = await db
      .createQueryBuilder()
      .delete()
      .from(AuditLogEntry)
      .where(
        `id IN (SELECT old.id FROM audit_log_entry old WHERE old.occurred_at < :cutoff${keepHeld} ORDER BY old.occurred_at ASC LIMIT ${PURGE_BATCH})`,
        { cutoff, held },
      )
      .execute();
    const affected = result.affected ?? 0;
    purged += affected;
    if (affected < PURGE_BATCH) {
      // Tombstones go with the entries they protected: by now every entry written before them is purged.
      await purgeTombstones(db, cutoff);
      await destroyExpiredDayKeys(db, keys, cutoff);
      return purged;
    }
    // On SQLite the driver is synchronous: let waiting requests in between batches.
    await yieldToEventLoop();
  }
}
