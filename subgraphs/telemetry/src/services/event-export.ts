import { decodeCursor, encodeCursor, jsonColumnText, keysetAfter, sealingSpecOf } from "@dgg/common";
import type { ExportLines, SubjectKeyStore } from "@dgg/common";
import type { DataSource } from "typeorm";
import { TelemetryEvent } from "../entities/telemetry-event.entity";
import { PARENT_TABLE } from "./partitions";

/** A stored event as the export reads it (times as epoch ms: a string from pg's bigint). */
interface StoredEvent {
  id: string;
  kind: string;
  occurred_at: string | number;
  payload: string;
}

export interface EventExportPage {
  userId: string;
  tenantId: string;
  /** Events that occurred before this (epoch ms) expired and are not exported. */
  cutoffMs: number;
  after: string | undefined;
  limit: number;
}

/**
 * One export page of a user's events, written as NDJSON straight from the rows: the record
 * of an event is `{id, userId, kind, occurredAt, payload}`, the same bytes as
 * `JSON.stringify(exportRecord(event, ...))` of the loaded entity (a test holds both to it).
 * A user can have millions of events, and building an entity and a record object per row,
 * then serialising the page, was most of the export's CPU in the telemetry service. The
 * payload is opened to its JSON text and put in the line as that text (it was written by
 * JSON.stringify before sealing, and the seal authenticates it), never parsed.
 *
 * Keyset on (occurred_at, id) like every export page (contract-queries.ts).
 */
export async function exportEventLines(db: DataSource, keys: SubjectKeyStore, page: EventExportPage): Promise<ExportLines> {
  const spec = sealingSpecOf(TelemetryEvent)!;
  const qb = db
    .createQueryBuilder()
    .select(["t.id AS id", "t.kind AS kind", "t.occurred_at AS occurred_at", "t.payload AS payload"])
    .from(PARENT_TABLE, "t")
    .where("t.user_id = :userId AND t.tenant_id = :tenantId", { userId: page.userId, tenantId: page.tenantId })
    .andWhere("t.occurred_at >= :cutoff", { cutoff: page.cutoffMs })
    .orderBy("t.occurred_at", "ASC")
    .addOrderBy("t.id", "ASC")
    .limit(page.limit + 1);
  const cursor = decodeCursor(page.after, ["number", "string"]);
  if (cursor) qb.andWhere(keysetAfter("t.occurred_at", "t.id", "ASC"), { at: cursor[0], id: cursor[1] });
  const rows = await qb.getRawMany<StoredEvent>();
  const count = Math.min(rows.length, page.limit);
  // The part of every line that is the same: the user's id, as JSON.
  const user = JSON.stringify(page.userId);
  let ndjson = "";
  for (let index = 0; index < count; index += 1) {
    const row = rows[index]!;
    const occurredAt = Number(row.occurred_at);
    const payload = jsonColumnText(keys, spec, { userId: page.userId, tenantId: page.tenantId, occurredAt }, "payload", row.payload);
    ndjson += `{"id":${JSON.stringify(row.id)},"userId":${user},"kind":${JSON.stringify(row.kind)},"occurredAt":"${new Date(occurredAt).toISOString()}","payload":${payload}}\n`;
  }
  const last = rows[count - 1];
  return {
    ndjson,
    records: count,
    nextCursor: rows.length > page.limit && last ? encodeCursor([Number(last.occurred_at), last.id]) : null,
  };
}
