import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { createKeysetPageLoader, encodeCursor, openedNode } from "@dgg/common";
import type { Connection, SubjectKeyStore, UserPageKey } from "@dgg/common";
import { AuditLogEntry } from "../entities/audit-log-entry.entity";
import { hydrateEntry } from "./hydrate";

/** One page of the entries concerning one user, newest first, limited to a tenant unless the caller is the service. */
export type AuditLogPageKey = UserPageKey;

/** Keyset cursor of the newest-first order: `[occurredAtMs, id]`. */
export const auditCursorOf = (entry: AuditLogEntry): string => encodeCursor([entry.occurredAt.getTime(), entry.id]);

/** Audit-log connections for many users in a fixed number of statements per batch (see createKeysetPageLoader). */
export function createAuditLogPageLoader(db: DataSource, keys: () => SubjectKeyStore): DataLoader<AuditLogPageKey, Connection<AuditLogEntry>, string> {
  return createKeysetPageLoader<AuditLogPageKey, AuditLogEntry>(db, {
    from: () => db.getMetadata(AuditLogEntry).tableName,
    userColumn: "subject_user_id",
    timeColumn: "occurred_at",
    order: "DESC",
    // Raw rows, not loaded as entities: their sealed details are opened here (docs/decisions/0044).
    node: openedNode(db, keys, AuditLogEntry, hydrateEntry),
    userOf: (entry) => entry.subjectUserId!,
    cursorOf: auditCursorOf,
  });
}
