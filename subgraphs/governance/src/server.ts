import type { KeyLike } from "jose";
import type { DataSource, Logger } from "typeorm";
import { AuditClient, createDataSource, createSubgraphApp, openDataSource, TenantDirectoryClient } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp } from "@dgg/common";
import { FileSystemBlobStore } from "./blob/blob-store";
import type { BlobStore } from "./blob/blob-store";
import { createGovernanceContext } from "./context";
import { PrivacyRequestRecord } from "./entities/privacy-request.entity";
import { RetentionRunRecord } from "./entities/retention-run.entity";
import { CreateGovernanceTables1732400000000 } from "./migrations/1732400000000-create-governance-tables";
import { buildGovernanceSchema } from "./schema";
import { dataSubgraphs, PersonalDataContractClient } from "./services/data-subgraphs";

export interface GovernanceServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  /** Governance signs its service identity with this key; only it and the gateway hold it. */
  internalPrivateKey: KeyLike;
  clock: Clock;
  urls: Pick<ServiceUrls, "users" | "telemetry" | "audit" | "storageRegions">;
  /** Root folder of the blob store (one subfolder per region), or another BlobStore. */
  blobs: string | BlobStore;
  logger?: Logger;
}

export interface GovernanceService extends SubgraphApp {
  db: DataSource;
}

export const governanceEntities = [PrivacyRequestRecord, RetentionRunRecord];
export const governanceMigrations = [CreateGovernanceTables1732400000000];

export async function createGovernanceService(options: GovernanceServiceOptions): Promise<GovernanceService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: governanceEntities, migrations: governanceMigrations, logger: options.logger }),
  );
  const deps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    tenants: new TenantDirectoryClient(options.urls.storageRegions),
    contract: new PersonalDataContractClient(dataSubgraphs(options.urls), options.internalPrivateKey, options.clock),
    blobs: typeof options.blobs === "string" ? new FileSystemBlobStore(options.blobs) : options.blobs,
  };
  const { schema } = await buildGovernanceSchema();
  const app = await createSubgraphApp({
    name: "governance",
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: (_viewer, token, denials) => deps.audit.recordDenials(token, denials),
    context: (viewer, token) => createGovernanceContext(deps, viewer, token),
  });
  return {
    ...app,
    db,
    stop: async () => {
      await app.stop();
      await db.destroy();
    },
  };
}
