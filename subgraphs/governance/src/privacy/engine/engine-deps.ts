import type { AuditClient, Clock, ServiceLogger, TenantDirectoryClient } from "@dgg/common";
import type { DataSource } from "typeorm";
import type { BlobStore } from "../../blob/blob-store";
import type { PersonalDataContractClient } from "../../contract/personal-data-contract-client";
import type { PrivacyEngineConfig } from "./config";
import type { FaultInjector } from "./faults";

/** What the privacy-request engine needs, for the whole process (no per-request state). */
export interface EngineDeps {
  db: DataSource;
  clock: Clock;
  contract: PersonalDataContractClient;
  blobs: BlobStore;
  /** The storage-regions directory: tenants, and the storage layout an archive's report states. */
  tenants: TenantDirectoryClient;
  audit: AuditClient;
  faults: FaultInjector;
  privacy: PrivacyEngineConfig;
  /** HMAC key of the erasure ledger. */
  ledgerKey: Buffer;
  /** Governance's own internal identity, for audit entries the workers write. */
  serviceToken(): Promise<string>;
  /** The service's logger. */
  log: ServiceLogger;
}
