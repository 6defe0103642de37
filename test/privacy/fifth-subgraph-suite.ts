/**
 * Scenario: a fifth data subgraph joins as docs/adding-a-subgraph.md describes, with one
 * registry entry and one adapter (test/fixtures/apps-subgraph: the apps installed on a
 * user's devices, service data beside the users subgraph's devices), and nothing else
 * changed. Governance exports its rows into the archive's service-data file and erases them
 * with the rest of the person; an access request copies them and erases nothing; an export
 * that fails at every page, across the boundary between the two subgraphs of one file,
 * still writes each record exactly once. Shared by SQLite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PersonalDataFreeze, Region } from "@dgg/common";
import type { FaultPoint } from "../../subgraphs/governance/src/privacy/engine/faults";
import type { AppsMisbehaviour } from "../fixtures/apps-subgraph/apps-personal-data";
import { APPS_SERVICE, createAppsService } from "../fixtures/apps-subgraph/apps-service";
import { InstalledApp } from "../fixtures/apps-subgraph/installed-app";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { assertArchiveIntact, seedSubject } from "./harness";
import type { Subject } from "./harness";

const FIELDS = `id kind status attempts lastError nextAttemptAt
  export { location sha256 counts { category records } }
  progress { category exported exportComplete erased }
  receipt { erasures { subgraph category erased } }`;

type ServiceDataRecord = { id: string; appName?: string };

/** Failures injected into governance's privacy engine: an attempt fails, the request waits and resumes. */
class InjectedFailures {
  /** Fails every other page write once (before its checkpoint). */
  everyOtherPage = false;
  /** Fails once at this point. */
  onceAt: FaultPoint | null = null;
  failures = 0;
  private pages = 0;

  hit(point: FaultPoint): void {
    if (point === this.onceAt) {
      this.onceAt = null;
      this.fail(point);
    }
    if (!this.everyOtherPage || point !== "export.page-written") return;
    this.pages += 1;
    if (this.pages % 2 === 1) this.fail(`page write ${this.pages}`);
  }

  private fail(where: string): never {
    this.failures += 1;
    throw new Error(`injected failure at ${where}`);
  }
}

