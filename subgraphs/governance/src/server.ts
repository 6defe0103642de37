import type { KeyLike } from "jose";
import type { DataSource, Logger } from "typeorm";
import {
  AuditClient,
  createDataSource,
  createLogger,
  createSubgraphApp,
  denialsToAudit,
  GOVERNANCE_SERVICE,
  openDataSource,
  ServiceMetrics,
  InternalTokenIssuer,
  TenantDirectoryClient,
} from "@dgg/common";
import type { Clock, DatabaseConfig, Region, ServiceEntry, ServiceLogger, ServiceUrls, SubgraphApp } from "@dgg/common";
import { FileSystemBlobStore } from "./blob/blob-store";
import type { MovableBlobStore } from "./blob/blob-store";
import { ResidencyClient } from "./residency/residency-client";
import { ResidencyMover } from "./residency/residency-mover";
import type { ResidencyMoverOptions } from "./residency/residency-mover";
import { createGovernanceContext } from "./context";
import type { GovernanceDeps } from "./context";
import { ErasureLedgerRecord } from "./entities/erasure-ledger.entity";
import { PrivacyReceiptRecord } from "./entities/privacy-receipt.entity";
import { PrivacyRequestEventRecord } from "./entities/privacy-request-event.entity";
import { PrivacyRequestRecord } from "./entities/privacy-request.entity";
import { LegalHoldRecord } from "./entities/legal-hold.entity";
import { RetentionLeaseRecord } from "./entities/retention-lease.entity";
import { RetentionRunRecord } from "./entities/retention-run.entity";
import { CreateGovernanceTables1732400000000 } from "./migrations/1732400000000-create-governance-tables";
import { RetentionScheduleAndHolds1734000000000 } from "./migrations/1734000000000-retention-schedule-and-holds";
import { RetentionLease } from "./retention/retention-lease";
import { RetentionScheduler } from "./retention/retention-scheduler";
import { RequestTraceParent1738100000000 } from "./migrations/1738100000000-request-trace-parent";
import { DurablePrivacyRequests1735000000000 } from "./migrations/1735000000000-durable-privacy-requests";
import { RetentionErasures1736000000000 } from "./migrations/1736000000000-retention-erasures";
import { PrivacyRequestCases1737000000000 } from "./migrations/1737000000000-privacy-request-cases";
import { PrivacyRequestPolicyRecord } from "./entities/privacy-request-policy.entity";
import { RetentionErasureRecord } from "./entities/retention-erasure.entity";
import { DEFAULT_PRIVACY_CONFIG, newWorkerId } from "./privacy/engine/config";
import type { PrivacyEngineConfig } from "./privacy/engine/config";
import { archivePrefix, MANIFEST_FILE } from "./privacy/archive/archive-layout";
import { mountDownloadRoutes } from "./internal/download.routes";
import { evidenceRoutes } from "./internal/evidence.routes";
import { purgeExpiredEvidence } from "./privacy/engine/evidence-purge";
import type { EvidencePurgeResult } from "./privacy/engine/evidence-purge";
import { noFaults } from "./privacy/engine/faults";
import type { FaultInjector } from "./privacy/engine/faults";
import { replayErasureLedger } from "./privacy/engine/ledger";
import type { ReplayResult } from "./privacy/engine/ledger";
import { PrivacyWorkers } from "./privacy/engine/worker";
import { buildGovernanceSchema } from "./schema";
import { dataSubgraphs } from "./contract/data-subgraphs";
import type { DataSubgraphUrls } from "./contract/data-subgraphs";
import { PersonalDataContractClient } from "./contract/personal-data-contract-client";
import { Webhooks1737100000000 } from "./migrations/1737100000000-webhooks";
import { DEFAULT_WEBHOOK_CONFIG } from "./webhooks/config";
import type { WebhookConfig } from "./webhooks/config";
import { WebhookDispatcher } from "./webhooks/dispatcher";
import { GovernanceMetrics } from "./metrics/governance-metrics";
import { wakeOnCommit } from "./webhooks/wake-on-commit";
import { WebhookDeliveryRecord } from "./webhooks/webhook-delivery.entity";
import { WebhookRecord } from "./webhooks/webhook.entity";

