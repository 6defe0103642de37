/**
 * Scenario: after a completed restriction, someone with the disks reads every store file as
 * raw bytes: SQLite files with their logs, or a PostgreSQL database's directory and the
 * cluster's whole `pg_wal`, plus every subject-key file and the archive folders.
 * - Personal content is sealed under the person's key from the first write, so their
 *   names, address, serials and payloads never appear in clear in any store file, WAL
 *   segment included; the erasure destroys the key, whose own file keeps no copy of it.
 * - The data stores never hold the user's id either: it is stored under an alias whose link,
 *   in the key file, the erasure deletes (docs/decisions/0051). So not even the id is left,
 *   on SQLite (whose erased rows are also zeroed and logs truncated) or in PostgreSQL's
 *   dead tuples and WAL. Governance keeps the request, with the id, as evidence for a year;
 *   it runs outside the scanned cluster here, as a deployment that separates them does.
 * - The archive holds the electronic copy in clear until its keep period ends, then nothing.
 * A person who was not erased is found by the same scan, so the scan can fail.
 */
import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { Client } from "pg";
import { DATA_SUBGRAPH_NAMES, DAY_MS, filesUnder, Region, REGIONS, scanFilesForNeedles } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { waitForRequest } from "../support/privacy";
import { filesOfStores, keyFilesOf } from "../support/store-files";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { seedSubject } from "./harness";

const DATA_SUBGRAPHS = DATA_SUBGRAPH_NAMES;
const ROOT = join(__dirname, "..", "..");

