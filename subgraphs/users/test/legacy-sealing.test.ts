/**
 * Scenario: a store written before personal content was sealed (docs/decisions/0044) is opened
 * by this version. At start-up its accounts and devices are sealed in place, each account gets
 * its principal name's blind index, and everything reads as before, lookup by name included.
 * Nothing of it stays in clear in the rows, ids included: they are put under aliases first
 * (docs/decisions/0051). Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import { listen, ManualClock, SEALED_PREFIX, withVerbatimRunner } from "@dgg/common";
import type { DatabaseConfig, Region } from "@dgg/common";
import { generateTestKeyPair, internalToken, postGraphQL, startFakeService, tempRegionalSqlite, TEST_REGION, viewer } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { createUsersService } from "../src/server";

function describeLegacySealing(engine: string, databases: () => Promise<Record<Region, DatabaseConfig>>): void {
  describe(`sealing of rows written before sealing (${engine})`, () => {
    it("seals accounts and devices at start-up; they read back, by id and by principal name", async () => {
      const keys = await generateTestKeyPair();
      const fakes = await startFakeService({
        "POST /internal/audit/entries": (body) => ({ recorded: (body as { entries: unknown[] }).entries.length }),
        "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
        "GET /internal/tenants/:id": (_body, params) => ({ tenant: { id: params.id, name: "t", storageRegion: TEST_REGION, state: "ACTIVE", movingTo: null } }),
      });
      const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
      const options = { databases: await databases(), platformRegion: TEST_REGION, internalPublicKey: keys.publicKey, clock, urls: { audit: fakes.url, storageRegions: fakes.url } };
      const tenant = randomUUID();
      const userId = randomUUID();
      const deviceId = randomUUID();

      // Rows as an earlier version wrote them: clear values, no blind index.
      const earlier = await createUsersService(options);
      const db = earlier.stores.get(TEST_REGION);
      const p = (n: number) => (db.options.type === "postgres" ? `$${n}` : "?");
      await db.query(
        `INSERT INTO user_account (id, tenant_id, user_principal_name, display_name, email, management_state, created_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, 'MANAGED', ${p(6)})`,
        [userId, tenant, "ada.legacy@contoso.com", "Ada Legacy", "ada.legacy@contoso.com", clock.now().getTime()],
      );
      await db.query(
        `INSERT INTO device (id, user_id, tenant_id, device_name, operating_system, serial_number, enrolled_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 'Windows 11', ${p(5)}, ${p(6)})`,
        [deviceId, userId, tenant, "Ada's old laptop", "SN-LEGACY-1", clock.now().getTime()],
      );
      const keyFile = earlier.stores.keys(TEST_REGION).file;
      await earlier.stop();
      // The key file as a version before id aliases left it: with no record of having aliased the store's ids (docs/decisions/0051).
      const file = new Database(keyFile);
      file.exec("DELETE FROM key_store_step");
      file.close();

      const service = await createUsersService(options);
      const { url, close } = await listen(service.app, 0);
      let before: string;
      try {
        const store = service.stores.get(TEST_REGION);
        const [account] = (await store.query(`SELECT user_principal_name, display_name, email, principal_name_index FROM user_account WHERE id = ${p(1)}`, [userId])) as Record<string, string | null>[];
        const [device] = (await store.query(`SELECT device_name, serial_number FROM device WHERE id = ${p(1)}`, [deviceId])) as Record<string, string | null>[];
        for (const value of [account!.user_principal_name, account!.display_name, account!.email, device!.device_name, device!.serial_number]) {
          expect(value?.startsWith(SEALED_PREFIX)).toBe(true);
        }
        expect(JSON.stringify([account, device])).not.toMatch(/legacy/i);
        expect(account!.principal_name_index).toMatch(/^[0-9a-f]{64}$/);
        // As stored, the device's id and its user's are aliases now.
        const stored = await withVerbatimRunner(store, (runner) => runner.query(`SELECT id, user_id FROM device`) as Promise<{ id: string; user_id: string }[]>);
        expect(stored).toEqual([{ id: expect.stringMatching(/^ps-[0-9a-f]{32}$/) as string, user_id: expect.stringMatching(/^ps-[0-9a-f]{32}$/) as string }]);

        const admin = await internalToken(keys, viewer("tenant-admin", { tenantId: tenant }), clock.now());
        const read = await postGraphQL(url, admin, `query($n: String!) { userByPrincipalName(userPrincipalName: $n) { id displayName email } }`, { n: "Ada.Legacy@contoso.com" });
        expect(read.body.errors).toBeUndefined();
        expect(read.body.data?.userByPrincipalName).toEqual({ id: userId, displayName: "Ada Legacy", email: "ada.legacy@contoso.com" });
        before = JSON.stringify(await store.query(`SELECT * FROM user_account WHERE id = ${p(1)}`, [userId]));
      } finally {
        await close();
        await service.stop();
      }
      // Another start finds nothing left to seal and changes nothing.
      const again = await createUsersService(options);
      try {
        expect(JSON.stringify(await again.stores.get(TEST_REGION).query(`SELECT * FROM user_account WHERE id = ${p(1)}`, [userId]))).toBe(before);
      } finally {
        await again.stop();
        await fakes.close();
      }
    });
  });
}

describeLegacySealing("SQLite", () => Promise.resolve(tempRegionalSqlite("users")));

describeOnPostgres("legacy sealing", () =>
  describeLegacySealing("PostgreSQL", async () => ({
    ...tempRegionalSqlite("users"),
    [TEST_REGION]: { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("users_legacy")) },
  })),
);
