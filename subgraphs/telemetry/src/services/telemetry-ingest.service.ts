import { In } from "typeorm";
import type { DataSource, EntityManager, QueryDeepPartialEntity } from "typeorm";
import {
  assertMayCall,
  ConflictError,
  ForbiddenError,
  frozenAmong,
  frozenError,
  frozenInTenant,
  INSERT_CHUNK,
  insertValues,
  ManagementState,
  NotFoundError,
  sealedCopiesUnderAliases,
  writeThenAudit,
} from "@dgg/common";
import type { SubjectKeyStore } from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import type { TelemetryContext } from "../context";
import type { TelemetryEventInput } from "../inputs/telemetry-event.input";
import type { TelemetryIngestResult, TelemetryRejection } from "../types/telemetry-ingest-result.type";
import { countInserted, deleteCounted } from "./day-counts";
import { validateBatch } from "./ingest-validation";
import { PARENT_TABLE } from "./partitions";
import type { TelemetryRow } from "./ingest-validation";

/**
 * Refuses the batch unless every user exists in `tenantId` and is still managed. A user of
 * another tenant is not returned by the lookup, so it gets the same NOT_FOUND as an unknown id.
 */
async function assertUsersInTenant(ctx: TelemetryContext, tenantId: string, userIds: string[]): Promise<void> {
  const found = await ctx.users.lookup(ctx.token, userIds);
  const byId = new Map(found.filter((user) => user.tenantId === tenantId).map((user) => [user.id.toLowerCase(), user]));
  for (const userId of userIds) {
    const user = byId.get(userId);
    if (!user) throw new NotFoundError(`user ${userId} not found in tenant ${tenantId}`);
    if (user.managementState === ManagementState.REMOVED) {
      throw new ConflictError(`user ${userId} was removed from management and cannot receive telemetry`);
    }
  }
}

/**
 * Inserts rows INSERT_CHUNK per statement (bound-parameter limits); on PostgreSQL their days'
 * row counts move too. `sealed` rows (the ingest path, sealed and aliased in one pass before
 * the transaction: `sealedCopiesUnderAliases`) go in as they are; others are sealed by the
 * store's sealing subscriber, and their ids put under aliases by the store's runners.
 */
async function writeRows(manager: EntityManager, rows: TelemetryRow[], sealed: boolean): Promise<void> {
  if (rows.length === 0) return;
  if (manager.connection.options.type === "postgres") await countInserted(manager, rows.map((row) => row.occurredAt.getTime()));
  if (sealed) return insertSealed(manager, rows);
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(TelemetryEvent)
      // TypeORM's deep-partial type cannot express `unknown` JSON values; the rows are complete entities.
      .values(rows.slice(start, start + INSERT_CHUNK) as unknown as QueryDeepPartialEntity<TelemetryEvent>[])
      .updateEntity(false)
      .callListeners(!sealed)
      .execute();
  }
}

/**
 * Rows already sealed, with the user's alias in `userId` (the ingest path), as the columns
 * store them (docs/decisions/0044, 0051). The statement names no other person, so the
 * runners need not look up its event and tenant ids, which never have an alias.
 */
function insertSealed(manager: EntityManager, rows: TelemetryRow[]): Promise<void> {
  return insertValues(
    manager,
    PARENT_TABLE,
    ["id", "tenant_id", "user_id", "kind", "occurred_at", "payload"],
    rows.map((row) => [row.id, row.tenantId, row.userId, row.kind, row.occurredAt.getTime(), JSON.stringify(row.payload)]),
    { idsAliased: true },
  );
}

/** Writes validated rows in one transaction (no freeze check: for loads and tests that place rows directly). */
export async function insertRows(db: DataSource, rows: TelemetryRow[]): Promise<void> {
  await db.transaction((manager) => writeRows(manager, rows, false));
}

/**
 * Writes the rows of users no privacy request freezes (GDPR Art. 18), in one transaction
 * that first reads the freezes (frozenAmong takes the locks that order it against
 * placeFreeze), and returns the frozen users with their requests. Their rows are not written.
 */
