import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { createEntityPageLoader, timeCursorOf } from "@dgg/common";
import type { Connection, SubjectKeyStore, UserPageKey } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import { hydrateEntry } from "./hydrate";

/** One page of the entries concerning one user, newest first, limited to a tenant unless the caller is the service. */
export type AuditLogPageKey = UserPageKey;

/** Keyset cursor of the newest-first order: `[occurredAtMs, id]`. */
export const auditCursorOf = timeCursorOf<AuditLogEntry>("occurredAt");

/**
 * Audit-log connections for many users in a fixed number of statements per batch (see
 * createKeysetPageLoader). Raw rows, not loaded as entities: their sealed details are
 * opened here (docs/decisions/0044).
 */
export function createAuditLogPageLoader(db: DataSource, keys: () => SubjectKeyStore): DataLoader<AuditLogPageKey, Connection<AuditLogEntry>, string> {
  return createEntityPageLoader<AuditLogPageKey, AuditLogEntry>(db, keys, AuditLogEntry, hydrateEntry, { user: "subjectUserId", time: "occurredAt", order: "DESC" });
}
