import { randomUUID } from "node:crypto";
import { assertId, BadUserInputError, insertValues, markIdsAliased, outOfBounds, PLATFORM_TENANT_ID, quote, sealedCopiesUnderAliases, ServiceError } from "@dgg/common";
import type { Region, RegionalStores, SubjectKeyStore, Viewer } from "@dgg/common";
import type { DataSource, EntityManager, QueryDeepPartialEntity } from "typeorm";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import type { AuditDeps } from "../context";
import { AuditOutcome } from "../types/audit-outcome.enum";
import { appendTransaction, applyTombstones } from "./erased-subjects";

const ACTION = /^[A-Z][A-Z0-9_]{1,63}$/;
/** One request may carry a whole telemetry-sized batch, and no more. */
export const MAX_ENTRIES_PER_APPEND = 10_000;
const MAX_SUBJECT_LENGTH = 64;
const MAX_DETAILS_BYTES = 16 * 1024;
const MAX_ACTOR_LENGTH = 256;

/** An entry as a writer may send it; actor and time are never the writer's to choose. */
export interface NewAuditEntry {
  tenantId: string;
  action: string;
  subjectUserId: string | null;
  details: Record<string, unknown> | null;
  outcome: AuditOutcome;
}

/** Writers may say an attempt failed; DENIED is only written by the denial route, in its fixed shape. */
const WRITABLE_OUTCOMES: readonly string[] = [AuditOutcome.SUCCEEDED, AuditOutcome.FAILED];

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function parseEntry(raw: unknown, at: string): NewAuditEntry {
  if (!isPlainObject(raw)) throw new BadUserInputError(`${at} must be an object, got ${quote(raw)}`, at);
  if (typeof raw.tenantId !== "string") throw new BadUserInputError(`${at}.tenantId must be a UUID, got ${quote(raw.tenantId)}`, `${at}.tenantId`);
  const tenantId = assertId(raw.tenantId, `${at}.tenantId`);
  if (typeof raw.action !== "string" || !ACTION.test(raw.action)) {
    throw new BadUserInputError(`${at}.action must match ${ACTION.source}, got ${quote(raw.action)}`, `${at}.action`);
  }
  let subjectUserId: string | null = null;
  if (raw.subjectUserId !== undefined && raw.subjectUserId !== null) {
    const subject = raw.subjectUserId;
    if (typeof subject !== "string" || subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) {
      throw new BadUserInputError(
        `${at}.subjectUserId must be null or 1..${MAX_SUBJECT_LENGTH} characters, got ${quote(subject)}`,
        `${at}.subjectUserId`,
      );
    }
    subjectUserId = subject;
  }
  let details: Record<string, unknown> | null = null;
  if (raw.details !== undefined && raw.details !== null) {
    if (!isPlainObject(raw.details)) {
      throw new BadUserInputError(`${at}.details must be null or a JSON object, got ${quote(raw.details)}`, `${at}.details`);
    }
    const bytes = Buffer.byteLength(JSON.stringify(raw.details), "utf8");
    if (bytes > MAX_DETAILS_BYTES) {
      throw new BadUserInputError(`${at}.details must be at most ${MAX_DETAILS_BYTES} bytes of JSON, got ${bytes}: ${quote(raw.details)}`, `${at}.details`);
    }
    details = raw.details;
  }
  const outcome = raw.outcome ?? AuditOutcome.SUCCEEDED;
  if (typeof outcome !== "string" || !WRITABLE_OUTCOMES.includes(outcome)) {
    throw new BadUserInputError(`${at}.outcome must be one of ${WRITABLE_OUTCOMES.join(", ")}, got ${quote(outcome)}`, `${at}.outcome`);
  }
  return { tenantId, action: raw.action, subjectUserId, details, outcome: outcome as AuditOutcome };
}

/** Validates a whole append request; the first bad entry fails it, naming its index and value. */
export function parseEntries(body: unknown): NewAuditEntry[] {
  const entries = isPlainObject(body) ? body.entries : undefined;
  if (!Array.isArray(entries)) throw new BadUserInputError(`entries must be a list, got ${quote(entries)}`, "entries");
  if (entries.length < 1 || entries.length > MAX_ENTRIES_PER_APPEND) {
    throw new BadUserInputError(`entries must hold 1..${MAX_ENTRIES_PER_APPEND} entries, got ${entries.length}`, "entries");
  }
  return entries.map((raw, index) => parseEntry(raw, `entries[${index}]`));
}

/**
 * Tenant-scoped writers (tenant-admin, ingest, data-subject) append only to their own
 * tenant's trail; the operator and the service act across tenants. Unlike reads, the
 * operator may write: platform actions on a tenant must be on that tenant's record.
 */
export function assertMayAppend(viewer: Viewer, entries: readonly NewAuditEntry[]): void {
  if (viewer.role === "service" || viewer.role === "operator") return;
  entries.forEach((entry, index) => {
    if (viewer.tenantId?.toLowerCase() !== entry.tenantId) {
      throw outOfBounds(viewer, `tenant ${entry.tenantId} (entries[${index}].tenantId)`, { tenantId: entry.tenantId });
    }
  });
}

/**
 * The actor's user id, from the verified identity only: a data subject's token names its
 * user (claim uid), and with OIDC its subject is the IdP's, not the user id.
 */
export function actorUserIdOf(viewer: Viewer): string | null {
  return viewer.role === "data-subject" ? (viewer.userId?.toLowerCase() ?? null) : null;
}

