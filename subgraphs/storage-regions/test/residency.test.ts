/**
 * Scenario: a privacy officer (through governance and the gateway) or a tenant admin asks
 * where a person's data lives; the gateway resolves PersonalData.residency here with the
 * tenantId governance supplied. The answer follows the tenant's election and the deployed
 * storage layout, and is checked again against the forwarded identity.
 */
import { randomUUID } from "node:crypto";
import { viewer } from "@dgg/common/testkit";
import { createTenant, firstError, startHarness } from "./harness";
import { Tenant } from "../src/entities/tenant.entity";
import { Region } from "@dgg/common";
import type { Harness } from "./harness";

const RESIDENCY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData { userId residency { region locations { category kind region } } } } }`;

type Residency = { userId: string; residency: { region: string; locations: { category: string; kind: string; region: string }[] } };

const person = (userId: string, tenantId: string) => ({ __typename: "PersonalData", userId, tenantId });

describe("PersonalData.residency with the default layout", () => {
  let h: Harness;
  let europe: string;
  let asia: string;
  const service = viewer("service");

  beforeAll(async () => {
    h = await startHarness();
    europe = (await createTenant(h, "Contoso", "EUROPE")).id;
    asia = (await createTenant(h, "Fabrikam", "ASIA_PACIFIC")).id;
  });

  afterAll(() => h.close());

  it("answers the tenant's region and the four locations this deployment really uses", async () => {
    const userId = randomUUID();
    const response = await h.gql(service, RESIDENCY, { r: [person(userId, europe)] });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?._entities).toEqual([
      {
        userId,
        residency: {
          region: "EUROPE",
          locations: [
            { category: "ACCOUNT", kind: "SQL_DATABASE", region: "EUROPE" },
            { category: "SERVICE_DATA", kind: "SQL_DATABASE", region: "EUROPE" },
            { category: "TELEMETRY", kind: "TELEMETRY_STORE", region: "EUROPE" },
            { category: "AUDIT_LOG", kind: "SQL_DATABASE", region: "EUROPE" },
          ],
        },
      },
    ]);
  });

  it("lets the tenant's admin and the data subject read it, and follows the data once a move has switched", async () => {
    const userId = randomUUID();
    const admin = viewer("tenant-admin", { tenantId: asia });
    const subject = viewer("data-subject", { tenantId: asia, userId });
    for (const who of [admin, subject]) {
      const response = await h.gql(who, RESIDENCY, { r: [person(userId, asia)] });
      expect(response.body.errors).toBeUndefined();
      expect((response.body.data?._entities as Residency[])[0]!.residency.region).toBe("ASIA_PACIFIC");
    }
    const elected = await h.gql(admin, `mutation($t: ID!) { electStorageRegion(tenantId: $t, region: NORTH_AMERICA) { id } }`, { t: asia });
    expect(elected.body.errors).toBeUndefined();
    // Until the move switches the directory, the data still lives in the old region, and residency says so.
    const during = await h.gql(admin, RESIDENCY, { r: [person(userId, asia)] });
    expect((during.body.data?._entities as Residency[])[0]!.residency.region).toBe("ASIA_PACIFIC");
    await h.service.db.getRepository(Tenant).update({ id: asia }, { storageRegion: Region.NORTH_AMERICA, state: "ACTIVE", movingTo: null });
    const after = await h.gql(admin, RESIDENCY, { r: [person(userId, asia)] });
    const residency = (after.body.data?._entities as Residency[])[0]!.residency;
    expect(residency.region).toBe("NORTH_AMERICA");
    expect(new Set(residency.locations.map((location) => location.region))).toEqual(new Set(["NORTH_AMERICA"]));
  });

  it("refuses another tenant's person, another subject and the operator with FORBIDDEN", async () => {
    const userId = randomUUID();
    const refusals = [
      viewer("tenant-admin", { tenantId: europe }),
      viewer("data-subject", { tenantId: asia, userId: randomUUID() }),
      viewer("operator"),
      viewer("ingest", { tenantId: asia }),
    ];
    for (const who of refusals) {
      const response = await h.gql(who, RESIDENCY, { r: [person(userId, asia)] });
      expect(firstError(response.body)?.code).toBe("FORBIDDEN");
    }
    const crossTenant = await h.gql(viewer("tenant-admin", { tenantId: europe }), RESIDENCY, { r: [person(userId, asia)] });
    expect(firstError(crossTenant.body)?.message).toBe(`personal data of user ${userId} is not accessible to tenant ${europe}`);
  });

  it("says NOT_FOUND naming a tenant the directory does not know", async () => {
    const unknown = randomUUID();
    const response = await h.gql(service, RESIDENCY, { r: [person(randomUUID(), unknown)] });
    expect(firstError(response.body)?.code).toBe("NOT_FOUND");
    expect(firstError(response.body)?.message).toContain(unknown);
  });

  it("refuses a representation without tenantId with BAD_USER_INPUT naming the user", async () => {
    const userId = randomUUID();
    const response = await h.gql(service, RESIDENCY, { r: [{ __typename: "PersonalData", userId }] });
    expect(firstError(response.body)?.code).toBe("BAD_USER_INPUT");
    expect(firstError(response.body)?.message).toContain(userId);
  });

  it("reads the tenants of any number of people in one statement", async () => {
    h.counter.reset();
    const one = await h.gql(service, RESIDENCY, { r: [person(randomUUID(), europe)] });
    expect(one.body.errors).toBeUndefined();
    const forOne = h.counter.count;

    const many = Array.from({ length: 12 }, (_, i) => person(randomUUID(), i % 2 === 0 ? europe : asia));
    h.counter.reset();
    const response = await h.gql(service, RESIDENCY, { r: many });
    expect(response.body.errors).toBeUndefined();
    const regions = (response.body.data?._entities as Residency[]).map((entity) => entity.residency.region);
    expect(regions).toEqual(many.map((_, i) => (i % 2 === 0 ? "EUROPE" : "NORTH_AMERICA")));
    expect(forOne).toBe(1);
    expect(h.counter.count).toBe(1);
  });
});

describe("PersonalData.residency with a configured layout", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness("ACCOUNT=SQL_DATABASE;SERVICE_DATA=SQL_DATABASE,RELIABLE_COLLECTION;TELEMETRY=TELEMETRY_STORE;AUDIT_LOG=BLOB_STORAGE");
  });

  afterAll(() => h.close());

  it("lists every kind the layout gives a category, all in the tenant's region", async () => {
    const tenantId = (await createTenant(h, "Adatum", "EUROPE")).id;
    const response = await h.gql(viewer("service"), RESIDENCY, { r: [person(randomUUID(), tenantId)] });
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data?._entities as Residency[])[0]!.residency.locations).toEqual([
      { category: "ACCOUNT", kind: "SQL_DATABASE", region: "EUROPE" },
      { category: "SERVICE_DATA", kind: "SQL_DATABASE", region: "EUROPE" },
      { category: "SERVICE_DATA", kind: "RELIABLE_COLLECTION", region: "EUROPE" },
      { category: "TELEMETRY", kind: "TELEMETRY_STORE", region: "EUROPE" },
      { category: "AUDIT_LOG", kind: "BLOB_STORAGE", region: "EUROPE" },
    ]);
  });
});
