import type { KeyLike } from "jose";
import type { DataSource, Logger } from "typeorm";
import { AuditClient, createDataSource, createSubgraphApp, openDataSource, TenantDirectoryClient } from "@dgg/common";
import type { Clock, DatabaseConfig, ServiceUrls, SubgraphApp } from "@dgg/common";
import { FileSystemBlobStore } from "./blob/blob-store";
import type { MovableBlobStore } from "./blob/blob-store";
import { ResidencyClient } from "./residency/residency-client";
import { ResidencyMover } from "./residency/residency-mover";
import type { ResidencyMoverOptions } from "./residency/residency-mover";
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
  blobs: string | MovableBlobStore;
  /** The residency mover (tenant moves between regions); started unless false. */
  residencyMover?: Pick<ResidencyMoverOptions, "intervalMs" | "leaseMs" | "faultPoint" | "onFault" | "owner"> | false;
  logger?: Logger;
}

export interface GovernanceService extends SubgraphApp {
  db: DataSource;
  /** Null when started without one. */
  mover: ResidencyMover | null;
}

export const governanceEntities = [PrivacyRequestRecord, RetentionRunRecord];
export const governanceMigrations = [CreateGovernanceTables1732400000000];

export async function createGovernanceService(options: GovernanceServiceOptions): Promise<GovernanceService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: governanceEntities, migrations: governanceMigrations, logger: options.logger }),
  );
  const blobs = typeof options.blobs === "string" ? new FileSystemBlobStore(options.blobs) : options.blobs;
  const subgraphs = dataSubgraphs(options.urls);
  const deps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    tenants: new TenantDirectoryClient(options.urls.storageRegions),
    contract: new PersonalDataContractClient(subgraphs, options.internalPrivateKey, options.clock),
    blobs,
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
  const mover =
    options.residencyMover === false
      ? null
      : new ResidencyMover({
          ...options.residencyMover,
          client: new ResidencyClient(options.urls.storageRegions, subgraphs, options.internalPrivateKey, options.clock),
          blobs,
          audit: deps.audit,
        });
  mover?.start();
  return {
    ...app,
    db,
    mover,
    stop: async () => {
      await mover?.stop();
      await app.stop();
      await db.destroy();
    },
  };
}
