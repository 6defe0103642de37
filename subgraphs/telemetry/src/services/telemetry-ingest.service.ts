import { In } from "typeorm";
import type { DataSource, QueryDeepPartialEntity } from "typeorm";
import {
  assertRole,
  ConflictError,
  ForbiddenError,
  INSERT_CHUNK,
  ManagementState,
  NotFoundError,
  writeThenAudit,
} from "@dgg/common";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import type { TelemetryContext } from "../context";
import type { TelemetryEventInput } from "../inputs/telemetry-event.input";
import type { TelemetryIngestResult } from "../types/telemetry-ingest-result.type";
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
 * Writes validated rows in one transaction, INSERT_CHUNK rows per statement (bound-parameter
 * limits); on PostgreSQL their days' row counts move in the same transaction.
 */
export async function insertRows(db: DataSource, rows: TelemetryRow[]): Promise<void> {
  await db.transaction(async (manager) => {
    if (db.options.type === "postgres") await countInserted(manager, rows.map((row) => row.occurredAt.getTime()));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(TelemetryEvent)
        // TypeORM's deep-partial type cannot express `unknown` JSON values; the rows are complete entities.
        .values(rows.slice(start, start + INSERT_CHUNK) as unknown as QueryDeepPartialEntity<TelemetryEvent>[])
        .updateEntity(false)
        .execute();
    }
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
 * Takes a batch of events for users of the viewer's tenant, whole or not at all: every
 * event is validated and every user checked before the first row is written, and one audit
 * entry per user records how many events were taken.
 */
export async function ingestTelemetry(ctx: TelemetryContext, events: TelemetryEventInput[]): Promise<TelemetryIngestResult> {
  assertRole(ctx.viewer, ["tenant-admin", "ingest"], "ingest telemetry");
  const tenantId = ctx.viewer.tenantId;
  if (!tenantId) throw new ForbiddenError(`role ${ctx.viewer.role} may ingest telemetry only with a tenant`);
  const rows = validateBatch(events, tenantId, ctx.clock.now());
  const perUser = new Map<string, number>();
  for (const row of rows) perUser.set(row.userId, (perUser.get(row.userId) ?? 0) + 1);
  await assertUsersInTenant(ctx, tenantId, [...perUser.keys()]);

  const ids = rows.map((row) => row.id);
  // PostgreSQL: a late or clock-skewed event may fall on a day with no partition yet.
  await ctx.partitions?.ensureFor(rows.map((row) => row.occurredAt.getTime()));
  await writeThenAudit({
    write: () => insertRows(ctx.db, rows),
    entries: () =>
      [...perUser].map(([subjectUserId, count]) => ({
        tenantId,
        action: "TELEMETRY_INGESTED",
        subjectUserId,
        details: { events: count },
      })),
    undo: () => deleteRows(ctx.db, ids),
    audit: ctx.audit,
    token: ctx.token,
  });
  return { accepted: rows.length };
}
