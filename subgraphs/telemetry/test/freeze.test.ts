/**
 * Scenario: a privacy request freezes a user (GDPR Art. 18, restriction of processing).
 * Telemetry then stores none of their events while the rest of each batch goes in; lifting
 * the freeze lets their events in again. A freeze placed while batches are being ingested
 * waits for the writes already under way, and no write of the user's events follows it.
 * Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { callInternal, PersonalDataFreeze, placeFreeze, StatementCounter } from "@dgg/common";
import type { FreezeResult, IdentifiersResult } from "@dgg/common";
import { tempRegionalSqlite, TEST_REGION } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { insertUnfrozenRows } from "../src/services/telemetry-ingest.service";
import type { TelemetryRow } from "../src/services/ingest-validation";
import { event, START, withTelemetry } from "./harness";
import type { Harness, HarnessOptions } from "./harness";

/** Keeps each statement with its parameters, in the order TypeORM sends them. */
class RecordingLogger extends StatementCounter {
  readonly sent: { query: string; parameters: unknown[] }[] = [];
  override logQuery(query: string, parameters?: unknown[]): void {
    super.logQuery(query);
    this.sent.push({ query, parameters: parameters ?? [] });
  }
}

type Ingested = { accepted: number; rejected: { index: number; userId: string; code: string; message: string }[] };

