/**
 * Scenario: governance exports a user's events page by page. The telemetry service writes
 * each page's NDJSON straight from the stored rows (services/event-export.ts), without
 * loading entities. Whatever the payloads, whichever path sealed them, and for rows written
 * before sealing, the pages joined must be byte for byte what serialising the loaded
 * entities gives, in the same order. Runs on SQLite and on PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { callInternalExport, DAY_MS, exportRecord, TelemetryKind } from "@dgg/common";
import { tempRegionalSqlite, TEST_REGION } from "@dgg/common/testkit";
import { describeOnPostgres, freshPostgresDatabase, testDatabaseName } from "../../../test/support/postgres";
import { TelemetryEvent } from "../src/entities/telemetry-event.entity";
import { insertRows, insertUnfrozenRows } from "../src/services/telemetry-ingest.service";
import { PARENT_TABLE } from "../src/services/partitions";
import type { TelemetryRow } from "../src/services/ingest-validation";
import { START, withTelemetry } from "./harness";
import type { Harness, HarnessOptions } from "./harness";

const EXPORTED_FIELDS = ["id", "userId", "kind", "occurredAt", "payload"] as const;

const payloads = fc.dictionary(fc.string({ maxLength: 8, unit: "binary" }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }) as fc.Arbitrary<Record<string, unknown>>;
const events = fc.array(
  fc.record({
    kind: fc.constantFrom(...Object.values(TelemetryKind)),
    // Within the 30 days served, a few share a millisecond (the cursor's tie-break on id).
    ageMs: fc.oneof(fc.integer({ min: 0, max: 29 * DAY_MS }), fc.constantFrom(0, 1)),
    payload: payloads,
    // Sealed by the store's subscriber, sealed before the statement (the ingest path), or written before sealing.
    written: fc.constantFrom("subscriber", "ingest", "unsealed"),
  }),
  { minLength: 0, maxLength: 14 },
);

function describeExport(engine: string, databases: () => Promise<HarnessOptions>): void {
  describe(`telemetry export pages (${engine})`, () => {
    const tenant = randomUUID();
    let h: Harness;
    let service: string;

    withTelemetry(async (started) => {
      h = started;
      service = await h.token("service");
    }, databases);

    async function store(userId: string, drawn: { kind: string; ageMs: number; payload: Record<string, unknown>; written: string }[]): Promise<void> {
      const db = h.service.stores.get(TEST_REGION);
      const keys = h.service.stores.keys(TEST_REGION);
      const rows: (TelemetryRow & { written: string })[] = drawn.map((event) => ({
        id: randomUUID(),
        tenantId: tenant,
        userId,
        kind: event.kind as TelemetryKind,
        occurredAt: new Date(START.getTime() - event.ageMs),
        payload: event.payload,
        written: event.written,
      }));
      // PostgreSQL keeps events in day partitions, made ahead of time and by the ingest path for the days it writes.
      await h.service.deps.partitionsFor(db)?.ensureFor(rows.map((row) => row.occurredAt.getTime()));
      const strip = ({ written: _written, ...row }: TelemetryRow & { written: string }): TelemetryRow => row;
      await insertRows(db, rows.filter((row) => row.written === "subscriber").map(strip));
      await insertUnfrozenRows(db, keys, rows.filter((row) => row.written === "ingest").map(strip));
      // A row as stored before payloads were sealed: the payload's JSON in the column (the store's runner still aliases the user's id).
      for (const row of rows.filter((candidate) => candidate.written === "unsealed")) {
        const p = db.options.type === "postgres" ? (index: number) => `$${index}` : () => "?";
        await db.query(`INSERT INTO "${PARENT_TABLE}" (id, tenant_id, user_id, kind, occurred_at, payload) VALUES (${[1, 2, 3, 4, 5, 6].map(p).join(", ")})`, [
          row.id,
          row.tenantId,
          row.userId,
          row.kind,
          row.occurredAt.getTime(),
          JSON.stringify(row.payload),
        ]);
      }
    }

    it("writes every page as the loaded entities serialise, in keyset order", async () => {
      await fc.assert(
        fc.asyncProperty(events, fc.integer({ min: 1, max: 5 }), async (drawn, limit) => {
          const userId = h.addUser(tenant);
          await store(userId, drawn);
          const loaded = await h.service.stores
            .get(TEST_REGION)
            .getRepository(TelemetryEvent)
            .find({ where: { userId, tenantId: tenant }, order: { occurredAt: "ASC", id: "ASC" } });
          const expected = loaded.map((event) => `${JSON.stringify(exportRecord(event, EXPORTED_FIELDS))}\n`).join("");

          let exported = "";
          let records = 0;
          let after: string | null = null;
          let pages = 0;
          do {
            const query: string = `tenantId=${tenant}&category=TELEMETRY&limit=${limit}${after ? `&after=${after}` : ""}`;
            const page = await callInternalExport(`${h.url}/internal/personal-data/${userId}/export?${query}`, { token: service });
            exported += page.ndjson.toString("utf8");
            records += page.records;
            after = page.nextCursor;
            pages += 1;
          } while (after !== null && pages <= drawn.length + 1);
          expect(records).toBe(drawn.length);
          expect(exported).toBe(expected);
        }),
        { numRuns: 25 },
      );
    });
  });
}

describeExport("SQLite", () => Promise.resolve({}));
describeOnPostgres("telemetry export pages", () =>
  describeExport("PostgreSQL", async () => ({
    databases: { ...tempRegionalSqlite("telemetry"), [TEST_REGION]: { type: "postgres", url: await freshPostgresDatabase(testDatabaseName("telemetry_export")) } },
  })),
);
