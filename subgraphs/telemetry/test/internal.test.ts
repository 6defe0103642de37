import { TEST_REGION } from "@dgg/common/testkit";
/**
 * Scenario: governance drives the internal personal-data contract against telemetry:
 * what is held about a user, an export copy page by page, erasure (safe to repeat) and
 * the 30-day retention purge, run in bounded batches.
 */
import { randomUUID } from "node:crypto";
import { callInternal, callInternalExport, DAY_MS, EXPORT_PAGE_LIMIT, exportRecordsIn, TelemetryKind } from "@dgg/common";
import type { ErasureResult, PersonalDataHoldings, PurgeResult } from "@dgg/common";
import { TelemetryEvent } from "../src/entities/telemetry-event.entity";
import { TelemetryHeldEvent } from "../src/entities/telemetry-held-event.entity";
import { SQLITE_MAX_BATCH, SQLITE_MIN_BATCH } from "../src/services/telemetry-retention";
import { insertRows } from "../src/services/telemetry-ingest.service";
import { event, START, withTelemetry } from "./harness";
import type { Harness } from "./harness";

const tenantA = randomUUID();

describe("telemetry internal personal-data contract", () => {
  let h: Harness;
  let alice: string;
  let bob: string;
  let service: string;

  withTelemetry(async (started) => {
    h = started;
    [alice, bob] = [h.addUser(tenantA), h.addUser(tenantA)];
    service = await h.token("service");
    const seeded = await h.ingest(await h.token("ingest", { tenantId: tenantA }), [
      ...Array.from({ length: 5 }, (_, i) => event(alice, { occurredAt: new Date(START.getTime() - i * 1000).toISOString(), payload: { i } })),
      event(bob, { kind: "ERROR" }),
    ]);
    expect(seeded.body.errors).toBeUndefined();
  });

  const call = <T>(path: string, token: string, body?: unknown) => callInternal<T>(`${h.url}/internal${path}`, { token, body });
  /** An export page (NDJSON), read as governance reads it, with its records parsed. */
  const exportAt = async (path: string) => {
    const page = await callInternalExport(`${h.url}/internal${path}`, { token: service });
    return { records: exportRecordsIn(page), nextCursor: page.nextCursor };
  };

  it("refuses every route to identities other than the service", async () => {
    const admin = await h.token("tenant-admin", { tenantId: tenantA });
    for (const [path, body] of [
      [`/personal-data/${alice}?tenantId=${tenantA}`, undefined],
      [`/personal-data/${alice}/export?tenantId=${tenantA}&category=TELEMETRY`, undefined],
      [`/personal-data/${alice}/erase`, { tenantId: tenantA }],
      [`/retention/purge`, { asOf: START.toISOString() }],
    ] as const) {
      await expect(call(path, admin, body)).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    expect(await h.eventCount({ userId: alice })).toBe(5);
  });

  it("reports holdings with count, oldest time and tenant; nothing held means tenant null", async () => {
    const holdings = await call<PersonalDataHoldings>(`/personal-data/${alice}?tenantId=${tenantA}`, service);
    expect(holdings).toEqual({
      userId: alice,
      tenantId: tenantA,
      categories: [{ category: "TELEMETRY", records: 5, oldestAt: new Date(START.getTime() - 4000).toISOString() }],
    });
    const nobody = randomUUID();
    expect(await call<PersonalDataHoldings>(`/personal-data/${nobody}?tenantId=${tenantA}`, service)).toEqual({
      userId: nobody,
      tenantId: null,
      categories: [{ category: "TELEMETRY", records: 0, oldestAt: null }],
    });
    await expect(call(`/personal-data/not-a-uuid?tenantId=${tenantA}`, service)).rejects.toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringContaining("not-a-uuid") });
  });

  it("exports oldest first in pages linked by cursors", async () => {
    const records: Record<string, unknown>[] = [];
    let after = "";
    for (let page = 0; page < 5; page += 1) {
      const result = await exportAt(`/personal-data/${alice}/export?tenantId=${tenantA}&category=TELEMETRY&limit=2${after}`);
      records.push(...result.records);
      if (!result.nextCursor) break;
      after = `&after=${result.nextCursor}`;
    }
    expect(records.map((record) => (record.payload as { i: number }).i)).toEqual([4, 3, 2, 1, 0]);
    expect(records[0]).toEqual({
      id: expect.any(String),
      userId: alice,
      kind: "SERVICE_LOG",
      occurredAt: new Date(START.getTime() - 4000).toISOString(),
      payload: { i: 4 },
    });
    const whole = await exportAt(`/personal-data/${alice}/export?tenantId=${tenantA}&category=TELEMETRY`);
    expect(whole.records).toHaveLength(5);
    expect(whole.nextCursor).toBeNull();
  });

  it("refuses other categories, bad limits and bad cursors with BAD_USER_INPUT", async () => {
    await expect(call(`/personal-data/${alice}/export?tenantId=${tenantA}&category=ACCOUNT`, service)).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: expect.stringContaining("ACCOUNT"),
    });
    for (const limit of ["0", String(EXPORT_PAGE_LIMIT + 1), "abc"]) {
      await expect(call(`/personal-data/${alice}/export?tenantId=${tenantA}&category=TELEMETRY&limit=${limit}`, service)).rejects.toMatchObject({
        code: "BAD_USER_INPUT",
        message: expect.stringContaining(limit),
      });
    }
    await expect(call(`/personal-data/${alice}/export?tenantId=${tenantA}&category=TELEMETRY&after=zzz`, service)).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("erases one user's events and reports zero when asked again", async () => {
    const first = await call<ErasureResult>(`/personal-data/${bob}/erase`, service, { pseudonym: "p", tenantId: tenantA });
    expect(first).toEqual({ erased: [{ category: "TELEMETRY", count: 1 }] });
    const again = await call<ErasureResult>(`/personal-data/${bob}/erase`, service, { pseudonym: "p", tenantId: tenantA });
    expect(again).toEqual({ erased: [{ category: "TELEMETRY", count: 0 }] });
    expect(await h.eventCount({ userId: bob })).toBe(0);
    expect(await h.eventCount({ userId: alice })).toBe(5);
  });

  it("purges strictly older than 30 days: exactly 30 days old stays, 1 ms older goes", async () => {
    const carol = h.addUser(tenantA);
    // Ingestion refuses what is already expired: both events are taken, then the clock moves 1 ms.
    const boundary = new Date(START.getTime() - 30 * DAY_MS);
    const ingested = await h.ingest(await h.token("ingest", { tenantId: tenantA }), [
      event(carol, { occurredAt: new Date(boundary.getTime() + 1).toISOString(), payload: { keep: true } }),
      event(carol, { occurredAt: boundary.toISOString(), payload: { keep: false } }),
    ]);
    expect(ingested.body.errors).toBeUndefined();
    h.clock.advance(1);
    const result = await call<PurgeResult>(`/retention/purge`, service, { asOf: h.clock.now().toISOString() });
    expect(result).toEqual({ purged: [{ category: "TELEMETRY", count: 1 }] });
    const left = await h.service.stores.get(TEST_REGION).getRepository(TelemetryEvent).findBy({ userId: carol });
    expect(left.map((row) => row.payload)).toEqual([{ keep: true }]);

    h.clock.advance(1);
    const later = await call<PurgeResult>(`/retention/purge`, await h.token("service"), { asOf: h.clock.now().toISOString() });
    expect(later).toEqual({ purged: [{ category: "TELEMETRY", count: 1 }] });
    expect(await h.eventCount({ userId: carol })).toBe(0);
    expect(await h.eventCount({ userId: alice })).toBe(5);
  });

  it("purges in bounded DELETE batches without reading rows into the service", async () => {
    const old = new Date(h.clock.now().getTime() - 40 * DAY_MS);
    const total = 3 * SQLITE_MIN_BATCH + 7;
    const rows = Array.from({ length: total }, (_, i) => ({
      id: randomUUID(),
      tenantId: tenantA,
      userId: alice,
      kind: TelemetryKind.PERFORMANCE_LOG,
      occurredAt: new Date(old.getTime() - i),
      payload: {},
    }));
    await insertRows(h.service.stores.get(TEST_REGION), rows);
    h.counter.reset();
    const result = await call<PurgeResult>(`/retention/purge`, await h.token("service"), { asOf: h.clock.now().toISOString() });
    expect(result).toEqual({ purged: [{ category: "TELEMETRY", count: total }] });
    // Only DELETEs, each with a bound the database applies; never a SELECT that brings rows back.
    // (The last one empties the held table of users no longer held: a handful of rows.)
    // After them, the log is truncated so that no page image of the purged rows stays in it.
    const statements = h.counter.statements.filter((sql) => sql !== "PRAGMA wal_checkpoint(TRUNCATE)");
    expect(statements.every((sql) => /^DELETE/i.test(sql))).toBe(true);
    const batches = statements.filter((sql) => !sql.includes("telemetry_event_held"));
    expect(batches.length).toBeGreaterThanOrEqual(2);
    const limits = batches.map((sql) => {
      expect(sql).toMatch(/^DELETE/i);
      return Number(/LIMIT (\d+)/.exec(sql)?.[1]);
    });
    expect(limits[0]).toBe(SQLITE_MIN_BATCH);
    expect(limits.every((limit) => limit >= SQLITE_MIN_BATCH && limit <= SQLITE_MAX_BATCH)).toBe(true);
    expect(await h.eventCount({ userId: alice })).toBe(5);
  });

  it("refuses a purge without a valid asOf", async () => {
    await expect(call(`/retention/purge`, service, { asOf: "yesterday" })).rejects.toMatchObject({
      code: "BAD_USER_INPUT",
      message: expect.stringContaining("yesterday"),
    });
    await expect(call(`/retention/purge`, service, {})).rejects.toMatchObject({ code: "BAD_USER_INPUT" });
  });

  it("stops serving an event the millisecond it expires; a held user's expired events move aside and stay served until the hold is lifted", async () => {
    const dave = h.addUser(tenantA);
    const erin = h.addUser(tenantA);
    const now = h.clock.now().getTime();
    const nearlyExpired = new Date(now - 30 * DAY_MS + 1000).toISOString();
    const ingested = await h.ingest(await h.token("ingest", { tenantId: tenantA }), [
      event(dave, { occurredAt: nearlyExpired }),
      event(erin, { occurredAt: nearlyExpired }),
      event(erin, { occurredAt: new Date(now).toISOString() }),
    ]);
    expect(ingested.body.errors).toBeUndefined();
    const served = async (userId: string) => (await call<PersonalDataHoldings>(`/personal-data/${userId}?tenantId=${tenantA}`, service)).categories[0]!.records;
    const heldRows = (userId: string) => h.service.stores.get(TEST_REGION).getRepository(TelemetryHeldEvent).countBy({ userId });
    expect([await served(dave), await served(erin)]).toEqual([1, 2]);

    h.clock.advance(1001);
    // Expired, not purged yet: still stored, but neither served nor exported.
    expect(await h.eventCount({ userId: dave })).toBe(1);
    expect(await served(dave)).toBe(0);
    const page = await exportAt(`/personal-data/${dave}/export?tenantId=${tenantA}&category=TELEMETRY`);
    expect(page.records).toEqual([]);

    // Erin is under legal hold: her expired event moves to the held table and is still served.
    const during = await call<PurgeResult>(`/retention/purge`, service, { asOf: h.clock.now().toISOString(), heldUserIds: [erin] });
    expect(during).toEqual({ purged: [{ category: "TELEMETRY", count: 1 }] });
    expect(await h.eventCount({ userId: dave })).toBe(0);
    expect([await h.eventCount({ userId: erin }), await heldRows(erin)]).toEqual([1, 1]);
    expect(await served(erin)).toBe(2);

    // Lifted: the next purge catches up.
    const after = await call<PurgeResult>(`/retention/purge`, service, { asOf: h.clock.now().toISOString(), heldUserIds: [] });
    expect(after).toEqual({ purged: [{ category: "TELEMETRY", count: 1 }] });
    expect([await h.eventCount({ userId: erin }), await heldRows(erin)]).toEqual([1, 0]);
    expect(await served(erin)).toBe(1);
  });
});
