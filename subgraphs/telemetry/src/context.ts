import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import { dataSubgraphRequest } from "@dgg/common";
import type { AuditClient, DataSubgraphBase, DataSubgraphRequest, Viewer } from "@dgg/common";
import { createTelemetryPageLoader } from "./loaders/telemetry-page.loader";
import type { TelemetryPageKey } from "./loaders/telemetry-page.loader";
import type { BackgroundWork } from "./services/background-work";
import type { PartitionCatalog } from "./services/partitions";
import type { UserLookupClient } from "./services/user-lookup.client";
import type { TelemetryConnection } from "./types/telemetry-connection.type";

/** What lives for the whole process: the store and the clients of other services. */
export interface TelemetryDeps extends DataSubgraphBase {
  audit: AuditClient;
  users: UserLookupClient;
  /** PostgreSQL only: a regional store's day partitions, created ahead and on demand. Null on SQLite. */
  partitionsFor: (db: DataSource) => PartitionCatalog | null;
  /** Clean-up that purges start and do not wait for. */
  background: BackgroundWork;
  /** Creates day partitions ahead on a timer (PostgreSQL); null when there is none. */
  maintenance: NodeJS.Timeout | null;
}

/** Built per request: the verified viewer, its token (forwarded to audit and users) and fresh loaders. */
export interface TelemetryContext extends DataSubgraphRequest<TelemetryDeps> {
  /** That store's day partitions (PostgreSQL), or null. */
  partitions: PartitionCatalog | null;
  loaders: {
    telemetryPage: DataLoader<TelemetryPageKey, TelemetryConnection, string>;
  };
}

export function createTelemetryContext(deps: TelemetryDeps, viewer: Viewer, token: string): Promise<TelemetryContext> {
  return dataSubgraphRequest(deps, viewer, token, (db) => ({
    partitions: deps.partitionsFor(db),
    loaders: { telemetryPage: createTelemetryPageLoader(db, () => deps.stores.keysOf(db), deps.clock) },
  }));
}
