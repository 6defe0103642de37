/**
 * The internal personal-data contract every data subgraph implements, next to its
 * public GraphQL endpoint and hidden from the public API (see docs/decisions/0002).
 * Governance drives erasure and export only through it; adding a data subgraph means
 * implementing these routes, nothing else. Every route requires the service identity.
 *
 *   GET  /internal/personal-data/:userId                      -> PersonalDataHoldings
 *   GET  /internal/personal-data/:userId/export?category=&after=&limit= -> ExportPage
 *   POST /internal/personal-data/:userId/erase {pseudonym}    -> ErasureResult
 *   POST /internal/retention/purge {asOf, heldUserIds?}       -> PurgeResult
 *   GET  /internal/retention/oldest?tenantId=&exclude=        -> RetentionClockStarts
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

export interface ExportPage {
  category: DataCategory;
  records: Record<string, unknown>[];
  nextCursor: string | null;
}

export interface CategoryCount {
  category: DataCategory;
  count: number;
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

/** A list of held user ids, from a purge body or the comma-separated `exclude` query parameter. */
export function parseHeldUserIds(raw: unknown, argument: string): string[] {
  const list = typeof raw === "string" ? (raw === "" ? [] : raw.split(",")) : raw;
  if (!Array.isArray(list) || list.length > MAX_HELD_USERS) {
    throw new BadUserInputError(`${argument} must be a list of at most ${MAX_HELD_USERS} user ids, got ${quote(raw)}`, argument);
  }
  return list.map((id: unknown, index) => assertId(typeof id === "string" ? id : String(id), `${argument}[${index}]`));
}

/** Largest export page a subgraph serves. */
export const EXPORT_PAGE_LIMIT = 1000;

/** Guard for the internal contract routes: only governance's service identity may call them. */
export function assertServiceIdentity(viewer: Viewer): void {
  if (viewer.role !== "service") {
    throw new ForbiddenError(`the personal-data contract requires the service identity, got role ${viewer.role}`);
  }
}

/**
 * `GET /internal/retention/oldest?tenantId=` (tenantId optional: all tenants): when the
 * retention clock of the oldest data of each category started (telemetry and audit: the
 * oldest record; account and service data: the earliest removal from management).
 */
export interface RetentionClockStarts {
  oldest: { category: DataCategory; oldestAt: string | null }[];
}
