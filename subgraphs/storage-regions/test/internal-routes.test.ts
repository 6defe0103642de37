/**
 * Scenario: the users and governance services look tenants up in the directory over the
 * internal route, forwarding their caller's identity; a caller who reaches the subgraph
 * directly, without an internal identity, gets nothing.
 */
import { randomUUID } from "node:crypto";
import { INTERNAL_TOKEN_HEADER } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { firstError, READ, operator, withTwoTenants } from "./harness";
import type { CreatedTenant, Harness } from "./harness";

describe("storage-regions internal GET /internal/tenants/:id", () => {
  let h: Harness, tenantA: CreatedTenant, tenantB: CreatedTenant;
  withTwoTenants((started) => ({ h, tenantA, tenantB } = started));

  it("refuses GraphQL and internal calls without the internal identity", async () => {
    const graphql = await h.gql(null, READ, { id: tenantA.id });
    expect(graphql.status).toBe(401);
    expect(firstError(graphql.body)?.code).toBe("UNAUTHENTICATED");
    const internal = await fetch(`${h.url}/internal/tenants/${tenantA.id}`);
    expect(internal.status).toBe(401);
    expect(((await internal.json()) as { error: { code: string } }).error.code).toBe("UNAUTHENTICATED");
  });

  const get = async (id: string, token: string) => {
    const response = await fetch(`${h.url}/internal/tenants/${encodeURIComponent(id)}`, { headers: { [INTERNAL_TOKEN_HEADER]: token } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("answers any verified internal identity with the tenant record", async () => {
    // The users service forwards a tenant admin's identity; governance uses its own.
    for (const who of [viewer("tenant-admin", { tenantId: tenantA.id }), viewer("service"), operator]) {
      const response = await get(tenantB.id, await h.token(who));
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ tenant: { id: tenantB.id, name: "Fabrikam", storageRegion: "NORTH_AMERICA", state: "ACTIVE", movingTo: null } });
    }
  });

  it("answers null for an unknown tenant", async () => {
    const response = await get(randomUUID(), await h.token(viewer("service")));
    expect(response).toEqual({ status: 200, body: { tenant: null } });
  });

  it("refuses a malformed id with 400 BAD_USER_INPUT naming it", async () => {
    const response = await get("nope", await h.token(viewer("service")));
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: "BAD_USER_INPUT" });
    expect((response.body.error as { message: string }).message).toContain('"nope"');
  });
});
