/**
 * The internal personal-data contract every data subgraph implements, next to its
 * public GraphQL endpoint and hidden from the public API (see docs/decisions/0002).
 * Governance drives erasure and export only through it; adding a data subgraph means
 * implementing these routes, nothing else. Every route requires the service identity.
 *
 *   GET  /internal/personal-data/:userId?tenantId=            -> PersonalDataHoldings
 *   GET  /internal/personal-data/:userId/export?tenantId=&category=&after=&limit= -> NDJSON page (export-lines.ts)
 *   POST /internal/personal-data/:userId/erase {pseudonym?, tenantId, identifiers?} -> ErasureResult
 *   POST /internal/personal-data/:userId/freeze {tenantId, requestId}   -> FreezeResult (Art. 18)
 *   POST /internal/personal-data/:userId/unfreeze {tenantId, requestId} -> FreezeResult {frozen: false}
 *   GET  /internal/personal-data/:userId/identifiers?tenantId= -> IdentifiersResult
 *   POST /internal/retention/purge {asOf, heldUserIds?}       -> PurgeResult (subgraphs that purge by age)
 *   POST /internal/retention/oldest {tenantId?, exclude?}     -> RetentionClockStarts
 *   GET  /internal/personal-data-subjects?after=&limit=       -> PersonalDataSubjectsPage (every region)
 *
 * Lists travel in bodies, never in URLs: a few hundred ids overflow Node's header limit.
 * `personalDataContractRoutes` (personal-data-adapter.ts) builds all of these from a
 * subgraph's `PersonalDataAdapter`.
 */
import type { DataCategory } from "./enums";
import { BadUserInputError, ForbiddenError, quote } from "./errors";
import { assertId } from "./validation";
import type { Viewer } from "./identity";

export interface CategoryHolding {
  category: DataCategory;
  records: number;
  /** ISO time of the oldest record (for time-based retention), or null. */
  oldestAt: string | null;
}

export interface PersonalDataHoldings {
  userId: string;
  /** The tenant the rows belong to; null when this subgraph holds nothing about the user. */
  tenantId: string | null;
  categories: CategoryHolding[];
  /** Users subgraph only: when the user was removed from management (starts the 30-day clock). */
  removedAt?: string | null;
}

/** An export page as an adapter may build it; the route sends it as NDJSON (export-lines.ts). */
export interface ExportPage {
  category: DataCategory;
  records: Record<string, unknown>[];
  nextCursor: string | null;
}

export interface CategoryCount {
  category: DataCategory;
  count: number;
}

/**
 * Body of `POST /internal/personal-data/:userId/erase`. `identifiers` (audit only, optional):
 * the clear-text values naming the person (principal name, email, display name, device
 * serials), which governance reads from the users subgraph just before calling audit's
 * erase, so that the audit trail can redact them wherever they appear; at most 1,000
 * strings of 1..512 characters (docs/decisions/0033).
 */
export interface ErasureRequest {
  pseudonym: string;
  tenantId: string;
  identifiers?: string[];
}

export interface ErasureResult {
  erased: CategoryCount[];
}

export interface PurgeResult {
  purged: CategoryCount[];
}

/**
 * Body of `POST /internal/retention/purge`: purge what expired as of `asOf`, except rows
 * of users under legal hold (every row about them is kept until the hold is lifted).
 */
export interface PurgeRequest {
  asOf: string;
  heldUserIds?: string[];
}

/** Most held users one purge or oldest call may name (holds are exceptions, not the rule). */
export const MAX_HELD_USERS = 10_000;

/**
 * Reads and checks a purge body: `asOf` an ISO time, `heldUserIds` a list of ids (optional).
 * Shared by every data subgraph so they refuse the same things with the same messages.
 */
export function parsePurgeRequest(body: unknown): { asOf: Date; heldUserIds: string[] } {
  const raw = (body ?? {}) as { asOf?: unknown; heldUserIds?: unknown };
  const asOf = typeof raw.asOf === "string" ? new Date(raw.asOf) : new Date(Number.NaN);
  if (Number.isNaN(asOf.getTime())) throw new BadUserInputError(`asOf must be an ISO time, got ${quote(raw.asOf)}`, "asOf");
  return { asOf, heldUserIds: parseHeldUserIds(raw.heldUserIds ?? [], "heldUserIds") };
}

