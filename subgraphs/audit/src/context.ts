import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { Clock, Viewer } from "@dgg/common";
import { createAuditLogPageLoader } from "./loaders/audit-log-page.loader";
import type { AuditLogPageKey } from "./loaders/audit-log-page.loader";
import type { AuditLogConnection } from "./types/audit-log-connection.type";

/** What lives for the whole process: the store and the clock. Audit calls no other service. */
export interface AuditDeps {
  db: DataSource;
  clock: Clock;
}

/** Built per request: the verified viewer, its token and fresh loaders. */
export interface AuditContext extends AuditDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    auditLogPage: DataLoader<AuditLogPageKey, AuditLogConnection, string>;
  };
}

export function createAuditContext(deps: AuditDeps, viewer: Viewer, token: string): AuditContext {
  return { ...deps, viewer, token, loaders: { auditLogPage: createAuditLogPageLoader(deps.db) } };
}