/**
 * Appends validated entries as the viewer: the actor is always the verified subject,
 * the time is the service's clock. All chunks of a region commit together or not at all.
 * An entry about or by a person whose audit trail was erased is written already
 * pseudonymised and redacted, in the same transaction as the tombstone lookup
 * (docs/decisions/0033).
 */
export async function appendEntries(
  deps: AuditDeps,
  viewer: Viewer,
  token: string,
  entries: readonly NewAuditEntry[],
  /** Denial records may name a tenant no directory knows (an attacker's guess): kept in the platform region. */
  unknownTenants: "refuse" | "platform" = "refuse",
): Promise<number> {
  if (viewer.subject.length > MAX_ACTOR_LENGTH) {
    throw new BadUserInputError(`the caller's subject must be at most ${MAX_ACTOR_LENGTH} characters, got ${quote(viewer.subject)}`, "actor");
  }
  const occurredAt = deps.clock.now();
  // typeorm's partial-entity type cannot express a JSON object column (`unknown` values), hence the annotation.
  const rows: QueryDeepPartialEntity<AuditLogEntry>[] = entries.map((entry) => ({
    id: randomUUID(),
    tenantId: entry.tenantId,
    actor: viewer.subject,
    actorUserId: actorUserIdOf(viewer),
    actorRole: viewer.role,
    action: entry.action,
    subjectUserId: entry.subjectUserId,
    occurredAt,
    details: entry.details as QueryDeepPartialEntity<Record<string, unknown>>,
    outcome: entry.outcome,
  }));
  // Each entry goes to its tenant's region; the regions are resolved before anything is written.
  const byRegion = new Map<Region, QueryDeepPartialEntity<AuditLogEntry>[]>();
  for (const row of rows) {
    let region: Region;
    try {
      region = await deps.regions.regionOf(row.tenantId as string, token);
    } catch (error) {
      if (!(unknownTenants === "platform" && error instanceof ServiceError && error.code === "NOT_FOUND")) throw error;
      // A tenant nobody has (e.g. named by a forged or stale token): kept as a platform entry
      // in the platform region, with the claimed tenant in the details, so that no row sits
      // under a tenant id the directory cannot place.
      row.details = { ...((row.details) ?? {}), claimedTenantId: row.tenantId };
      row.tenantId = PLATFORM_TENANT_ID;
      region = await deps.regions.regionOf(PLATFORM_TENANT_ID, token);
    }
    byRegion.set(region, [...(byRegion.get(region) ?? []), row]);
  }
  // Committed with whatever else is being appended to the region's store meanwhile (group commit).
  for (const [region, regionRows] of byRegion) await deps.appends.of(deps.stores.get(region)).append(regionRows as AuditLogEntry[]);
  return rows.length;
}

/**
 * Writes a group of appends to one store, in one transaction: the tombstone lookup and the
 * rows (appends.of(db) calls it, see append-groups.ts). An entry about or by a person whose
 * trail was erased goes in pseudonymised and redacted. The rows given are not changed: a
 * group that fails is committed again append by append.
 */
export function commitEntries(stores: RegionalStores, db: DataSource, rows: readonly AuditLogEntry[]): Promise<void> {
  return appendTransaction(db, async (manager) => {
    const copies = rows.map((row) => ({ ...row }));
    await applyTombstones(manager, copies);
    // Sealed (and aliased) in one pass after the tombstones had their say, as the ingest path does.
    await insertEntries(stores.keysOf(db), manager, copies);
  });
}

/** The columns of an audit entry, in the order the service writes and reads them raw. */
export const ENTRY_COLUMNS = ["id", "tenant_id", "actor", "actor_user_id", "actor_role", "outcome", "action", "subject_user_id", "occurred_at", "details"] as const;

/**
 * Seals entries (tombstones already applied) and inserts them as the columns store them
 * (docs/decisions/0044): every declared id under its alias, made here, so that the statement
 * goes out as it is. Left to the store's runners, each of its UUIDs (entry ids, tenant ids,
 * which never have an alias) was looked up in the key file: most of the time of an erasure
 * rewriting 10,000 entries.
 */
export async function insertEntries(keys: SubjectKeyStore, manager: EntityManager, entries: readonly AuditLogEntry[]): Promise<void> {
  const sealed = await sealedCopiesUnderAliases(keys, AuditLogEntry, entries);
  const values = sealed.map((entry) => [
    entry.id,
    entry.tenantId,
    entry.actor,
    entry.actorUserId,
    entry.actorRole,
    entry.outcome,
    entry.action,
    entry.subjectUserId,
    entry.occurredAt.getTime(),
    entry.details === null ? null : JSON.stringify(entry.details),
  ]);
  await insertValues(manager, "audit_log_entry", ENTRY_COLUMNS, values, { idsAliased: true });
}

/** Deletes entries by id. Entry ids never have an alias, so the statement goes out as given, without lookups. */
export async function deleteEntries(manager: EntityManager, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  if (manager.connection.options.type === "postgres") {
    await manager.query('DELETE FROM "audit_log_entry" WHERE id = ANY($1::varchar[])', markIdsAliased([ids]));
  } else {
    await manager.query('DELETE FROM "audit_log_entry" WHERE id IN (SELECT value FROM json_each(?))', markIdsAliased([JSON.stringify(ids)]));
  }
}
