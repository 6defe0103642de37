/**
 * Scenario: after a completed restriction on the embedded default, someone runs `strings`
 * over the store files. Erased rows are zeroed in the SQLite files (secure_delete) and the
 * write-ahead logs are truncated after every erasure, so no byte of the person is left in
 * any store of any region; once the archive's keep period ends, none in the blob folders
 * either. A person who was not erased is found, so the scan can fail. (PostgreSQL keeps
 * deleted tuples in WAL: docs/decisions/0042.)
 */
import { DAY_MS, filesUnder, REGIONS, scanFilesForNeedles, storeFiles } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { TestSystem } from "../support/system";
import { seedSubject } from "./harness";

describe("raw bytes of the SQLite stores after erasure", () => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await startTestSystem("sqlite");
  });

  afterAll(async () => {
    await system?.stop();
  });

  async function everyFile(): Promise<string[]> {
    const files: string[] = [];
    for (const name of ["users", "telemetry", "audit"] as const) {
      for (const region of REGIONS) files.push(...(await storeFiles(system.databases[name][region], { wal: true })).files);
    }
    return files;
  }

  it("leaves no byte of the erased person in any store file, and none in the archive folders once the archive expired", async () => {
    const erased = await seedSubject(system, "ada-rawbytes", 2, 20, undefined, "Ada Rawbytes");
    const kept = await seedSubject(system, "grace-rawbytes", 1, 5, erased.tenantId, "Grace Rawbytes");
    const marker = `payload-marker-${erased.userId.slice(0, 8)}`;
    await system.gql(erased.adminToken, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
      e: [{ userId: erased.userId, kind: "ERROR", occurredAt: system.clock.now().toISOString(), payload: { marker } }],
    });
    const needles = [erased.userId, "ada-rawbytes@example.eu", "Ada Rawbytes", "SN-ada-rawbytes-0", "SN-ada-rawbytes-1", marker];
    const before = await scanFilesForNeedles(await everyFile(), needles);
    expect(new Set(before.hits.map((hit) => hit.needle))).toEqual(new Set(needles));

    const filed = await system.gql(erased.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: erased.userId });
    const done = await waitForRequest(system, erased.adminToken, filed.body.data!.restrictProcessing.id as string, "id");
    expect(done.status).toBe("COMPLETED");

    const stores = await scanFilesForNeedles(await everyFile(), needles);
    expect(stores.hits).toEqual([]);
    expect(stores.unreadable).toEqual([]);
    // The scan does find what is still there.
    const control = await scanFilesForNeedles(await everyFile(), ["grace-rawbytes@example.eu", "SN-grace-rawbytes-0", kept.userId]);
    expect(new Set(control.hits.map((hit) => hit.needle))).toEqual(new Set(["grace-rawbytes@example.eu", "SN-grace-rawbytes-0", kept.userId]));

    // The archive holds the electronic copy until its keep period ends, then nothing is left.
    expect((await scanFilesForNeedles(await filesUnder(system.blobRoot), [marker])).hits.length).toBeGreaterThan(0);
    system.clock.advance(30 * DAY_MS + 60_000);
    const operator = await system.token(viewer("operator", { subject: "ops@rawbytes" }));
    expect((await system.gql(operator, `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
    expect((await scanFilesForNeedles([...(await everyFile()), ...(await filesUnder(system.blobRoot))], needles)).hits).toEqual([]);
  });
});
