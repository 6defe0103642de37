/**
 * Scenario: a tenant admin manages accounts and devices in the users subgraph alone,
 * with the audit and storage-regions neighbours stood in for. Bad input is refused with
 * a code and changes nothing.
 */
import { randomUUID } from "node:crypto";
import { listen, ManualClock, StatementCounter } from "@dgg/common";
import { TEST_REGION, generateTestKeyPair, internalToken, postGraphQL, startFakeService, tempRegionalSqlite, viewer } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { createUsersService } from "../src/server";
import type { UsersService } from "../src/server";
import { UserAccount } from "../src/entities/user-account.entity";

const tenantA: string = randomUUID();
const tenantB: string = randomUUID();

describe("users subgraph", () => {
  let keys: KeyPair;
  let service: UsersService;
  let url: string;
  let close: () => Promise<void>;
  let fakes: Awaited<ReturnType<typeof startFakeService>>;
  const counter = new StatementCounter();
  let auditUp = true;

  beforeAll(async () => {
    keys = await generateTestKeyPair();
    fakes = await startFakeService({
      // Refusals go to the access audit (docs/decisions/0011).
      "POST /internal/audit/denials": (body) => ({ recorded: (body as { denials: unknown[] }).denials.length }),
      "POST /internal/audit/entries": () => {
        if (!auditUp) throw new Error("audit down");
        return { recorded: 1 };
      },
      "GET /internal/tenants/:id": (_body, params) => ({
        tenant: [tenantA, tenantB].includes(params.id!) ? { id: params.id, name: "t", storageRegion: TEST_REGION, state: "ACTIVE", movingTo: null } : null,
      }),
    });
    service = await createUsersService({
      databases: tempRegionalSqlite("users"),
      platformRegion: TEST_REGION,
      internalPublicKey: keys.publicKey,
      clock: new ManualClock(new Date("2026-01-01T00:00:00Z")),
      urls: { audit: fakes.url, storageRegions: fakes.url },
      logger: counter,
    });
    ({ url, close } = await listen(service.app, 0));
  });

  afterAll(async () => {
    await close();
    await service.stop();
    await fakes.close();
  });

  const adminA = () => internalToken(keys, viewer("tenant-admin", { tenantId: tenantA }));
  const createUser = async (token: string, input: Record<string, unknown>) =>
    postGraphQL(url, token, `mutation($input: CreateUserInput!) { createUser(input: $input) { id userPrincipalName managementState } }`, { input });

  it("refuses a request without the internal identity", async () => {
    const response = await postGraphQL(url, null, "{ __typename }");
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("creates a user, records the audit entry, and refuses the same principal name again", async () => {
    const token = await adminA();
    const before = fakes.calls.length;
    const created = await createUser(token, { tenantId: tenantA, userPrincipalName: "Ada@Contoso.com", displayName: "Ada" });
    expect(created.body.errors).toBeUndefined();
    expect(created.body.data?.createUser).toMatchObject({ userPrincipalName: "ada@contoso.com", managementState: "MANAGED" });
    expect(fakes.calls.slice(before).map((call) => call.route)).toContain("POST /internal/audit/entries");

    const duplicate = await createUser(token, { tenantId: tenantA, userPrincipalName: "ada@contoso.com", displayName: "Ada 2" });
    expect(duplicate.body.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(duplicate.body.errors?.[0]?.message).toContain("ada@contoso.com");
  });

  it("refuses creating a user in another tenant with FORBIDDEN", async () => {
    const response = await createUser(await adminA(), { tenantId: tenantB, userPrincipalName: "x@b.com", displayName: "X" });
    expect(response.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await service.stores.get(TEST_REGION).getRepository(UserAccount).countBy({ tenantId: tenantB })).toBe(0);
  });

  it("rejects malformed ids and empty names with BAD_USER_INPUT naming the value", async () => {
    const badId = await createUser(await adminA(), { tenantId: "not-a-uuid", userPrincipalName: "y@a.com", displayName: "Y" });
    expect(badId.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(badId.body.errors?.[0]?.message).toContain("not-a-uuid");
    const empty = await createUser(await adminA(), { tenantId: tenantA, userPrincipalName: "z@a.com", displayName: "   " });
    expect(empty.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await service.stores.get(TEST_REGION).getRepository(UserAccount).countBy({ userPrincipalName: "z@a.com" })).toBe(0);
  });

  it("undoes the write when the audit trail is down", async () => {
    auditUp = false;
    try {
      const response = await createUser(await adminA(), { tenantId: tenantA, userPrincipalName: "lost@a.com", displayName: "L" });
      expect(response.body.errors?.[0]?.extensions?.code).toBe("UNAVAILABLE");
      expect(await service.stores.get(TEST_REGION).getRepository(UserAccount).countBy({ userPrincipalName: "lost@a.com" })).toBe(0);
    } finally {
      auditUp = true;
    }
  });

  it("pages devices through one loader with a constant number of statements", async () => {
    const token = await adminA();
    const created = await createUser(token, { tenantId: tenantA, userPrincipalName: "dev@a.com", displayName: "Dev" });
    const userId = (created.body.data?.createUser as { id: string }).id;
    for (let i = 0; i < 3; i += 1) {
      const enrolled = await postGraphQL(url, token, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
        i: { userId, deviceName: `d${i}`, operatingSystem: "iOS" },
      });
      expect(enrolled.body.errors).toBeUndefined();
    }
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { account { id } devices(first: 2) { totalCount edges { node { deviceName } } pageInfo { hasNextPage endCursor } } } } }`;
    counter.reset();
    const page = await postGraphQL(url, token, query, { r: [{ __typename: "PersonalData", userId }] });
    expect(page.body.errors).toBeUndefined();
    const entity = (page.body.data?._entities as { devices: { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean } } }[])[0]!;
    expect(entity.devices.totalCount).toBe(3);
    expect(entity.devices.edges).toHaveLength(2);
    expect(entity.devices.pageInfo.hasNextPage).toBe(true);
    expect(counter.count).toBe(3);
  });
});
