/**
 * Scenario: an administrator, the data subject or governance reads PersonalData.telemetry
 * through the gateway's `_entities` call: newest first, paged by opaque cursors, filtered
 * by kind, limited to the viewer's tenant, in a constant number of SQL statements.
 */
import { randomUUID } from "node:crypto";
import { postGraphQL } from "@dgg/common/testkit";
import { event, START, withTelemetry } from "./harness";
import type { Harness } from "./harness";

const tenantA = randomUUID();
const tenantB = randomUUID();
const MINUTE = 60_000;

interface Connection {
  totalCount: number;
  edges: { cursor: string; node: { id: string; userId: string; kind: string; occurredAt: string; payload: Record<string, unknown> } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const CONNECTION = `totalCount edges { cursor node { id userId kind occurredAt payload } } pageInfo { hasNextPage endCursor }`;
const QUERY = `query($r: [_Any!]!, $first: Int, $after: String, $kinds: [TelemetryKind!]) {
  _entities(representations: $r) { ... on PersonalData { userId telemetry(first: $first, after: $after, kinds: $kinds) { ${CONNECTION} } } }
}`;

describe("PersonalData.telemetry", () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let bella: string;
  let single: string;
  let many: string;
  const kinds = ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"] as const;

  withTelemetry(async (started) => {
    h = started;
    [alice, bob, single, many] = [h.addUser(tenantA), h.addUser(tenantA), h.addUser(tenantA), h.addUser(tenantA)];
    bella = h.addUser(tenantB);
    const admin = await h.token("tenant-admin", { tenantId: tenantA });
    // Alice: 7 events a minute apart, kinds cycling; two share a timestamp so the id breaks the tie.
    const aliceEvents = Array.from({ length: 7 }, (_, i) =>
      event(alice, { kind: kinds[i % 3], occurredAt: new Date(START.getTime() - (i === 6 ? 5 : i) * MINUTE).toISOString(), payload: { i } }),
    );
    const seeded = await h.ingest(admin, [
      ...aliceEvents,
      event(bob, { kind: "ERROR" }),
      event(single),
      ...Array.from({ length: 300 }, (_, i) => event(many, { occurredAt: new Date(START.getTime() - i * MINUTE).toISOString() })),
    ]);
    expect(seeded.body.errors).toBeUndefined();
    expect((await h.ingest(await h.token("ingest", { tenantId: tenantB }), [event(bella)])).body.errors).toBeUndefined();
  });

  async function read(token: string, userIds: string[], variables: Record<string, unknown> = {}) {
    const response = await postGraphQL(h.url, token, QUERY, {
      r: userIds.map((userId) => ({ __typename: "PersonalData", userId })),
      ...variables,
    });
    const entities = (response.body.data?._entities ?? []) as ({ userId: string; telemetry: Connection } | null)[];
    return { errors: response.body.errors, entities, telemetry: entities[0]?.telemetry };
  }

  it("resolves the PersonalData reference to its userId", async () => {
    const { errors, entities } = await read(await h.token("tenant-admin", { tenantId: tenantA }), [alice, bob]);
    expect(errors).toBeUndefined();
    expect(entities.map((entity) => entity?.userId)).toEqual([alice, bob]);
  });

  it("pages newest first through cursors, with no gaps or repeats", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const seen: Connection["edges"] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const { errors, telemetry } = await read(token, [alice], { first: 3, after });
      expect(errors).toBeUndefined();
      expect(telemetry!.totalCount).toBe(7);
      seen.push(...telemetry!.edges);
      if (!telemetry!.pageInfo.hasNextPage) break;
      after = telemetry!.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((edge) => edge.node.id)).size).toBe(7);
    const order = seen.map((edge) => [Date.parse(edge.node.occurredAt), edge.node.id] as const);
    const sorted = [...order].sort((x, y) => y[0] - x[0] || (y[1] > x[1] ? 1 : y[1] < x[1] ? -1 : 0));
    expect(order).toEqual(sorted);
    expect(seen[0]!.node).toMatchObject({ userId: alice, kind: "SERVICE_LOG", occurredAt: START.toISOString(), payload: { i: 0 } });
  });

  it("filters by kinds, and totalCount counts the filtered events", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const errorsOnly = await read(token, [alice], { kinds: ["ERROR"] });
    expect(errorsOnly.telemetry!.totalCount).toBe(2);
    expect(errorsOnly.telemetry!.edges.map((edge) => edge.node.kind)).toEqual(["ERROR", "ERROR"]);
    const two = await read(token, [alice], { kinds: ["PERFORMANCE_LOG", "SERVICE_LOG", "SERVICE_LOG"], first: 2 });
    expect(two.telemetry!.totalCount).toBe(5);
    expect(two.telemetry!.edges).toHaveLength(2);
    expect(two.telemetry!.pageInfo.hasNextPage).toBe(true);
    expect(two.telemetry!.edges.every((edge) => edge.node.kind !== "ERROR")).toBe(true);
  });

  it("keeps differently filtered reads of the same user apart within one request", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on PersonalData {
      all: telemetry { totalCount } errs: telemetry(kinds: [ERROR], first: 1) { totalCount edges { node { kind } } } } } }`;
    const response = await postGraphQL(h.url, await h.token("tenant-admin", { tenantId: tenantA }), query, { r: [{ __typename: "PersonalData", userId: alice }] });
    expect(response.body.errors).toBeUndefined();
    expect((response.body.data?._entities as unknown[])[0]).toEqual({ all: { totalCount: 7 }, errs: { totalCount: 2, edges: [{ node: { kind: "ERROR" } }] } });
  });

  it("refuses a bad cursor and an out-of-range first with BAD_USER_INPUT naming the value", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    const badCursor = await read(token, [alice], { after: "not-a-cursor" });
    expect(badCursor.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "after" });
    expect(badCursor.errors?.[0]?.message).toContain("not-a-cursor");
    const wrongShape = await read(token, [alice], { after: Buffer.from(JSON.stringify(["x", 1])).toString("base64url") });
    expect(wrongShape.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    for (const first of [0, 1001]) {
      const response = await read(token, [alice], { first });
      expect(response.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", argument: "first" });
      expect(response.errors?.[0]?.message).toContain(String(first));
    }
  });

  it("limits reads to the viewer's tenant and a data subject to itself", async () => {
    const otherAdmin = await read(await h.token("tenant-admin", { tenantId: tenantB }), [alice, bella]);
    expect(otherAdmin.errors).toBeUndefined();
    expect(otherAdmin.entities.map((entity) => entity?.telemetry.totalCount)).toEqual([0, 1]);
    expect(otherAdmin.entities[0]?.telemetry.edges).toEqual([]);

    const subject = await h.token("data-subject", { tenantId: tenantA, userId: alice });
    expect((await read(subject, [alice])).telemetry!.totalCount).toBe(7);
    const nosy = await read(subject, [bob]);
    expect(nosy.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(nosy.errors?.[0]?.message).toContain(bob);

    const operator = await read(await h.token("operator"), [alice]);
    expect(operator.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    // Governance reads through the internal contract, never through the graph: with no tenant
    // there is no regional store a GraphQL read could use.
    const governance = await read(await h.token("service"), [alice, bella]);
    expect(governance.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("uses the same number of statements for 1 event as for 300, and batches users", async () => {
    const token = await h.token("tenant-admin", { tenantId: tenantA });
    h.counter.reset();
    const one = await read(token, [single], { first: 1000 });
    const forOne = h.counter.count;
    h.counter.reset();
    const lots = await read(token, [many], { first: 1000 });
    const forMany = h.counter.count;
    expect(one.telemetry!.totalCount).toBe(1);
    expect(lots.telemetry!.totalCount).toBe(300);
    expect(lots.telemetry!.edges).toHaveLength(300);
    expect(forMany).toBe(forOne);
    expect(forOne).toBe(2);

    h.counter.reset();
    const both = await read(token, [single, many, alice, bob]);
    expect(both.entities.map((entity) => entity?.telemetry.totalCount)).toEqual([1, 300, 7, 1]);
    expect(h.counter.count).toBe(2);
  });
});