/** A list of held user ids, from a purge or oldest body (a comma-separated string is read too). */
export function parseHeldUserIds(raw: unknown, argument: string): string[] {
  const list = typeof raw === "string" ? (raw === "" ? [] : raw.split(",")) : raw;
  if (!Array.isArray(list) || list.length > MAX_HELD_USERS) {
    throw new BadUserInputError(`${argument} must be a list of at most ${MAX_HELD_USERS} user ids, got ${quote(raw)}`, argument);
  }
  return list.map((id: unknown, index) => assertId(typeof id === "string" ? id : String(id), `${argument}[${index}]`));
}

/**
 * Largest export page a subgraph serves. Large pages keep round trips few (a page costs an
 * HTTP call, an identity check and a query plan); governance holds two at a time, a few MB.
 */
export const EXPORT_PAGE_LIMIT = 5000;

/** Guard for the internal contract routes: only governance's service identity may call them. */
export function assertServiceIdentity(viewer: Viewer): void {
  if (viewer.role !== "service") {
    throw new ForbiddenError(`the personal-data contract requires the service identity, got role ${viewer.role}`);
  }
}

/**
 * `POST /internal/retention/oldest {tenantId?, exclude?}` (no tenantId: all tenants): when the
 * retention clock of the oldest data of each category started (telemetry and audit: the
 * oldest record; account and service data: the earliest removal from management).
 */
export interface RetentionClockStarts {
  oldest: { category: DataCategory; oldestAt: string | null }[];
}

/**
 * `GET /internal/personal-data-subjects?after=&limit=`: every user id the subgraph holds
 * anything about, each region in turn in the order of its stored values (ids are stored under
 * aliases: docs/decisions/0051), paged (limit 1..EXPORT_PAGE_LIMIT) by an opaque cursor.
 * Governance walks it to re-erase users who come back from a restored backup (the erasure
 * ledger replay).
 */
export interface PersonalDataSubjectsPage {
  userIds: string[];
  /** The tenant each id belongs to (same order), for addressing its erasure; null if unknown. */
  tenantIds: (string | null)[];
  /** Where the next page starts (opaque: pass it back as `after`) when more may follow, else null. */
  nextCursor: string | null;
}

/** Reads `after` of the subjects listing: absent, or an id-like string of at most 256 characters. */
export function parseSubjectsAfter(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (raw.length > 256) throw new BadUserInputError(`after must be at most 256 characters, got ${quote(raw)}`, "after");
  return raw;
}

/** Reads `limit` of the export and subjects routes: 1..EXPORT_PAGE_LIMIT, default the maximum. */
export function parseContractLimit(raw: string | undefined): number {
  const limit = raw === undefined ? EXPORT_PAGE_LIMIT : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > EXPORT_PAGE_LIMIT) {
    throw new BadUserInputError(`limit must be 1..${EXPORT_PAGE_LIMIT}, got ${quote(raw)}`, "limit");
  }
  return limit;
}

/** Answer of the freeze and unfreeze routes: whether this subgraph now holds the request's freeze. */
export interface FreezeResult {
  frozen: boolean;
}

/** Answer of `GET /internal/personal-data/:userId/identifiers`: clear-text values naming the person. */
export interface IdentifiersResult {
  identifiers: string[];
}

/** Most identifiers one erase body may carry, and the longest one. */
export const MAX_IDENTIFIERS = 10_000;
export const MAX_IDENTIFIER_LENGTH = 1024;

/**
 * Reads the `identifiers` of an erase body: absent, or a list of non-empty strings (the
 * clear-text values other subgraphs hold about the person, for the audit subgraph to blank).
 */
export function parseIdentifiers(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw) || raw.length > MAX_IDENTIFIERS) {
    throw new BadUserInputError(`identifiers must be a list of at most ${MAX_IDENTIFIERS} strings, got ${quote(raw)}`, "identifiers");
  }
  return raw.map((value: unknown, index) => {
    if (typeof value !== "string" || value.length === 0 || value.length > MAX_IDENTIFIER_LENGTH) {
      throw new BadUserInputError(`identifiers[${index}] must be a string of 1..${MAX_IDENTIFIER_LENGTH} characters, got ${quote(value)}`, `identifiers[${index}]`);
    }
    return value;
  });
}
