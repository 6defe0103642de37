// Scenario: a scheduled run while one data subgraph is down: the failure is recorded on the
// run (step, subgraph, message), the other subgraph still purges, and the run is audited.
import { GovernanceMetrics } from "../src/metrics/governance-metrics";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AuditClient, createDataSource, createLogger, InternalTokenIssuer, ManualClock, openDataSource, ServiceMetrics, TenantDirectoryClient } from "@dgg/common";
import { generateTestKeyPair, startFakeService, tempSqlite } from "@dgg/common/testkit";
import type { DataSource } from "typeorm";
import { governanceEntities, governanceMigrations } from "../src/server";
import { dataSubgraphs } from "../src/contract/data-subgraphs";
import { PersonalDataContractClient } from "../src/contract/personal-data-contract-client";
import { RetentionLease } from "../src/retention/retention-lease";
import { runScheduledSlot } from "../src/retention/retention.service";
import { RetentionRunRecord } from "../src/entities/retention-run.entity";
import type { GovernanceDeps } from "../src/context";
import { FileSystemBlobStore } from "../src/blob/blob-store";
import { DEFAULT_PRIVACY_CONFIG } from "../src/privacy/engine/config";
import { noFaults } from "../src/privacy/engine/faults";
import { DEFAULT_WEBHOOK_CONFIG } from "../src/webhooks/config";

const HOUR = 3_600_000;

describe("a retention run with a subgraph down", () => {
  let db: DataSource;
  let fakes: Awaited<ReturnType<typeof startFakeService>>;
  let telemetry: Awaited<ReturnType<typeof startFakeService>>;

  afterEach(async () => {
    await db?.destroy();
    await fakes?.close();
    await telemetry?.close();
  });

  it("records the failed step and still purges elsewhere", async () => {
    db = await openDataSource(createDataSource(tempSqlite("governance"), { entities: governanceEntities, migrations: governanceMigrations }));
    const audited: unknown[] = [];
    fakes = await startFakeService({
      "GET /internal/retention/removed-users": () => ({ users: [] }),
      "POST /internal/retention/purge": () => ({ purged: [{ category: "AUDIT_LOG", count: 7 }] }),
      "POST /internal/audit/entries": (body) => {
        audited.push(...(body as { entries: unknown[] }).entries);
        return { recorded: 1 };
      },
    });
    telemetry = await startFakeService({
      "POST /internal/retention/purge": () => {
        throw new Error("telemetry store offline");
      },
    });
    const clock = new ManualClock(new Date("2030-06-01T10:00:05.000Z"));
    const keys = await generateTestKeyPair();
    const deps: GovernanceDeps = {
      db,
      clock,
      audit: new AuditClient(fakes.url),
      tenants: new TenantDirectoryClient(fakes.url),
      contract: new PersonalDataContractClient(dataSubgraphs({ users: fakes.url, telemetry: telemetry.url, audit: fakes.url }), new InternalTokenIssuer(keys.privateKey, "dgg-governance", clock)),
      blobs: new FileSystemBlobStore(mkdtempSync(join(tmpdir(), "dgg-blobs-"))),
      retention: { lease: new RetentionLease(db, clock, "replica", 60_000), waitMs: 1000, intervalMs: HOUR },
      faults: noFaults,
      privacy: { ...DEFAULT_PRIVACY_CONFIG, workerId: "test", gatewayPublicUrl: "http://127.0.0.1:4000" },
      ledgerKey: randomBytes(32),
      linkSigningKey: keys.privateKey,
      serviceToken: () => Promise.resolve("unused"),
      wakeWorkers: () => undefined,
      webhooks: DEFAULT_WEBHOOK_CONFIG,
      metrics: new GovernanceMetrics(new ServiceMetrics("governance"), db, clock),
      log: createLogger("governance"),
    };
    const run = await runScheduledSlot(deps, HOUR);
    expect(run).not.toBeNull();
    expect(run!.trigger).toBe("SCHEDULE");
    expect(run!.errors).toEqual([{ step: "PURGE_EXPIRED", subgraph: "telemetry", message: expect.stringContaining("telemetry store offline") }]);
    expect(run!.subgraphPurges).toEqual([{ subgraph: "audit", category: "AUDIT_LOG", count: 7 }]);
    const stored = await db.getRepository(RetentionRunRecord).findOneByOrFail({ id: run!.id });
    expect(stored.errors).toHaveLength(1);
    expect(audited).toEqual([expect.objectContaining({ action: "RETENTION_RUN", details: expect.objectContaining({ runId: run!.id, errors: 1 }) })]);
    // The slot is done: a second tick in the same hour does nothing, the next hour runs again.
    expect(await runScheduledSlot(deps, HOUR)).toBeNull();
    clock.advance(HOUR);
    expect(await runScheduledSlot(deps, HOUR)).not.toBeNull();
  });
});
