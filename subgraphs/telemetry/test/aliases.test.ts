/**
 * Scenario: telemetry ingested through the API is stored with the user's alias in place of
 * their id (docs/decisions/0051), and reads through the API answer with the id. The ingest
 * path writes rows that already carry their aliases, so the key file is never asked about
 * the batch's event ids. Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { isAlias, isUuid, SubjectKeyStore, withVerbatimRunner } from "@dgg/common";
import { postGraphQL, tempRegionalSqlite, TEST_REGION } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { event, START, withTelemetry } from "./harness";
import type { Harness, HarnessOptions } from "./harness";

const QUERY = `query($r: [_Any!]!) {
  _entities(representations: $r) { ... on PersonalData { userId telemetry(first: 100) { totalCount edges { node { id userId kind payload } } } } }
}`;

type StoredEvent = { id: string; tenant_id: string; user_id: string };
type ReadEvent = { id: string; userId: string; kind: string; payload: Record<string, unknown> };

function describeAliases(engine: string, databases: () => Promise<HarnessOptions>): void {
  describe(`telemetry ids under aliases (${engine})`, () => {
    const tenant = randomUUID();
    let h: Harness;
    let token: string;

    withTelemetry(
      async (started) => {
        h = started;
        token = await h.token("tenant-admin", { tenantId: tenant });
      },
      databases,
    );

    const db = () => h.service.stores.get(TEST_REGION);
    const keys = () => h.service.stores.keysOf(db());
    /** The rows as the store holds them, aliases as aliases. */
    const stored = () => withVerbatimRunner(db(), (runner) => runner.query(`SELECT id, tenant_id, user_id FROM telemetry_event`) as Promise<StoredEvent[]>);
    const ingest = async (events: Record<string, unknown>[]) => {
      const response = await h.ingest(token, events);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.ingestTelemetry).toEqual({ accepted: events.length, rejected: [] });
    };
    const read = async (userId: string): Promise<ReadEvent[]> => {
      const response = await postGraphQL(h.url, token, QUERY, { r: [{ __typename: "PersonalData", userId }] });
      expect(response.body.errors).toBeUndefined();
      const [entity] = response.body.data!._entities as { userId: string; telemetry: { totalCount: number; edges: { node: ReadEvent }[] } }[];
      expect(entity!.userId).toBe(userId);
      expect(entity!.telemetry.totalCount).toBe(entity!.telemetry.edges.length);
      return entity!.telemetry.edges.map((edge) => edge.node);
    };

    it("stores the user's alias, never the id, and answers with the id, for a user new to the store and one it knows", async () => {
      const known = h.addUser(tenant);
      await ingest([event(known, { payload: { n: 1 } })]);
      const knownAlias = keys().aliasOf(known)!;
      expect(isAlias(knownAlias)).toBe(true);

      const fresh = h.addUser(tenant);
      const auditBefore = h.auditEntries().length;
      await ingest([event(known, { kind: "ERROR", payload: { n: 2 } }), event(fresh, { payload: { n: 3 } }), event(known, { payload: { n: 4 } })]);
      const freshAlias = keys().aliasOf(fresh)!;
      expect(isAlias(freshAlias)).toBe(true);

      const rows = (await stored()).filter((row) => row.tenant_id === tenant);
      expect(rows).toHaveLength(4);
      expect(rows.filter((row) => row.user_id === knownAlias)).toHaveLength(3);
      expect(rows.filter((row) => row.user_id === freshAlias)).toHaveLength(1);
      // Event ids are nobody's: stored as they were made.
      for (const row of rows) expect(isUuid(row.id)).toBe(true);
      expect(rows.flatMap((row) => [row.id, row.tenant_id, row.user_id]).filter((value) => value === known || value === fresh)).toEqual([]);

      // Read back through the API (and found by the id through the store's runners): ids, not aliases.
      const knownEvents = await read(known);
      expect(knownEvents.map((node) => node.payload.n).sort()).toEqual([1, 2, 4]);
      for (const node of knownEvents) expect(node.userId).toBe(known);
      expect(await read(fresh)).toEqual([{ id: rows.find((row) => row.user_id === freshAlias)!.id, userId: fresh, kind: "SERVICE_LOG", payload: { n: 3 } }]);
      expect(await h.eventCount({ userId: known, tenantId: tenant })).toBe(3);
      // What the mutation hands on (here to the audit trail) names the users by their ids.
      expect(h.auditEntries().slice(auditBefore)).toEqual([
        { tenantId: tenant, action: "TELEMETRY_INGESTED", subjectUserId: known, details: { events: 2 } },
        { tenantId: tenant, action: "TELEMETRY_INGESTED", subjectUserId: fresh, details: { events: 1 } },
      ]);
    });

    it("asks the key file about no event id while ingesting a batch", async () => {
      const users = [h.addUser(tenant), h.addUser(tenant), h.addUser(tenant)];
      // One user the store knows already, two it meets in the batch.
      await ingest([event(users[0]!)]);
      const before = new Set((await stored()).map((row) => row.id));

      const prefetched = jest.spyOn(SubjectKeyStore.prototype, "prefetchAliases");
      const looked = jest.spyOn(SubjectKeyStore.prototype, "aliasOf");
      const asked = new Set<string>();
      try {
        await ingest(Array.from({ length: 60 }, (_, index) => event(users[index % 3]!, { occurredAt: new Date(START.getTime() - index * 1000).toISOString() })));
        for (const [ids] of prefetched.mock.calls) for (const id of ids) asked.add(id);
        for (const [id] of looked.mock.calls) asked.add(id);
      } finally {
        prefetched.mockRestore();
        looked.mockRestore();
      }
      const eventIds = (await stored()).map((row) => row.id).filter((id) => !before.has(id));
      expect(eventIds).toHaveLength(60);
      expect(eventIds.filter((id) => asked.has(id))).toEqual([]);
      // Only the batch's users are asked about (their aliases are found or made), and the
      // tenant id, which the freeze check's read names beside them.
      for (const user of users) expect(asked.has(user)).toBe(true);
      expect([...asked].filter((id) => !users.includes(id) && id !== tenant)).toEqual([]);
    });
  });
}

describeAliases("SQLite", () => Promise.resolve({}));
describeOnPostgres("telemetry aliases suite", () =>
  describeAliases("PostgreSQL", async () => ({
    databases: { ...tempRegionalSqlite("telemetry"), [TEST_REGION]: { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("telemetry_aliases")) } },
  })),
);