/** `npm run erasure:scan` as an operator runs it, configured for the system's stores; its exit code and output. */
async function erasureScan(system: TestSystem, needles: (string | Buffer)[]): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, BLOB_STORE_DIR: system.blobRoot, DGG_SUBJECT_KEYS_DIR: dirname(dirname(system.keyFiles.users[Region.EUROPE])) };
  for (const name of DATA_SUBGRAPHS) {
    for (const region of REGIONS) {
      const config = system.databases[name][region];
      env[`${name.toUpperCase()}_DATABASE_URL_${region}`] = config.type === "postgres" ? config.url : `sqlite:${config.file}`;
    }
  }
  const args = needles.flatMap((needle) => ["--needle", typeof needle === "string" ? needle : `hex:${needle.toString("hex")}`]);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, "scripts", "erasure-scan.mjs"), ...args], { env, cwd: ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

export function describeRawBytesSuite(kind: StoreKind): void {
  describe(`raw bytes of the ${kind} stores after erasure`, () => {
    let system: TestSystem;

    beforeAll(async () => {
      system = await startTestSystem(kind, { governanceStore: "sqlite" });
    });

    afterAll(async () => {
      await system?.stop();
    });

    /**
     * Every file of every store of the system (WAL and PostgreSQL's `pg_wal` included) and
     * every subject-key file; with `dataOnly`, the data subgraphs' stores only (governance
     * keeps the request, with the user's id, as the record that it was answered).
     */
    async function everyFile(dataOnly = false): Promise<{ files: string[]; unreadable: string[] }> {
      const stores = Object.entries(system.stores)
        .filter(([name]) => !dataOnly || (DATA_SUBGRAPHS as readonly string[]).includes(name))
        .flatMap(([, list]) => list.map(({ db }) => db));
      const found = await filesOfStores(stores, { wal: true });
      found.files.push(...keyFilesOf(system));
      return found;
    }

    it("leaves no readable byte of the erased person: content sealed from the first write, the key destroyed, the archive gone after its keep period", async () => {
      const erased = await seedSubject(system, `ada-raw-${kind}`, 2, 20, undefined, `Ada Raw ${kind}`);
      const kept = await seedSubject(system, `grace-raw-${kind}`, 1, 5, erased.tenantId, `Grace Raw ${kind}`);
      const marker = `payload-marker-${erased.userId.slice(0, 8)}`;
      const ingested = await system.gql(erased.adminToken, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: [{ userId: erased.userId, kind: "ERROR", occurredAt: system.clock.now().toISOString(), payload: { marker } }],
      });
      expect(ingested.body.data?.ingestTelemetry.accepted).toBe(1);
      const content = [`ada-raw-${kind}@example.eu`, `Ada Raw ${kind}`, `SN-ada-raw-${kind}-0`, `SN-ada-raw-${kind}-1`, marker];
      const keys = DATA_SUBGRAPHS.flatMap((name) => system.subjectKeys(name, Region.EUROPE).keysOfSubject(erased.tenantId, erased.userId));
      // Users (account, devices) and telemetry (payloads, one key per day) sealed something under the person's keys.
      expect(keys.length).toBeGreaterThanOrEqual(2);

      // Sealed at rest from the first write: the API reads the values back, the files never see them.
      const read = await system.gql(
        erased.adminToken,
        `query($u: ID!, $n: String!) {
          byName: userByPrincipalName(userPrincipalName: $n) { id displayName }
          personalData(user: $u) { account { userPrincipalName } devices(first: 5) { edges { node { serialNumber } } } telemetry(first: 50) { edges { node { payload } } } }
        }`,
        { u: erased.userId, n: `ADA-RAW-${kind}@example.eu` },
      );
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data?.byName).toEqual({ id: erased.userId, displayName: `Ada Raw ${kind}` });
      const data = read.body.data?.personalData;
      expect(data.account.userPrincipalName).toBe(`ada-raw-${kind}@example.eu`);
      expect(data.devices.edges.map((edge: { node: { serialNumber: string } }) => edge.node.serialNumber).sort()).toEqual([`SN-ada-raw-${kind}-0`, `SN-ada-raw-${kind}-1`]);
      expect(data.telemetry.edges.map((edge: { node: { payload: unknown } }) => edge.node.payload)).toContainEqual({ marker });
      const before = await everyFile();
      expect(before.unreadable).toEqual([]);
      expect((await scanFilesForNeedles(before.files, content)).hits).toEqual([]);
      // Stored under aliases from the first write, and quoted only in sealed audit details: the
      // data stores' own files never see either person's id or their devices'.
      const ids = [erased.userId, ...erased.deviceIds];
      expect(erased.deviceIds).toHaveLength(2);
      const dataFiles = await filesOfStores(DATA_SUBGRAPHS.flatMap((name) => system.stores[name].map(({ db }) => db)), { wal: true });
      expect((await scanFilesForNeedles(dataFiles.files, [...ids, kept.userId, ...kept.deviceIds])).hits).toEqual([]);
      // The scan does see what is stored: the ids (in the key files' alias links and governance's records), and every key.
      const present = await scanFilesForNeedles(before.files, [erased.userId, kept.userId, ...keys]);
      expect(new Set(present.hits.map((hit) => hit.needle)).size).toBe(2 + keys.length);

      const filed = await system.gql(erased.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: erased.userId });
      const done = await waitForRequest(system, erased.adminToken, filed.body.data!.restrictProcessing.id as string, "id");
      expect(done.status).toBe("COMPLETED");

      const after = await everyFile();
      expect(after.unreadable).toEqual([]);
      for (const name of DATA_SUBGRAPHS) expect(system.subjectKeys(name, Region.EUROPE).keysOfSubject(erased.tenantId, erased.userId)).toEqual([]);
      // No key left in any file (key files, their logs), no content in clear anywhere.
      const needles = [...content, ...keys];
      expect((await scanFilesForNeedles(after.files, needles)).hits).toEqual([]);
      // The operator's command sees the archive, which still holds the electronic copy.
      const archived = await erasureScan(system, [marker]);
      expect(archived.code).toBe(1);
      expect(archived.output).toMatch(/FOUND "payload-marker-.*telemetry\.ndjson/);
      // Not even the ids are left in the data subgraphs' stores, WAL included, nor in their key files.
      expect((await scanFilesForNeedles((await everyFile(true)).files, ids)).hits).toEqual([]);
      // The person who was not erased is still there to be found, key and all.
      const [keptKey] = system.subjectKeys("users", Region.EUROPE).keysOfSubject(erased.tenantId, kept.userId);
      const control = await scanFilesForNeedles(after.files, [kept.userId, keptKey!]);
      expect(new Set(control.hits.map((hit) => hit.needle)).size).toBe(2);
      const stillReadable = await system.gql(kept.adminToken, `query($u: ID!) { personalData(user: $u) { account { displayName } } }`, { u: kept.userId });
      expect(stillReadable.body.data?.personalData.account.displayName).toBe(`Grace Raw ${kind}`);

      // The archive holds the electronic copy in clear until its keep period ends, then nothing is left.
      expect((await scanFilesForNeedles(await filesUnder(system.blobRoot), [marker])).hits.length).toBeGreaterThan(0);
      system.clock.advance(30 * DAY_MS + 60_000);
      const operator = await system.token(viewer("operator", { subject: `ops@raw-${kind}` }));
      expect((await system.gql(operator, `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
      const end = await everyFile();
      expect((await scanFilesForNeedles([...end.files, ...(await filesUnder(system.blobRoot))], needles)).hits).toEqual([]);
      // The operator's command agrees: exit 0 for the erased person, 1 (naming what it found) for the one still there.
      const clean = await erasureScan(system, needles);
      expect(clean.output).toMatch(/, 0 hits/);
      expect(clean.code).toBe(0);
      const found = await erasureScan(system, [kept.userId]);
      expect(found.code).toBe(1);
      expect(found.output).toContain(`FOUND ${JSON.stringify(kept.userId)}`);
    });

    it("destroys each day's telemetry keys once the day expired, except a held user's, so purged events cannot be opened from what the files keep", async () => {
      const expiring = await seedSubject(system, `eve-days-${kind}`, 0, 5);
      const held = await seedSubject(system, `hal-days-${kind}`, 0, 5, expiring.tenantId);
      const officer = await system.token(viewer("privacy-officer", { tenantId: expiring.tenantId, subject: `dpo@days-${kind}` }));
      const hold = await system.gql(officer, `mutation($u: ID!) { placeLegalHold(user: $u, reason: "litigation") { id } }`, { u: held.userId });
      expect(hold.body.errors).toBeUndefined();
      const telemetryKeys = system.subjectKeys("telemetry", Region.EUROPE);
      const expiringKeys = telemetryKeys.keysOfSubject(expiring.tenantId, expiring.userId);
      const heldKeys = telemetryKeys.keysOfSubject(held.tenantId, held.userId);
      expect(expiringKeys.length).toBeGreaterThan(0);
      expect(heldKeys.length).toBeGreaterThan(0);

      // Past the 30 days (and past the end of the events' day): the hourly run purges and destroys.
      system.clock.advance(32 * DAY_MS);
      const operator = await system.token(viewer("operator", { subject: `ops@days-${kind}` }));
      expect((await system.gql(operator, `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();

      expect(telemetryKeys.keysOfSubject(expiring.tenantId, expiring.userId)).toEqual([]);
      const files = (await everyFile()).files;
      expect((await scanFilesForNeedles(files, expiringKeys)).hits).toEqual([]);
      // The held user's expired events are kept, and still open.
      expect(telemetryKeys.keysOfSubject(held.tenantId, held.userId)).toEqual(heldKeys);
      const admin = await system.token(viewer("tenant-admin", { tenantId: held.tenantId, subject: `admin@days-${kind}` }));
      const kept = await system.gql(admin, `query($u: ID!) { personalData(user: $u) { telemetry(first: 10) { totalCount edges { node { payload } } } } }`, {
        u: held.userId,
      });
      expect(kept.body.errors).toBeUndefined();
      expect(kept.body.data?.personalData.telemetry.totalCount).toBe(5);
      expect(kept.body.data?.personalData.telemetry.edges[0].node.payload).toHaveProperty("i");
    });

    if (kind === "postgres") {
      it("finds, without sealing, what PostgreSQL keeps of a deleted row: the measurement the design rests on", async () => {
        // A control for the test above: the same scan sees a deleted clear value in pg_wal,
        // so its zero hits there mean sealed, not unscanned.
        const db = system.stores.users[0]!.db;
        const marker = `unsealed-${Date.now()}-${Math.random().toString(36).slice(2)}`;
        if (db.options.type !== "postgres") throw new Error("a PostgreSQL store was expected");
        const client = new Client({ connectionString: db.options.url });
        await client.connect();
        try {
          await client.query("CREATE TABLE IF NOT EXISTS raw_scan_control (value text)");
          await client.query("INSERT INTO raw_scan_control VALUES ($1)", [marker]);
          await client.query("DELETE FROM raw_scan_control");
          await client.query("CHECKPOINT");
        } finally {
          await client.end();
        }
        const files = await everyFile();
        expect((await scanFilesForNeedles(files.files, [marker])).hits.length).toBeGreaterThan(0);
      });
    }
  });
}