export async function insertUnfrozenRows(
  db: DataSource,
  keys: SubjectKeyStore,
  rows: TelemetryRow[],
): Promise<{ inserted: TelemetryRow[]; frozen: Map<string, string> }> {
  // Sealed and aliased (and any new keys and aliases stored) before the transaction, so it holds no lock meanwhile.
  const sealed = await sealedCopiesUnderAliases(keys, TelemetryEvent, rows);
  return db.transaction(async (manager) => {
    const frozen = await frozenAmong(manager, rows.map((row) => row.userId));
    const inserted = frozen.size === 0 ? rows : rows.filter((row) => !frozen.has(row.userId));
    // The copies hold aliases: whose they are is read from the row at the same index.
    await writeRows(manager, frozen.size === 0 ? sealed : sealed.filter((_, index) => !frozen.has(rows[index]!.userId)), true);
    return { inserted, frozen };
  });
}

async function deleteRows(db: DataSource, ids: string[]): Promise<void> {
  await db.transaction(async (manager) => {
    for (let start = 0; start < ids.length; start += INSERT_CHUNK) {
      const chunk = ids.slice(start, start + INSERT_CHUNK);
      if (db.options.type === "postgres") await deleteCounted(manager, PARENT_TABLE, "id = ANY($1::varchar[])", [chunk]);
      else await manager.delete(TelemetryEvent, { id: In(chunk) });
    }
  });
}

/**
 * Takes a batch of events for users of the viewer's tenant. Every event is validated and
 * every user checked before the first row is written: malformed input, unknown or removed
 * users refuse the whole batch. Events of users frozen by a privacy request are refused one
 * by one (`rejected`, code CONFLICT) and the others are stored. One audit entry per user
 * records how many events were taken.
 */
export async function ingestTelemetry(ctx: TelemetryContext, events: TelemetryEventInput[]): Promise<TelemetryIngestResult> {
  assertMayCall(ctx.viewer, "ingestTelemetry", "ingest telemetry");
  const tenantId = ctx.viewer.tenantId;
  if (!tenantId) throw new ForbiddenError(`role ${ctx.viewer.role} may ingest telemetry only with a tenant`);
  const rows = validateBatch(events, tenantId, ctx.clock.now());
  const userIds = [...new Set(rows.map((row) => row.userId))];
  // A device keeps sending while its user's restriction runs: when every user of the batch is
  // frozen in this tenant (which also proves they are this tenant's), nothing can be stored,
  // so the batch is turned away with one read, without the users lookup or a transaction.
  const frozenNow = await frozenInTenant(ctx.db, tenantId, userIds);
  if (frozenNow.size === userIds.length) return { accepted: 0, rejected: rejections(rows, frozenNow) };
  await assertUsersInTenant(ctx, tenantId, userIds);

  // PostgreSQL: a late or clock-skewed event may fall on a day with no partition yet.
  await ctx.partitions?.ensureFor(rows.map((row) => row.occurredAt.getTime()));
  // Rows of users already known to be frozen are not even sealed; the transaction checks the rest again.
  const candidates = frozenNow.size === 0 ? rows : rows.filter((row) => !frozenNow.has(row.userId));
  const { inserted, frozen } = await writeThenAudit({
    write: () => insertUnfrozenRows(ctx.db, ctx.stores.keysOf(ctx.db), candidates),
    entries: (result) => {
      const perUser = new Map<string, number>();
      for (const row of result.inserted) perUser.set(row.userId, (perUser.get(row.userId) ?? 0) + 1);
      return [...perUser].map(([subjectUserId, count]) => ({
        tenantId,
        action: "TELEMETRY_INGESTED",
        subjectUserId,
        details: { events: count },
      }));
    },
    undo: (result) => deleteRows(ctx.db, result.inserted.map((row) => row.id)),
    audit: ctx.audit,
    token: ctx.token,
  });
  return { accepted: inserted.length, rejected: rejections(rows, new Map([...frozenNow, ...frozen])) };
}

/** The events of frozen users, by their index in the input (validateBatch keeps one row per event, in order). */
function rejections(rows: readonly TelemetryRow[], frozen: ReadonlyMap<string, string>): TelemetryRejection[] {
  const rejected: TelemetryRejection[] = [];
  rows.forEach((row, index) => {
    const requestId = frozen.get(row.userId);
    if (requestId !== undefined) rejected.push({ index, userId: row.userId, code: "CONFLICT", message: frozenError(row.userId, requestId).message });
  });
  return rejected;
}
