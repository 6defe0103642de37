import type DataLoader from "dataloader";
import type { DataSource } from "typeorm";
import type { AuditClient, Clock, Viewer } from "@dgg/common";
import { createTelemetryPageLoader } from "./loaders/telemetry-page.loader";
import type { TelemetryPageKey } from "./loaders/telemetry-page.loader";
import type { BackgroundWork } from "./services/background-work";
import type { PartitionCatalog } from "./services/partitions";
import type { UserLookupClient } from "./services/user-lookup.client";
import type { TelemetryConnection } from "./types/telemetry-connection.type";

/** What lives for the whole process: the store and the clients of other services. */
export interface TelemetryDeps {
  db: DataSource;
  clock: Clock;
  audit: AuditClient;
  users: UserLookupClient;
  /** PostgreSQL only: the day partitions, created ahead and on demand. Null on SQLite. */
  partitions: PartitionCatalog | null;
  /** Clean-up that purges start and do not wait for. */
  background: BackgroundWork;
}

/** Built per request: the verified viewer, its token (forwarded to audit and users) and fresh loaders. */
export interface TelemetryContext extends TelemetryDeps {
  viewer: Viewer;
  token: string;
  loaders: {
    telemetryPage: DataLoader<TelemetryPageKey, TelemetryConnection, string>;
  };
}

export function createTelemetryContext(deps: TelemetryDeps, viewer: Viewer, token: string): TelemetryContext {
  return {
    ...deps,
    viewer,
    token,
    loaders: { telemetryPage: createTelemetryPageLoader(deps.db) },
  };
}