export interface GovernanceServiceOptions {
  database: DatabaseConfig;
  internalPublicKey: KeyLike;
  /** Governance signs its service identity (and download links) with this key; only it and the gateway hold it. */
  internalPrivateKey: KeyLike;
  clock: Clock;
  /** Base URLs by registry `urlKey`: storage-regions, audit and every data subgraph of `services`. */
  urls: Pick<ServiceUrls, "audit" | "storageRegions"> & DataSubgraphUrls;
  /** The service registry whose data subgraphs governance drives; this deployment's (SERVICES) by default. */
  services?: readonly ServiceEntry[];
  /** Root folder of the blob store (one subfolder per region), or another BlobStore. */
  blobs: string | MovableBlobStore;
  /** The residency mover (tenant moves between regions); started unless false. */
  residencyMover?: Pick<ResidencyMoverOptions, "intervalMs" | "leaseMs" | "chunkRows" | "callTimeoutMs" | "faultPoint" | "onFault" | "owner" | "afterChunk" | "beforePurge"> | false;
  /** HMAC key of the erasure ledger (at least 32 bytes). */
  ledgerKey: Buffer;
  /** The privacy-request engine; unset values take DEFAULT_PRIVACY_CONFIG. */
  privacy?: Partial<PrivacyEngineConfig>;
  faults?: FaultInjector;
  /** Tests pass a StatementCounter here. */
  logger?: Logger;
  /** Where the service logs; created from LOG_FORMAT / LOG_LEVEL when not given. */
  log?: ServiceLogger;
  /**
   * How often retention runs by itself (ms), or null for on demand only. `index.ts` reads
   * RETENTION_INTERVAL (default one hour); tests drive `scheduler.tick()` themselves.
   */
  retentionIntervalMs?: number | null;
  /** Webhook delivery and URL policy; unset values take DEFAULT_WEBHOOK_CONFIG (development policy, dispatcher started). */
  webhooks?: Partial<WebhookConfig>;
  /** Whether this instance's timer checks the schedule; off lets tests tick by hand. Default true when an interval is set. */
  retentionTimer?: boolean;
  /** Lifetime of the retention lease; renewed during a run. Default five minutes. */
  retentionLeaseMs?: number;
  /** How long an on-demand run waits for one in progress elsewhere. Default ten minutes. */
  retentionWaitMs?: number;
}

export interface GovernanceService extends SubgraphApp {
  db: DataSource;
  /** Null when started without one. */
  mover: ResidencyMover | null;
  /** Null when retention runs on demand only. */
  scheduler: RetentionScheduler | null;
  /** This replica's privacy-request workers: `start()` (index.ts does), `stop()`. */
  workers: PrivacyWorkers;
  /** This replica's webhook dispatcher, started with the service unless `webhooks.dispatcher` is false. */
  webhooks: WebhookDispatcher;
  /** Re-erases anyone in the erasure ledger who is back in a data subgraph (`npm run erasure:replay`). */
  replayErasureLedger(): Promise<ReplayResult>;
  /** Deletes archives and receipts past their keep period (retention calls it). */
  purgeExpiredEvidence(asOf: Date): Promise<EvidencePurgeResult>;
}

export const governanceEntities = [
  PrivacyRequestRecord,
  PrivacyRequestEventRecord,
  PrivacyReceiptRecord,
  ErasureLedgerRecord,
  RetentionRunRecord,
  RetentionErasureRecord,
  LegalHoldRecord,
  RetentionLeaseRecord,
  PrivacyRequestPolicyRecord,
  WebhookRecord,
  WebhookDeliveryRecord,
];
export const governanceMigrations = [
  CreateGovernanceTables1732400000000,
  RetentionScheduleAndHolds1734000000000,
  DurablePrivacyRequests1735000000000,
  RetentionErasures1736000000000,
  PrivacyRequestCases1737000000000,
  Webhooks1737100000000,
  RequestTraceParent1738100000000,
];

/**
 * Once a tenant's move has a verified copy (or, on cancel, back), its privacy requests'
 * archives live in the region `to` (the mover copied them with every other blob of the
 * tenant, unfinished ones included): point the requests there.
 */
async function repointArchives(deps: GovernanceDeps, tenantId: string, from: Region, to: Region): Promise<void> {
  const repo = deps.db.getRepository(PrivacyRequestRecord);
  for (const request of await repo.findBy({ tenantId, region: from })) {
    await repo.update(
      { id: request.id, region: from },
      {
        region: to,
        exportLocation: request.exportLocation ? deps.blobs.locationOf(to, `${archivePrefix(tenantId, request.id)}/${MANIFEST_FILE}`) : null,
      },
    );
  }
}

