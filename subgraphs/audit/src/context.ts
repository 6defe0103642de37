import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { storeForViewer } from "@dgg/common";
import type { DataSubgraphBase, Viewer } from "@dgg/common";
import { createAuditLogPageLoader } from "./loaders/audit-log-page.loader";
import type { AuditLogPageKey } from "./loaders/audit-log-page.loader";
import type { AuditLogConnection } from "./types/audit-log-connection.type";

/** What lives for the whole process: the store and the clock. Audit calls no other service. */
/** One store per region; a request uses only its tenant's (docs/decisions/0040). */
export type AuditDeps = DataSubgraphBase;

/** Built per request: the verified viewer, its token and fresh loaders. */
export interface AuditContext extends AuditDeps {
  /** The store of the viewer's tenant's region: the only one this request touches. */
  db: DataSource;
  viewer: Viewer;
  token: string;
  loaders: {
    auditLogPage: DataLoader<AuditLogPageKey, AuditLogConnection, string>;
  };
}

// The region's keys are looked up on first use: a viewer without a tenant has a store that refuses every use (FORBIDDEN).
export async function createAuditContext(deps: AuditDeps, viewer: Viewer, token: string): Promise<AuditContext> {
  const db = await storeForViewer(deps.stores, deps.regions, viewer, token);
  return { ...deps, db, viewer, token, loaders: { auditLogPage: createAuditLogPageLoader(db, () => deps.stores.keysOf(db)) } };
}