function describeFreeze(engine: string, databases: () => Promise<HarnessOptions>): void {
  describe(`telemetry freezes (${engine})`, () => {
    const tenant = randomUUID();
    const logger = new RecordingLogger();
    let h: Harness;
    let service: string;
    let ingestToken: string;

    withTelemetry(
      async (started) => {
        h = started;
        service = await h.token("service");
        ingestToken = await h.token("ingest", { tenantId: tenant });
      },
      async () => ({ ...(await databases()), counter: logger }),
    );

    const freeze = (userId: string, requestId: string, tenantId = tenant) =>
      callInternal<FreezeResult>(`${h.url}/internal/personal-data/${userId}/freeze`, { token: service, body: { tenantId, requestId } });
    const unfreeze = (userId: string, requestId: string) =>
      callInternal<FreezeResult>(`${h.url}/internal/personal-data/${userId}/unfreeze`, { token: service, body: { tenantId: tenant, requestId } });
    const ingest = async (events: Record<string, unknown>[]): Promise<Ingested> => {
      const response = await h.ingest(ingestToken, events);
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.ingestTelemetry as Ingested;
    };

    it("rejects only the frozen user's events of a mixed batch, stores the others, and takes them again once unfrozen", async () => {
      const frozen = h.addUser(tenant);
      const other = h.addUser(tenant);
      const requestId = randomUUID();
      expect(await freeze(frozen, requestId)).toEqual({ frozen: true });

      const auditBefore = h.auditEntries().length;
      const result = await ingest([event(other), event(frozen), event(other, { kind: "ERROR" }), event(frozen)]);
      const message = `user ${frozen} is frozen by privacy request ${requestId} (restriction of processing): no new personal data is accepted until the request ends`;
      expect(result).toEqual({
        accepted: 2,
        rejected: [
          { index: 1, userId: frozen, code: "CONFLICT", message },
          { index: 3, userId: frozen, code: "CONFLICT", message },
        ],
      });
      expect(await h.eventCount({ userId: other })).toBe(2);
      expect(await h.eventCount({ userId: frozen })).toBe(0);
      // Only what was stored is on the record.
      expect(h.auditEntries().slice(auditBefore)).toEqual([{ tenantId: tenant, action: "TELEMETRY_INGESTED", subjectUserId: other, details: { events: 2 } }]);

      // A batch of only the frozen user stores nothing and is not an error.
      expect(await ingest([event(frozen)])).toMatchObject({ accepted: 0, rejected: [{ index: 0, code: "CONFLICT" }] });

      expect(await unfreeze(frozen, requestId)).toEqual({ frozen: false });
      expect(await unfreeze(frozen, requestId)).toEqual({ frozen: false });
      expect(await ingest([event(frozen), event(other)])).toEqual({ accepted: 2, rejected: [] });
      expect(await h.eventCount({ userId: frozen })).toBe(1);
    });

    it("leaves out of the write the rows of a user frozen after the batch's first check, and answers with the others' ids", async () => {
      const db = h.service.stores.get(TEST_REGION);
      const frozen = h.addUser(tenant);
      const other = h.addUser(tenant);
      // Both known to the store (their aliases made), and the day's partition there, before the freeze.
      expect(await ingest([event(frozen), event(other)])).toEqual({ accepted: 2, rejected: [] });
      const requestId = randomUUID();
      await placeFreeze(db, { userId: frozen, tenantId: tenant, requestId, at: new Date() });

      // A batch that passed the check outside the transaction: only the one inside it sees the freeze.
      const rows: TelemetryRow[] = [frozen, other, frozen, other].map((userId, i) => ({ id: randomUUID(), tenantId: tenant, userId, kind: "SERVICE_LOG", occurredAt: START, payload: { i } }));
      const result = await insertUnfrozenRows(db, h.service.stores.keysOf(db), rows);
      expect(result).toEqual({ inserted: [rows[1], rows[3]], frozen: new Map([[frozen, requestId]]) });
      expect(await h.eventCount({ userId: frozen })).toBe(1);
      expect(await h.eventCount({ userId: other })).toBe(3);
    });

    it("keeps one freeze per request: placing it twice is one freeze, and each request lifts only its own", async () => {
      const user = h.addUser(tenant);
      const first = randomUUID();
      const second = randomUUID();
      expect(await freeze(user, first)).toEqual({ frozen: true });
      expect(await freeze(user, first)).toEqual({ frozen: true });
      expect(await h.service.stores.get(TEST_REGION).getRepository(PersonalDataFreeze).countBy({ userId: user })).toBe(1);
      await freeze(user, second);
      await unfreeze(user, first);
      const stillFrozen = await ingest([event(user)]);
      expect(stillFrozen.rejected[0]?.message).toContain(`privacy request ${second}`);
      await unfreeze(user, second);
      expect(await ingest([event(user)])).toEqual({ accepted: 1, rejected: [] });
    });

    it("refuses malformed freeze calls and other identities, and holds no identifiers", async () => {
      const user = h.addUser(tenant);
      await expect(freeze(user, "not-a-uuid")).rejects.toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringContaining("requestId") });
      await expect(
        callInternal(`${h.url}/internal/personal-data/${user}/freeze`, { token: ingestToken, body: { tenantId: tenant, requestId: randomUUID() } }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
      expect(await callInternal<IdentifiersResult>(`${h.url}/internal/personal-data/${user}/identifiers?tenantId=${tenant}`, { token: service })).toEqual({
        identifiers: [],
      });
    });

    it("malformed input still refuses the whole batch of a frozen user's tenant", async () => {
      const frozen = h.addUser(tenant);
      const other = h.addUser(tenant);
      await freeze(frozen, randomUUID());
      const response = await h.ingest(ingestToken, [event(other), event(frozen), event(other, { occurredAt: "2100-01-01T00:00:00Z" })]);
      expect(response.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(await h.eventCount({ userId: other })).toBe(0);
    });

    it("a freeze placed among in-flight batches is never followed by a write of the user's events", async () => {
      const db = h.service.stores.get(TEST_REGION);
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.integer({ min: 2, max: 4 }), async (s, batches) => {
          const user = h.addUser(tenant);
          const other = h.addUser(tenant);
          let acknowledgedAt: number | null = null;
          let storedAtAck = 0;
          const freezing = s
            .schedule(Promise.resolve("placeFreeze"))
            .then(() => placeFreeze(db, { userId: user, tenantId: tenant, requestId: randomUUID(), at: new Date() }))
            .then(async () => {
              acknowledgedAt = logger.sent.length;
              storedAtAck = await h.eventCount({ userId: user });
            });
          const ingesting = Array.from({ length: batches }, (_, i) =>
            s
              .schedule(Promise.resolve(`ingest ${i}`))
              .then(() => ({ startedAfterAck: acknowledgedAt !== null }))
              .then(async (started) => ({ ...started, result: await ingest([event(user, { payload: { i } }), event(other, { payload: { i } })]) })),
          );
          await s.waitAll();
          const outcomes = await Promise.all(ingesting);
          await freezing;

          // Nothing of the user is written after the freeze was acknowledged (the INSERT names them by alias, once they have one)...
          const after = logger.sent.slice(acknowledgedAt!);
          const named = [user, h.service.stores.keysOf(db).aliasOf(user)].filter((value) => value !== undefined);
          expect(after.filter((entry) => /INSERT INTO "telemetry_event"/i.test(entry.query) && entry.parameters.some((value) => named.includes(value as string)))).toEqual([]);
          expect(await h.eventCount({ userId: user })).toBe(storedAtAck);
          // ...every batch sent after it is refused for the user, and no other user loses an event.
          for (const outcome of outcomes.filter((candidate) => candidate.startedAfterAck)) {
            expect(outcome.result.rejected).toMatchObject([{ index: 0, userId: user, code: "CONFLICT" }]);
          }
          const accepted = outcomes.filter((outcome) => outcome.result.rejected.length === 0).length;
          expect(await h.eventCount({ userId: user })).toBe(accepted);
          expect(await h.eventCount({ userId: other })).toBe(batches);
        }),
        { numRuns: 15 },
      );
    });
  });
}

describeFreeze("SQLite", () => Promise.resolve({}));
describeOnPostgres("freeze suite", () =>
  describeFreeze("PostgreSQL", async () => ({
    databases: { ...tempRegionalSqlite("telemetry"), [TEST_REGION]: { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("telemetry_freeze")) } },
  })),
);