export async function createGovernanceService(options: GovernanceServiceOptions): Promise<GovernanceService> {
  const db = await openDataSource(
    createDataSource(options.database, { entities: governanceEntities, migrations: governanceMigrations, logger: options.logger }),
  );
  const blobs = typeof options.blobs === "string" ? new FileSystemBlobStore(options.blobs) : options.blobs;
  const subgraphs = dataSubgraphs(options.urls, options.services);
  const privacy: PrivacyEngineConfig = {
    ...DEFAULT_PRIVACY_CONFIG,
    workerId: newWorkerId(),
    gatewayPublicUrl: "http://127.0.0.1:4000",
    ...options.privacy,
  };
  const webhooks: WebhookConfig = { ...DEFAULT_WEBHOOK_CONFIG, ...options.webhooks };
  // The workers need the deps and the deps wake the workers: the late-bound holder breaks the cycle.
  const holder: { workers?: PrivacyWorkers } = {};
  const metrics = new ServiceMetrics("governance");
  const log = options.log ?? createLogger("governance");
  // One internal token for governance's own identity, reused for half its life (docs/decisions/0052).
  const issuer = new InternalTokenIssuer(options.internalPrivateKey, "dgg-governance", options.clock);
  const deps: GovernanceDeps = {
    db,
    clock: options.clock,
    audit: new AuditClient(options.urls.audit),
    tenants: new TenantDirectoryClient(options.urls.storageRegions),
    contract: new PersonalDataContractClient(subgraphs, issuer),
    blobs,
    retention: {
      lease: new RetentionLease(db, options.clock, newWorkerId(), options.retentionLeaseMs ?? 5 * 60_000),
      waitMs: options.retentionWaitMs ?? 10 * 60_000,
      intervalMs: options.retentionIntervalMs ?? null,
    },
    faults: options.faults ?? noFaults,
    privacy,
    ledgerKey: options.ledgerKey,
    linkSigningKey: options.internalPrivateKey,
    serviceToken: () => issuer.tokenFor(GOVERNANCE_SERVICE),
    wakeWorkers: () => holder.workers?.wake(),
    webhooks,
    metrics: new GovernanceMetrics(metrics, db, options.clock),
    log,
  };
  const workers = new PrivacyWorkers(deps);
  holder.workers = workers;
  const { schema } = await buildGovernanceSchema();
  const app = await createSubgraphApp({
    name: "governance",
    log,
    stores: () => [{ name: "governance", db }],
    metrics,
    schema,
    internalPublicKey: options.internalPublicKey,
    clock: options.clock,
    recordDenials: denialsToAudit(deps.audit),
    context: (viewer, token) => createGovernanceContext(deps, viewer, token),
    internalRoutes: evidenceRoutes(deps),
  });
  mountDownloadRoutes(app.app, deps, options.internalPublicKey);
  const mover =
    options.residencyMover === false
      ? null
      : new ResidencyMover({
          ...options.residencyMover,
          client: new ResidencyClient(options.urls.storageRegions, subgraphs, issuer, options.residencyMover?.callTimeoutMs),
          blobs,
          audit: deps.audit,
          log,
          repoint: (tenantId, from, to) => repointArchives(deps, tenantId, from as Region, to as Region),
        });
  mover?.start();
  const dispatcher = new WebhookDispatcher({ db, clock: options.clock, config: webhooks, owner: newWorkerId(), log });
  // Any transaction that enqueues deliveries wakes the dispatcher when it commits.
  wakeOnCommit(db.manager, () => dispatcher.wake());
  if (webhooks.dispatcher) dispatcher.start();
  const scheduler = deps.retention.intervalMs ? new RetentionScheduler(deps, deps.retention.intervalMs) : null;
  if (scheduler && options.retentionTimer !== false) scheduler.start();
  return {
    ...app,
    db,
    mover,
    scheduler,
    workers,
    webhooks: dispatcher,
    replayErasureLedger: () => replayErasureLedger(deps),
    purgeExpiredEvidence: (asOf) => purgeExpiredEvidence(deps, asOf),
    stop: async () => {
      await workers.stop();
      await dispatcher.stop();
      await mover?.stop();
      await scheduler?.stop();
      await app.stop();
      await db.destroy();
    },
  };
}
