import type DataLoader from "dataloader";
import { dataSubgraphRequest } from "@dgg/common";
import type { DataSubgraphBase, DataSubgraphRequest, Viewer } from "@dgg/common";
import { createAuditLogPageLoader } from "./loaders/audit-log-page.loader";
import type { AuditLogPageKey } from "./loaders/audit-log-page.loader";
import type { AuditLogConnection } from "./types/audit-log-connection.type";
import type { StoreAppendGroups } from "./services/append-groups";

/**
 * What lives for the whole process: one store per region (a request uses only its tenant's,
 * docs/decisions/0040), the clock, and each store's group commit of appends. Audit calls no
 * other service.
 */
export type AuditDeps = DataSubgraphBase & { appends: StoreAppendGroups };

/** Built per request: the verified viewer, its token and fresh loaders. */
export interface AuditContext extends DataSubgraphRequest<AuditDeps> {
  loaders: {
    auditLogPage: DataLoader<AuditLogPageKey, AuditLogConnection, string>;
  };
}

// The region's keys are looked up on first use: a viewer without a tenant has a store that refuses every use (FORBIDDEN).
export function createAuditContext(deps: AuditDeps, viewer: Viewer, token: string): Promise<AuditContext> {
  return dataSubgraphRequest(deps, viewer, token, (db) => ({ loaders: { auditLogPage: createAuditLogPageLoader(db, () => deps.stores.keysOf(db)) } }));
}
