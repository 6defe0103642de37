/**
 * Scenario: the privacy engine survives anything. Governance runs as real child processes
 * on one database and blob store; the data subgraphs run in-process. A fault point kills
 * the worker (SIGKILL) at every step boundary and in the middle of each step, one after
 * the other on the same request; each restart resumes. At the end the user is gone from
 * every store, the archive is intact with the checksum it had before the crashes, every
 * record was exported once and erased once, and the checkpoint log shows erasure began
 * only after the archive was verified. Then a backup with the user in it is restored, and
 * both start-up and `npm run erasure:replay` erase them again. A second scenario runs
 * two replicas, one of which dies holding a request. Shared by SQLite and PostgreSQL.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { DataSource } from "typeorm";
import type { DatabaseConfig } from "@dgg/common";
import { freshPostgresDatabase, testDatabaseName } from "../support/postgres";
import { ensureGovernanceBuilt, governanceHome, startGovernance } from "../support/governance-process";
import type { GovernanceHome } from "../support/governance-process";
import { restoreStore, snapshotStore } from "../support/snapshot";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import {
  assertArchiveIntact,
  assertVerifiedBeforeErasure,
  checkpointLog,
  governanceGql,
  heldRecords,
  openGovernanceStore,
  seedSubject,
  storesNaming,
} from "./harness";

const ROOT = join(__dirname, "..", "..");

/** Every crash point, in the order the chain reaches them; `@n` = the n-th time in that process. */
const CRASH_CHAIN = [
  "claim.after", // boundary: claimed, nothing done
  "export.started", // boundary: EXPORTING recorded
  "export.page-written@5", // middle: telemetry pages on disk past the last checkpoint
  "export.checkpointed@2", // middle: telemetry half exported and checkpointed
  "export.file-completed", // middle: telemetry file closed, not yet committed
  "export.file-committed@4", // middle: every file committed, end of export not recorded
  "export.report-written", // middle: report.html on disk, not recorded; the next attempt renders it again
  "export.manifest-written", // middle: manifest on disk, not verified
  "export.verified", // middle: verified, not recorded
  "export.exported", // boundary: EXPORTED recorded
  "erase.started", // boundary: ERASING + ledger recorded
  "erase.subgraph-started", // middle: telemetry's or the audit trail's erasure (the first wave) recorded as started, its call not made
  "erase.subgraph-called@2", // middle: both of the first wave erased, at most one recorded
  "erase.subgraph-checkpointed@2", // middle: the first wave recorded, or users erased and recorded; not finished
  "finish.audited", // middle: outcome audited, not COMPLETED
  "finish.completed", // boundary: COMPLETED
] as const;

const REQUEST_FIELDS = `id status attempts error lastError
  export { location sha256 counts { category records } }
  erasures { category erased }
  progress { category exported exportComplete erased }
  steps { receivedAt exportStartedAt exportVerifiedAt erasureStartedAt completedAt }
  receipt { manifestSha256 erasures { subgraph category erased } }`;