export function describeFifthSubgraphSuite(kind: StoreKind): void {
  describe(`a fifth data subgraph, added by one registry entry and one adapter, on ${kind}`, () => {
    let system: TestSystem;
    const faults = new InjectedFailures();
    const misbehaviour: AppsMisbehaviour = { brokenRecord: false };

    beforeAll(async () => {
      system = await startTestSystem(kind, {
        dataSubgraphFixtures: [{ entry: APPS_SERVICE, create: (options) => createAppsService(options, misbehaviour) }],
        // Small pages, a checkpoint after each, quick retries: every page boundary is a resume point.
        privacy: { exportPageSize: 3, checkpointPages: 1, maxAttempts: 100, retryBaseMs: 10, retryMaxMs: 50 },
        faults,
      });
    });

    afterAll(async () => {
      await system?.stop();
    });

    const apps = () => system.fixtures[APPS_SERVICE.name]!;

    /** Installs `count` apps for the user in the tenant's region (EUROPE), oldest first. */
    async function installApps(subject: Subject, count: number): Promise<string[]> {
      const db = apps().stores.get(Region.EUROPE);
      const base = system.clock.now().getTime() - count * 60_000;
      const rows = Array.from({ length: count }, (_, i) =>
        Object.assign(new InstalledApp(), { id: randomUUID(), tenantId: subject.tenantId, userId: subject.userId, appName: `${subject.name} app ${i}`, installedAt: new Date(base + i * 60_000) }),
      );
      await db.getRepository(InstalledApp).save(rows);
      return rows.map((row) => row.id);
    }

    /** The user's apps in every region's store of the fixture. */
    async function appsHeld(userId: string): Promise<number> {
      let held = 0;
      for (const [, db] of apps().stores.entries()) held += await db.getRepository(InstalledApp).countBy({ userId });
      return held;
    }

    /** The user's freeze rows in every region's store of the fixture (GDPR Art. 18). */
    async function freezesOf(userId: string): Promise<number> {
      let rows = 0;
      for (const [, db] of apps().stores.entries()) rows += await db.getRepository(PersonalDataFreeze).countBy({ userId });
      return rows;
    }

    /** The fixture's records (they have an app name) apart from the users subgraph's devices. */
    const split = (records: ServiceDataRecord[]) => ({ apps: records.filter((record) => "appName" in record), devices: records.filter((record) => !("appName" in record)) });

    /** The service-data file of an archive: the apps and the devices. */
    function serviceDataOf(location: string): ServiceDataRecord[] {
      return JSON.parse(readFileSync(join(dirname(fileURLToPath(location)), "service-data.json"), "utf8")) as ServiceDataRecord[];
    }

    /** Follows the request, moving the test clock to each retry's time, until it is finished or `until` says so. */
    async function followWithRetries(token: string, id: string, until = (request: Record<string, any>) => ["COMPLETED", "FAILED"].includes(request.status as string)): Promise<Record<string, any>> {
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline) {
        const response = await system.gql(token, `query($id: ID!) { privacyRequest(id: $id) { ${FIELDS} } }`, { id });
        const request = response.body.data!.privacyRequest as Record<string, any>;
        if (until(request)) return request;
        const next = request.nextAttemptAt ? new Date(request.nextAttemptAt as string).getTime() : 0;
        if (next > system.clock.now().getTime()) system.clock.set(new Date(next));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`privacy request ${id} did not finish`);
    }

    it("exports the new subgraph's rows with the devices and erases them with the person, leaving others' rows", async () => {
      const subject = await seedSubject(system, "fifth-restrict", 2, 4);
      const bystander = await seedSubject(system, "fifth-bystander", 0, 0, subject.tenantId);
      const appIds = await installApps(subject, 8);
      await installApps(bystander, 3);

      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const done = await waitForRequest(system, subject.adminToken, filed.body.data!.restrictProcessing.id as string, FIELDS);
      expect(done.status).toBe("COMPLETED");

      // One service-data file for both subgraphs (apps first: they come before the users
      // subgraph in erasure order), every record exactly once, each subgraph's in its order.
      const manifest = assertArchiveIntact(done.export.location as string, done.export.sha256 as string, subject, subject.devices + appIds.length);
      const { apps: exportedApps, devices } = split(serviceDataOf(done.export.location as string));
      expect(exportedApps.map((record) => record.id)).toEqual(appIds);
      expect(exportedApps.map((record) => record.appName)).toEqual(appIds.map((_, i) => `fifth-restrict app ${i}`));
      expect(new Set(devices.map((record) => record.id))).toEqual(new Set(subject.deviceIds));
      expect(manifest.files).toContainEqual(expect.objectContaining({ category: "SERVICE_DATA", records: subject.devices + appIds.length }));
      expect(done.export.counts).toContainEqual({ category: "SERVICE_DATA", records: subject.devices + appIds.length });

      // Erased there, counted under its own name on the receipt, and only the person's rows.
      expect(done.receipt.erasures).toContainEqual({ subgraph: "apps", category: "SERVICE_DATA", erased: appIds.length });
      expect(done.progress).toContainEqual({ category: "SERVICE_DATA", exported: subject.devices + appIds.length, exportComplete: true, erased: subject.devices + appIds.length });
      expect(await appsHeld(subject.userId)).toBe(0);
      expect(await freezesOf(subject.userId)).toBe(0);
      expect(await appsHeld(bystander.userId)).toBe(3);
    });

    it("copies the new subgraph's rows for an access request and erases nothing", async () => {
      const subject = await seedSubject(system, "fifth-access", 1, 2);
      const appIds = await installApps(subject, 4);
      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const done = await waitForRequest(system, subject.adminToken, filed.body.data!.requestPersonalDataExport.id as string, FIELDS);
      expect(done).toMatchObject({ kind: "ACCESS", status: "COMPLETED" });
      assertArchiveIntact(done.export.location as string, done.export.sha256 as string, subject, subject.devices + appIds.length);
      expect(split(serviceDataOf(done.export.location as string)).apps.map((record) => record.id)).toEqual(appIds);
      expect(await appsHeld(subject.userId)).toBe(appIds.length);
    });

    it("writes every record once when the export fails after every other page, across the boundary between the file's two subgraphs", async () => {
      const subject = await seedSubject(system, "fifth-faults", 2, 5);
      const appIds = await installApps(subject, 9);
      faults.everyOtherPage = true;
      let done: Record<string, any>;
      try {
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id } }`, { u: subject.userId });
        expect(filed.body.errors).toBeUndefined();
        done = await followWithRetries(subject.adminToken, filed.body.data!.restrictProcessing.id as string);
      } finally {
        faults.everyOtherPage = false;
      }
      expect(done.status).toBe("COMPLETED");
      // Devices (1 page) and apps (3 pages of 3) alone make four page writes, two of them failed.
      expect(faults.failures).toBeGreaterThanOrEqual(4);
      expect(done.attempts).toBeGreaterThan(faults.failures);
      assertArchiveIntact(done.export.location as string, done.export.sha256 as string, subject, subject.devices + appIds.length);
      const records = serviceDataOf(done.export.location as string);
      expect(records.map((record) => record.id)).toHaveLength(subject.devices + appIds.length);
      expect(split(records).apps.map((record) => record.id)).toEqual(appIds);
      expect(new Set(split(records).devices.map((record) => record.id))).toEqual(new Set(subject.deviceIds));
      expect(await appsHeld(subject.userId)).toBe(0);
    });

    it("erases nothing when the new subgraph holds more than was exported (its rows count with the devices', not instead of them)", async () => {
      const subject = await seedSubject(system, "fifth-grown", 2, 1);
      const appIds = await installApps(subject, 5);
      // The attempt stops right after EXPORTED is recorded; a row then arrives past the freeze.
      faults.onceAt = "export.exported";
      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const id = filed.body.data!.restrictProcessing.id as string;
      const exported = await followWithRetries(subject.adminToken, id, (request) => request.status === "EXPORTED" && request.nextAttemptAt !== null);
      expect(exported.export.counts).toContainEqual({ category: "SERVICE_DATA", records: subject.devices + appIds.length });
      // The restriction froze the person in the new subgraph too.
      expect(await freezesOf(subject.userId)).toBe(1);
      await installApps(subject, 1);
      const refused = await followWithRetries(subject.adminToken, id, (request) => /records arrived after the freeze/.test(String(request.lastError)));
      expect(refused.lastError).toContain(`SERVICE_DATA: ${subject.devices + appIds.length + 1} held, ${subject.devices + appIds.length} exported`);
      expect(refused.status).toBe("EXPORTED");
      expect(await appsHeld(subject.userId)).toBe(appIds.length + 1);
      const devices = await system.gql(subject.adminToken, `query($u: ID!) { personalData(user: $u) { devices { totalCount } } }`, { u: subject.userId });
      expect(devices.body.data!.personalData.devices.totalCount).toBe(subject.devices);
    });

    it("erases nothing when a data subgraph sends a record that is not JSON: every page's records are parsed before the page is written", async () => {
      const subject = await seedSubject(system, "fifth-broken", 2, 1);
      const appIds = await installApps(subject, 4);
      misbehaviour.brokenRecord = true;
      let stuck: Record<string, any>;
      let id: string;
      try {
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id } }`, { u: subject.userId });
        expect(filed.body.errors).toBeUndefined();
        id = filed.body.data!.restrictProcessing.id as string;
        // Every attempt meets the broken record in the page, before it is written.
        stuck = await followWithRetries(subject.adminToken, id, (request) => (request.attempts as number) >= 3 || ["COMPLETED", "FAILED"].includes(request.status as string));
      } finally {
        misbehaviour.brokenRecord = false;
      }
      expect(stuck.status).toBe("EXPORTING");
      expect(stuck.lastError).toContain("service-data.json line 2 is not a JSON record");
      expect(await appsHeld(subject.userId)).toBe(appIds.length);
      const devices = await system.gql(subject.adminToken, `query($u: ID!) { personalData(user: $u) { devices { totalCount } } }`, { u: subject.userId });
      expect(devices.body.data!.personalData.devices.totalCount).toBe(subject.devices);
      const canceled = await system.gql(subject.adminToken, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "broken export") { status } }`, { id });
      expect(canceled.body.data?.cancelPrivacyRequest).toEqual({ status: "CANCELED" });
    });
  });
}
