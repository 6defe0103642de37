/**
 * Scenario: through the gateway's `_entities` call, a tenant admin or the data subject
 * reads the audit entries about a user under PersonalData.auditLog, newest first, page
 * by page; other tenants, other subjects and operators see nothing of it, and the
 * number of SQL statements does not grow with the number of entries or users.
 */
import { randomUUID } from "node:crypto";
import { TEST_REGION, postGraphQL, viewer } from "@dgg/common/testkit";
import { AuditLogEntry } from "../src/entities/audit-log-entry.entity";
import { startAudit } from "./harness";
import type { AuditHarness } from "./harness";

const tenantA: string = randomUUID();
const tenantB: string = randomUUID();
const userA: string = randomUUID();
const otherUsers: string[] = [randomUUID(), randomUUID()];

const QUERY = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) {
    ... on PersonalData {
      userId
      auditLog(first: $first, after: $after) {
        totalCount
        edges { cursor node { id tenantId actor action subjectUserId occurredAt details } }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}`;

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { id: string; action: string; occurredAt: string; actor: string; details: unknown } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

describe("audit: PersonalData.auditLog", () => {
  let h: AuditHarness;
  const service = viewer("service", { subject: "service:users" });

  beforeAll(async () => {
    h = await startAudit();
    // Five entries about userA one minute apart, two sharing a time (the id breaks the tie).
    for (let i = 0; i < 5; i += 1) {
      if (i !== 3) h.clock.advance(60_000);
      await h.append(service, [{ tenantId: tenantA, action: `STEP_${i}`, subjectUserId: userA, details: { step: i } }]);
    }
    // Noise: entries about someone else, and one without a subject.
    await h.append(service, [
      { tenantId: tenantA, action: "OTHER", subjectUserId: otherUsers[0] },
      { tenantId: tenantA, action: "UNRELATED" },
    ]);
  });
  afterAll(() => h.close());

  const read = async (who: Parameters<AuditHarness["token"]>[0], userIds: string[], variables: Record<string, unknown> = {}) => {
    const response = await postGraphQL(h.url, await h.token(who), QUERY, {
      r: userIds.map((userId) => ({ __typename: "PersonalData", userId })),
      ...variables,
    });
    const entities = (response.body.data?._entities ?? []) as ({ auditLog: Page } | null)[];
    return { response, pages: entities.map((entity) => entity?.auditLog ?? null) };
  };

  it("pages a user's entries newest first with opaque cursors", async () => {
    const admin = viewer("tenant-admin", { tenantId: tenantA });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const { response, pages: [page] } = await read(admin, [userA], { first: 2, after });
      expect(response.body.errors).toBeUndefined();
      expect(page!.totalCount).toBe(5);
      seen.push(...page!.edges.map((edge) => edge.node.action));
      pages += 1;
      if (!page!.pageInfo.hasNextPage) break;
      expect(page!.pageInfo.endCursor).toBe(page!.edges[page!.edges.length - 1]!.cursor);
      after = page!.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    // STEP_2 and STEP_3 share a time and straddle the first page break: the id decides.
    const rows = await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).find({ where: { subjectUserId: userA } });
    const expected = rows
      .sort((a, b) => b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((row) => row.action);
    expect(seen).toEqual(expected);
    expect(seen[0]).toBe("STEP_4");
    expect(seen.slice(3)).toEqual(["STEP_1", "STEP_0"]);
    expect(new Set(seen).size).toBe(5);
  });

  it("returns the entry's fields, with occurredAt as ISO time and details as an object", async () => {
    const { pages: [page] } = await read(viewer("tenant-admin", { tenantId: tenantA }), [userA], { first: 5 });
    const last = page!.edges[page!.edges.length - 1]!.node;
    expect(last).toMatchObject({ action: "STEP_0", actor: "service:users", details: { step: 0 }, occurredAt: "2026-01-01T00:01:00.000Z" });
  });

  it("keeps pages apart when one request asks for the same user's log twice with different arguments", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData {
      newest: auditLog(first: 1) { edges { node { action } } pageInfo { endCursor } }
      oldest: auditLog(first: 2, after: null) { edges { node { action } } }
    } } }`;
    const first = await postGraphQL(h.url, await h.token(viewer("tenant-admin", { tenantId: tenantA })), query, {
      r: [{ __typename: "PersonalData", userId: userA }],
    });
    const entity = (first.body.data?._entities as { newest: { edges: unknown[]; pageInfo: { endCursor: string } } }[])[0]!;
    const after = entity.newest.pageInfo.endCursor;
    const both = await postGraphQL(
      h.url,
      await h.token(viewer("tenant-admin", { tenantId: tenantA })),
      query.replace("after: null", `after: "${after}"`),
      { r: [{ __typename: "PersonalData", userId: userA }] },
    );
    expect(both.body.errors).toBeUndefined();
    const result = (both.body.data?._entities as { newest: { edges: { node: { action: string } }[] }; oldest: { edges: { node: { action: string } }[] } }[])[0]!;
    expect(result.newest.edges.map((edge) => edge.node.action)).toEqual(["STEP_4"]);
    expect(result.oldest.edges).toHaveLength(2);
    expect(result.oldest.edges.map((edge) => edge.node.action)).not.toContain("STEP_4");
  });

  it("rejects a bad cursor and an out-of-range first with BAD_USER_INPUT naming the value", async () => {
    const admin = viewer("tenant-admin", { tenantId: tenantA });
    const badCursor = await read(admin, [userA], { after: "not-a-cursor!" });
    expect(badCursor.response.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(badCursor.response.body.errors?.[0]?.message).toContain("not-a-cursor!");
    const wrongShape = await read(admin, [userA], { after: Buffer.from('["x"]').toString("base64url") });
    expect(wrongShape.response.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const tooMany = await read(admin, [userA], { first: 1001 });
    expect(tooMany.response.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(tooMany.response.body.errors?.[0]?.message).toContain("1001");
  });

  it("shows an admin of another tenant nothing about tenant A's user", async () => {
    const { response, pages: [page] } = await read(viewer("tenant-admin", { tenantId: tenantB }), [userA]);
    expect(response.body.errors).toBeUndefined();
    expect(page).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it("shows a data subject its own entries only", async () => {
    const own = await read(viewer("data-subject", { tenantId: tenantA, userId: userA }), [userA]);
    expect(own.pages[0]?.totalCount).toBe(5);
    const other = await read(viewer("data-subject", { tenantId: tenantA, userId: otherUsers[0]! }), [userA]);
    expect(other.response.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(other.pages[0]).toBeNull();
  });

  it("refuses the operator with FORBIDDEN and a caller without identity with UNAUTHENTICATED", async () => {
    const operator = await read(viewer("operator"), [userA]);
    expect(operator.response.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(operator.response.body.data)).not.toContain("STEP_");
    const anonymous = await postGraphQL(h.url, null, QUERY, { r: [{ __typename: "PersonalData", userId: userA }] });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("uses two statements whatever the number of entries and users", async () => {
    const admin = viewer("tenant-admin", { tenantId: tenantA });
    h.counter.reset();
    const one = await read(admin, [userA], { first: 3 });
    expect(one.response.body.errors).toBeUndefined();
    const forOneUser = h.counter.count;
    expect(forOneUser).toBe(2);

    for (const userId of otherUsers) {
      await h.append(service, Array.from({ length: 40 }, (_, i) => ({ tenantId: tenantA, action: "BULK", subjectUserId: userId, details: { i } })));
    }
    h.counter.reset();
    const many = await read(admin, [userA, ...otherUsers], { first: 3 });
    expect(many.response.body.errors).toBeUndefined();
    expect(many.pages.map((page) => page?.totalCount)).toEqual([5, 41, 40]);
    expect(many.pages.map((page) => page?.edges.length)).toEqual([3, 3, 3]);
    expect(h.counter.count).toBe(forOneUser);
  });
});