async function governanceDatabase(kind: StoreKind, home: { dataDir: string }, name: string): Promise<{ url: string; config: DatabaseConfig }> {
  if (kind === "sqlite") {
    const file = join(home.dataDir, `${name}.sqlite`);
    return { url: `sqlite:${file}`, config: { type: "sqlite", file } };
  }
  const url = await freshPostgresDatabase(testDatabaseName(name));
  return { url, config: { type: "postgres", url } };
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function describeCrashSuite(kind: StoreKind): void {
  describe(`the privacy engine under crashes, outages and replicas on ${kind}`, () => {
    let system: TestSystem;

    beforeAll(async () => {
      ensureGovernanceBuilt();
      // The in-process governance only serves the gateway here; the child processes do the work.
      system = await startTestSystem(kind, { privacy: { concurrency: 0 } });
    });

    afterAll(async () => {
      await system?.stop();
    });

    it("resumes after a kill at every crash point, with the same archive, and re-erases a restored backup", async () => {
      const subject = await seedSubject(system, `crash-${kind}`, 3, 120);
      const heldBefore = await heldRecords(system, subject.userId);
      expect(heldBefore).toBe(1 + 3 + 120);
      const backup = {
        users: await Promise.all(system.stores.users.map(({ db }) => snapshotStore(db))),
        telemetry: await Promise.all(system.stores.telemetry.map(({ db }) => snapshotStore(db))),
        audit: await Promise.all(system.stores.audit.map(({ db }) => snapshotStore(db))),
      };

      const scratch = governanceHome(system, "");
      const database = await governanceDatabase(kind, scratch, "gov_crash");
      const home: GovernanceHome = { ...scratch, databaseUrl: database.url, env: { ...scratch.env, GOVERNANCE_DATABASE_URL: database.url } };

      let requestId: string | null = null;
      let manifestShaBeforeCrashes: string | null = null;
      let reportShaBeforeCrashes: string | null = null;
      for (const point of CRASH_CHAIN) {
        const replica = await startGovernance(home, { DGG_FAULT_POINT: point, PRIVACY_REPLAY_ON_START: "false" });
        if (!requestId) {
          const filed = await governanceGql(system, replica.url, subject, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: subject.userId });
          expect(filed.restrictProcessing.status).toBe("RECEIVED");
          requestId = filed.restrictProcessing.id as string;
        }
        let timer: NodeJS.Timeout | undefined;
        const exit = await Promise.race([replica.exited, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), 30_000)))]);
        clearTimeout(timer);
        if (!exit) await replica.stop();
        expect({ point, exit, output: replica.output() }).toMatchObject({ point, exit: { signal: "SIGKILL" } });
        expect(replica.output()).toContain(`fault injected at ${point.split("@")[0]}`);
        if (point === "export.report-written") {
          const report = join(home.blobRoot, "EUROPE", subject.tenantId, "privacy-requests", requestId, "report.html");
          reportShaBeforeCrashes = createHash("sha256").update(readFileSync(report)).digest("hex");
        }
        if (point === "export.manifest-written") {
          const manifest = join(home.blobRoot, "EUROPE", subject.tenantId, "privacy-requests", requestId, "manifest.json");
          manifestShaBeforeCrashes = createHash("sha256").update(readFileSync(manifest)).digest("hex");
        }
        if (point === "export.verified" || point === "export.exported") {
          // Verified (recorded or not), and not a single record erased yet.
          expect(await heldRecords(system, subject.userId)).toBe(heldBefore);
        }
      }

      const last = await startGovernance(home, { PRIVACY_REPLAY_ON_START: "false" });
      const request = (await governanceGql(system, last.url, subject, `query($id: ID!) { privacyRequest(id: $id) { ${REQUEST_FIELDS} } }`, { id: requestId }))
        .privacyRequest;
      expect(request.status).toBe("COMPLETED");
      expect(request.export.sha256).toBe(manifestShaBeforeCrashes);
      const manifest = assertArchiveIntact(request.export.location, request.export.sha256, subject);
      // Rendered again by another process after the kill, from the same stored values: the same bytes.
      expect(reportShaBeforeCrashes).toMatch(/^[0-9a-f]{64}$/);
      expect(manifest.report).toMatchObject({ file: "report.html", sha256: reportShaBeforeCrashes });
      expect(fileURLToPath(request.export.location).startsWith(join(home.blobRoot, "EUROPE"))).toBe(true);

      // Each record erased exactly once: the counts match the archive, not more, not zero.
      const exported = Object.fromEntries(manifest.files.map((file: { category: string; records: number }) => [file.category, file.records]));
      const erased = Object.fromEntries(request.erasures.map((count: { category: string; erased: number }) => [count.category, count.erased]));
      expect(erased).toEqual(exported);
      expect(exported).toMatchObject({ ACCOUNT: 1, SERVICE_DATA: 3, TELEMETRY: 120 });
      expect(request.receipt.manifestSha256).toBe(request.export.sha256);
      expect(request.progress.every((entry: { exportComplete: boolean }) => entry.exportComplete)).toBe(true);
      expect(await storesNaming(system, subject)).toEqual([]);

      const governanceStore: DataSource = await openGovernanceStore(database.config);
      try {
        const events = await checkpointLog(governanceStore, requestId!);
        assertVerifiedBeforeErasure(events);
        expect(events.filter((event) => event.step === "CLAIMED").length).toBe(CRASH_CHAIN.length);
        // The report is recorded once, after the files and before the archive is verified.
        const steps = events.map((event) => event.step);
        expect(steps.filter((step) => step === "REPORT_WRITTEN")).toHaveLength(1);
        expect(steps.indexOf("REPORT_WRITTEN")).toBeGreaterThan(steps.indexOf("FILES_WRITTEN"));
        expect(steps.indexOf("REPORT_WRITTEN")).toBeLessThan(steps.indexOf("ARCHIVE_VERIFIED"));
        // The kill before telemetry's first checkpoint restarted the file (30, 60); the kill after the
        // second checkpoint resumed from it (90, 120), not from the start.
        const telemetryCheckpoints = events.filter((event) => event.step === "FILE_CHECKPOINT" && event.detail?.category === "TELEMETRY");
        expect(telemetryCheckpoints.map((event) => event.detail!.records)).toEqual([30, 60, 90, 120]);
        // Telemetry and the audit trail are erased together (in either order), the account after both.
        const erasedIn = events.filter((event) => event.step === "SUBGRAPH_ERASED").map((event) => event.detail!.subgraph as string);
        expect(erasedIn).toHaveLength(3);
        expect(erasedIn.slice(0, 2).sort()).toEqual(["audit", "telemetry"]);
        expect(erasedIn[2]).toBe("users");
      } finally {
        await governanceStore.destroy();
      }
      await last.stop();

      // A backup taken before the request comes back: start-up replays the ledger and erases the user again.
      for (const [i, { db }] of system.stores.users.entries()) await restoreStore(db, backup.users[i]!);
      for (const [i, { db }] of system.stores.telemetry.entries()) await restoreStore(db, backup.telemetry[i]!);
      for (const [i, { db }] of system.stores.audit.entries()) await restoreStore(db, backup.audit[i]!);
      expect(await heldRecords(system, subject.userId)).toBe(heldBefore);
      const restarted = await startGovernance(home);
      await until("the start-up replay", async () => (/erasure ledger replayed/.test(restarted.output()) ? true : null));
      expect(restarted.output()).toMatch(/erasure ledger replayed \(\d+ ids scanned, 1 re-erased\)/);
      expect(await storesNaming(system, subject)).toEqual([]);
      await restarted.stop();

      // And once more with the command an operator runs after a restore.
      for (const [i, { db }] of system.stores.users.entries()) await restoreStore(db, backup.users[i]!);
      for (const [i, { db }] of system.stores.telemetry.entries()) await restoreStore(db, backup.telemetry[i]!);
      for (const [i, { db }] of system.stores.audit.entries()) await restoreStore(db, backup.audit[i]!);
      const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, "subgraphs", "governance", "dist", "erasure-replay.js")], {
        cwd: ROOT,
        env: { ...process.env, ...home.env, LOG_LEVEL: "info" },
      });
      expect(stdout).toMatch(/re-erased 1\b/);
      expect(await storesNaming(system, subject)).toEqual([]);
      expect(await heldRecords(system, subject.userId)).toBe(0);
    }, 240_000);

    it("shares the queue between two replicas; a request held by a killed replica is finished by another, never by two at once", async () => {
      const first = await seedSubject(system, `replica-a-${kind}`, 2, 40);
      const others = [
        await seedSubject(system, `replica-b-${kind}`, 2, 40, first.tenantId),
        await seedSubject(system, `replica-c-${kind}`, 2, 40, first.tenantId),
      ];
      const subjects = [first, ...others];
      const scratch = governanceHome(system, "");
      const database = await governanceDatabase(kind, scratch, "gov_replicas");
      const home: GovernanceHome = { ...scratch, databaseUrl: database.url, env: { ...scratch.env, GOVERNANCE_DATABASE_URL: database.url } };

      // Requests filed through an API-only replica, so that both workers below find the queue full.
      const filer = await startGovernance(home, { PRIVACY_WORKERS: "0", PRIVACY_REPLAY_ON_START: "false" });
      const ids: string[] = [];
      for (const subject of subjects) {
        const filed = await governanceGql(system, filer.url, subject, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
        ids.push(filed.restrictProcessing.id as string);
      }
      await filer.stop();
      // Two replicas side by side; one dies on its third export page, holding the request it claimed.
      const [survivor, doomed] = await Promise.all([
        startGovernance(home, { PRIVACY_WORKERS: "1", PRIVACY_REPLAY_ON_START: "false" }),
        startGovernance(home, { DGG_FAULT_POINT: "export.page-written@3", PRIVACY_WORKERS: "1", PRIVACY_REPLAY_ON_START: "false" }),
      ]);
      expect((await doomed.exited).signal).toBe("SIGKILL");

      const governanceStore = await openGovernanceStore(database.config);
      try {
        await until("all three requests to complete", async () => {
          const statuses = await Promise.all(
            ids.map(async (id, index) => (await governanceGql(system, survivor.url, subjects[index]!, `query($id: ID!) { privacyRequest(id: $id) { status } }`, { id })).privacyRequest.status),
          );
          return statuses.every((status) => status === "COMPLETED") ? true : null;
        });
        const workersSeen = new Set<string>();
        for (const id of ids) {
          const events = await checkpointLog(governanceStore, id);
          assertVerifiedBeforeErasure(events);
          // Ownership only ever moves forward: once another replica claimed the request, the previous one wrote nothing more.
          const replicaOf = (worker: string) => worker.split("#")[0]!;
          const owners = events.filter((event) => event.worker !== "api").map((event) => replicaOf(event.worker));
          const handovers = owners.filter((owner, index) => index > 0 && owner !== owners[index - 1]);
          expect(new Set(handovers).size).toBe(handovers.length);
          expect(new Set(owners).size).toBe(handovers.length + 1);
          owners.forEach((owner) => workersSeen.add(owner));
        }
        expect(workersSeen.size).toBe(2);
        for (const subject of subjects) expect(await storesNaming(system, subject)).toEqual([]);
      } finally {
        await governanceStore.destroy();
        await survivor.stop();
      }
    }, 120_000);
  });
}
