/**
 * Scenario: a privacy request freezes a user (GDPR Art. 18). The users subgraph then takes no
 * new personal data about them: enrolling a device and changing the account are refused with
 * CONFLICT naming the request, and nothing is written or audited; reads go on. Lifting the
 * freeze lets writes in again. Governance also asks for the clear-text identifiers held, and
 * what is held (counted without opening any sealed field).
 * Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { callInternal, listen, ManualClock, PersonalDataFreeze, SubjectKeyStore } from "@dgg/common";
import type { DatabaseConfig, FreezeResult, IdentifiersResult, PersonalDataHoldings, Region } from "@dgg/common";
import { generateTestKeyPair, internalToken, postGraphQL, startFakeService, tempRegionalSqlite, TEST_REGION, viewer } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { createUsersService } from "../src/server";
import type { UsersService } from "../src/server";
import { Device } from "../src/entities/device.entity";
import { UserAccount } from "../src/entities/user-account.entity";

function describeFreeze(engine: string, databases: () => Promise<Record<Region, DatabaseConfig>>): void {
  describe(`users freezes (${engine})`, () => {
    const tenant = randomUUID();
    let service: UsersService;
    let url: string;
    let close: () => Promise<void>;
    let fakes: Awaited<ReturnType<typeof startFakeService>>;
    let admin: string;
    let governance: string;
    const audited: unknown[] = [];

    beforeAll(async () => {
      const keys = await generateTestKeyPair();
      fakes = await startFakeService({
        "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
        "POST /internal/audit/entries": (body) => {
          const entries = (body as { entries: unknown[] }).entries;
          audited.push(...entries);
          return { recorded: entries.length };
        },
        "GET /internal/tenants/:id": (_body, params) => ({
          tenant: { id: params.id, name: "t", storageRegion: TEST_REGION, state: "ACTIVE", movingTo: null },
        }),
      });
      const clock = new ManualClock(new Date("2026-01-01T00:00:00Z"));
      service = await createUsersService({
        databases: await databases(),
        platformRegion: TEST_REGION,
        internalPublicKey: keys.publicKey,
        clock,
        urls: { audit: fakes.url, storageRegions: fakes.url },
      });
      ({ url, close } = await listen(service.app, 0));
      admin = await internalToken(keys, viewer("tenant-admin", { tenantId: tenant }), clock.now());
      governance = await internalToken(keys, viewer("service", { subject: "service:governance" }), clock.now());
    });

    afterAll(async () => {
      await close();
      await service.stop();
      await fakes.close();
    });

    const db = () => service.stores.get(TEST_REGION);
    const graphql = (query: string, variables: Record<string, unknown>) => postGraphQL(url, admin, query, variables);
    const freeze = (userId: string, requestId: string) =>
      callInternal<FreezeResult>(`${url}/internal/personal-data/${userId}/freeze`, { token: governance, body: { tenantId: tenant, requestId } });
    const unfreeze = (userId: string, requestId: string) =>
      callInternal<FreezeResult>(`${url}/internal/personal-data/${userId}/unfreeze`, { token: governance, body: { tenantId: tenant, requestId } });
    const enroll = (userId: string, serialNumber = `SN-${randomUUID().slice(0, 8)}`) =>
      graphql(`mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
        i: { userId, deviceName: "Ada's laptop", operatingSystem: "Windows 11", serialNumber },
      });
    const remove = (userId: string) => graphql(`mutation($u: ID!) { removeUserFromManagement(user: $u) { managementState } }`, { u: userId });

    async function createUser(name: string): Promise<string> {
      const created = await graphql(`mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`, {
        input: { tenantId: tenant, userPrincipalName: `${name}-${randomUUID().slice(0, 8)}@contoso.com`, displayName: name, email: `${name}@contoso.com` },
      });
      expect(created.body.errors).toBeUndefined();
      return (created.body.data!.createUser as { id: string }).id;
    }

    it("refuses enrolling a device and removing a frozen user with CONFLICT naming the request, writing and auditing nothing", async () => {
      const user = await createUser("ada");
      const requestId = randomUUID();
      expect(await freeze(user, requestId)).toEqual({ frozen: true });
      expect(await freeze(user, requestId)).toEqual({ frozen: true });
      expect(await db().getRepository(PersonalDataFreeze).countBy({ userId: user })).toBe(1);
      const auditBefore = audited.length;
      const message = `user ${user} is frozen by privacy request ${requestId} (restriction of processing): no new personal data is accepted until the request ends`;

      const enrolled = await enroll(user);
      expect(enrolled.body.errors?.[0]).toMatchObject({ message, extensions: { code: "CONFLICT" } });
      expect(await db().getRepository(Device).countBy({ userId: user })).toBe(0);

      const removed = await remove(user);
      expect(removed.body.errors?.[0]).toMatchObject({ message, extensions: { code: "CONFLICT" } });
      expect(await db().getRepository(UserAccount).findOneBy({ id: user })).toMatchObject({ managementState: "MANAGED", removedAt: null });
      expect(audited.length).toBe(auditBefore);

      // Reads stay allowed.
      const read = await graphql(`query($u: ID!) { _entities(representations: [{ __typename: "UserAccount", id: $u }]) { ... on UserAccount { id } } }`, { u: user });
      expect(read.body.errors).toBeUndefined();

      expect(await unfreeze(user, requestId)).toEqual({ frozen: false });
      expect(await unfreeze(user, requestId)).toEqual({ frozen: false });
      expect((await enroll(user)).body.errors).toBeUndefined();
      expect((await remove(user)).body.errors).toBeUndefined();
    });

    it("freezes only the named user: others enroll as before", async () => {
      const frozen = await createUser("bea");
      const other = await createUser("cai");
      await freeze(frozen, randomUUID());
      expect((await enroll(other)).body.errors).toBeUndefined();
      expect((await enroll(frozen)).body.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    });

    it("lists the clear-text identifiers held: principal name, email, display name, device names and serial numbers", async () => {
      const user = await createUser("dee");
      expect((await enroll(user, "SN-DEE-1")).body.errors).toBeUndefined();
      expect((await enroll(user, "SN-DEE-2")).body.errors).toBeUndefined();
      const account = (await db().getRepository(UserAccount).findOneByOrFail({ id: user }));
      const { identifiers } = await callInternal<IdentifiersResult>(`${url}/internal/personal-data/${user}/identifiers?tenantId=${tenant}`, { token: governance });
      expect(identifiers.sort()).toEqual([account.userPrincipalName, "dee@contoso.com", "dee", "Ada's laptop", "SN-DEE-1", "SN-DEE-2"].sort());
      await expect(callInternal(`${url}/internal/personal-data/${user}/identifiers?tenantId=${tenant}`, { token: admin })).rejects.toMatchObject({ code: "FORBIDDEN" });
    });

    it("counts what it holds about a user without opening any of it: no key is looked up", async () => {
      const user = await createUser("eve");
      expect((await enroll(user, "SN-EVE-1")).body.errors).toBeUndefined();
      expect((await enroll(user, "SN-EVE-2")).body.errors).toBeUndefined();
      expect((await remove(user)).body.errors).toBeUndefined();
      const account = await db().getRepository(UserAccount).findOneByOrFail({ id: user });
      const [firstDevice] = await db().getRepository(Device).find({ where: { userId: user }, order: { enrolledAt: "ASC" } });
      // Observed, not replaced: the key store still answers every call.
      const find = jest.spyOn(SubjectKeyStore.prototype, "find");
      try {
        const held = await callInternal<PersonalDataHoldings>(`${url}/internal/personal-data/${user}?tenantId=${tenant}`, { token: governance });
        expect(held).toMatchObject({
          tenantId: tenant,
          removedAt: account.removedAt!.toISOString(),
          categories: [
            { category: "ACCOUNT", records: 1, oldestAt: account.createdAt.toISOString() },
            { category: "SERVICE_DATA", records: 2, oldestAt: firstDevice!.enrolledAt.toISOString() },
          ],
        });
        expect(find).not.toHaveBeenCalled();
        // The same store opens the account when it is read as such: the spy would have seen a lookup.
        await db().getRepository(UserAccount).findOneByOrFail({ id: user });
        expect(find).toHaveBeenCalled();
      } finally {
        find.mockRestore();
      }
    });
  });
}

describeFreeze("SQLite", () => Promise.resolve(tempRegionalSqlite("users")));
describeOnPostgres("freeze suite", () =>
  describeFreeze("PostgreSQL", async () => ({
    ...tempRegionalSqlite("users"),
    [TEST_REGION]: { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("users_freeze")) },
  })),
);
