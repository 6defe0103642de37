/**
 * Scenario: governance drives the internal personal-data contract against the audit
 * trail: what is held about a user, an export page by page, erasure by pseudonymisation
 * (entries are kept, the user id disappears from every column, details are redacted), and
 * the one-year purge.
 */
import { randomUUID } from "node:crypto";
import { DAY_MS, epochOfTime, EXPORT_PAGE_LIMIT, scanFilesForNeedles, sqliteStoreFiles } from "@dgg/common";
import { TEST_REGION, viewer } from "@dgg/common/testkit";
import { AuditLogEntry, ENTRIES_ABOUT_NOBODY } from "../src/entities/audit-log-entry.entity";
import { PURGE_BATCH } from "../src/services/personal-data.service";
import { START, startAudit } from "./harness";
import type { AuditHarness } from "./harness";

const tenantA: string = randomUUID();
const governance = viewer("service", { subject: "service:governance" });

describe("audit: internal personal-data contract", () => {
  let h: AuditHarness;
  const userId: string = randomUUID();
  const bystander: string = randomUUID();

  beforeAll(async () => {
    h = await startAudit();
    const subjectOfUser = viewer("data-subject", { tenantId: tenantA, userId });
    // About the user (twice), by the user (once), both (once), mentioning the user only in details (once).
    await h.append(governance, [{ tenantId: tenantA, action: "USER_CREATED", subjectUserId: userId, details: { by: "admin" } }]);
    h.clock.advance(1000);
    await h.append(subjectOfUser, [{ tenantId: tenantA, action: "PERSONAL_DATA_READ", subjectUserId: userId, details: { self: userId } }]);
    h.clock.advance(1000);
    await h.append(subjectOfUser, [{ tenantId: tenantA, action: "HELPDESK_CONTACTED" }]);
    h.clock.advance(1000);
    await h.append(governance, [
      { tenantId: tenantA, action: "DEVICE_ENROLLED", subjectUserId: userId },
      { tenantId: tenantA, action: "DEVICE_SHARED", subjectUserId: bystander, details: { sharedWith: [userId], note: `owner ${userId}` } },
      { tenantId: tenantA, action: "USER_CREATED", subjectUserId: bystander },
    ]);
  });
  afterAll(() => h.close());

  const asService = async () => h.token(governance);

  it("refuses every contract route to a non-service identity, and to no identity", async () => {
    const admin = await h.token(viewer("tenant-admin", { tenantId: tenantA }));
    const routes: ["GET" | "POST", string, unknown][] = [
      ["GET", `/personal-data/${userId}?tenantId=${tenantA}`, undefined],
      ["GET", `/personal-data/${userId}/export?tenantId=${tenantA}&category=AUDIT_LOG`, undefined],
      ["POST", `/personal-data/${userId}/erase`, { pseudonym: `pseudonym:${randomUUID()}`, tenantId: tenantA }],
      ["POST", "/retention/purge", { asOf: "2030-01-01T00:00:00Z" }],
    ];
    for (const [method, path, body] of routes) {
      const refused = await h.call(method, path, admin, body);
      expect([path, refused.status, refused.body.error?.code]).toEqual([path, 403, "FORBIDDEN"]);
      const anonymous = await h.call(method, path, null, body);
      expect([path, anonymous.status]).toEqual([path, 401]);
    }
    // Nothing of the trail changed; each refusal of the verified admin is itself on record.
    expect(await h.dataRowCount()).toBe(6);
    expect(await h.deniedCount()).toBe(4);
  });

  it("reports holdings: entries about the user or by the user, the oldest, the tenant", async () => {
    const holdings = await h.call("GET", `/personal-data/${userId}?tenantId=${tenantA}`, await asService());
    expect(holdings.body).toEqual({
      userId,
      tenantId: tenantA,
      categories: [{ category: "AUDIT_LOG", records: 4, oldestAt: START.toISOString() }],
    });
    const nobody = randomUUID();
    const empty = await h.call("GET", `/personal-data/${nobody}?tenantId=${tenantA}`, await asService());
    expect(empty.body).toEqual({ userId: nobody, tenantId: null, categories: [{ category: "AUDIT_LOG", records: 0, oldestAt: null }] });
    const badId = await h.call("GET", `/personal-data/not-a-user?tenantId=${tenantA}`, await asService());
    expect([badId.status, badId.body.error?.code]).toEqual([400, "BAD_USER_INPUT"]);
    expect(badId.body.error?.message).toContain("not-a-user");
  });

  it("exports the same entries oldest first, page by page", async () => {
    const token = await asService();
    const records: Record<string, unknown>[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const query: string = `category=AUDIT_LOG&limit=3${after ? `&after=${after}` : ""}`;
      const page = await h.call("GET", `/personal-data/${userId}/export?tenantId=${tenantA}&${query}`, token);
      expect(page.status).toBe(200);
      records.push(...(page.body.records as Record<string, unknown>[]));
      after = page.body.nextCursor as string | null;
      pages += 1;
    } while (after);
    expect(pages).toBe(2);
    expect(records.map((record) => record.action)).toEqual(["USER_CREATED", "PERSONAL_DATA_READ", "HELPDESK_CONTACTED", "DEVICE_ENROLLED"]);
    expect(records[1]).toEqual({
      id: expect.any(String),
      tenantId: tenantA,
      actor: userId,
      action: "PERSONAL_DATA_READ",
      subjectUserId: userId,
      occurredAt: new Date(START.getTime() + 1000).toISOString(),
      details: { self: userId },
    });
  });

  it("rejects another category, a bad limit and a bad cursor with BAD_USER_INPUT", async () => {
    const token = await asService();
    const cases: [string, string][] = [
      ["category=TELEMETRY", '"TELEMETRY"'],
      ["limit=5", '"undefined"'],
      ["category=AUDIT_LOG&limit=0", '"0"'],
      [`category=AUDIT_LOG&limit=${EXPORT_PAGE_LIMIT + 1}`, `"${EXPORT_PAGE_LIMIT + 1}"`],
      ["category=AUDIT_LOG&after=bogus", '"bogus"'],
    ];
    for (const [query, named] of cases) {
      const response = await h.call("GET", `/personal-data/${userId}/export?tenantId=${tenantA}&${query}`, token);
      expect([query, response.status, response.body.error?.code]).toEqual([query, 400, "BAD_USER_INPUT"]);
      expect(response.body.error?.message).toContain(named);
    }
  });

  it("refuses a missing or malformed pseudonym and changes nothing", async () => {
    const token = await asService();
    for (const body of [{}, { pseudonym: "anon" }, { pseudonym: `pseudonym:${randomUUID().toUpperCase()}` }, { pseudonym: `pseudonym:${userId}` }]) {
      const response = await h.call("POST", `/personal-data/${userId}/erase`, token, body);
      expect([response.status, response.body.error?.code]).toEqual([400, "BAD_USER_INPUT"]);
    }
    expect(await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).countBy({ subjectUserId: userId })).toBe(3);
  });

  it("erases by pseudonymising every mention, keeps the entries, and is idempotent", async () => {
    const token = await asService();
    const pseudonym = `pseudonym:${randomUUID()}`;
    // What the trail says, opened: the entries that name the user anywhere.
    const repo = h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry);
    const mentionsUser = async () => (await repo.find()).filter((entry) => JSON.stringify(entry).includes(userId)).length;
    // What the files hold: the id columns store the user's alias (docs/decisions/0051), details are sealed (0044).
    const alias = h.service.stores.keys(TEST_REGION).aliasOf(userId);
    expect(alias).toBeDefined();
    const containsUser = async () => {
      const columns: { name: string }[] = await h.service.stores.get(TEST_REGION).query("SELECT name FROM pragma_table_info('audit_log_entry')");
      expect(columns.map((column) => column.name)).toEqual(expect.arrayContaining(["actor", "subject_user_id", "details"]));
      const where = columns.flatMap((column) => [`CAST("${column.name}" AS TEXT) LIKE ?`, `CAST("${column.name}" AS TEXT) LIKE ?`]).join(" OR ");
      const [row]: { n: number }[] = await h.service.stores.get(TEST_REGION).query(
        `SELECT COUNT(*) AS n FROM audit_log_entry WHERE ${where}`,
        columns.flatMap(() => [`%${userId}%`, `%${alias!}%`]),
      );
      return Number(row!.n);
    };
    expect(await mentionsUser()).toBe(5);
    // Four name the user in an id column (by alias); the fifth only in its sealed details.
    expect(await containsUser()).toBe(4);

    const first = await h.call("POST", `/personal-data/${userId}/erase`, token, { pseudonym, tenantId: tenantA });
    expect(first.body).toEqual({ erased: [{ category: "AUDIT_LOG", count: 5 }] });
    expect(await containsUser()).toBe(0);
    expect(await mentionsUser()).toBe(0);
    expect(await h.dataRowCount()).toBe(6);
    expect(await repo.countBy({ subjectUserId: pseudonym })).toBe(3);
    expect(await repo.countBy({ actor: pseudonym })).toBe(2);
    const shared = await repo.findOneByOrFail({ action: "DEVICE_SHARED" });
    // About someone else: only its details named the user, so only they are redacted (docs/decisions/0033).
    expect(shared).toMatchObject({ subjectUserId: bystander, actor: "service:governance", details: { redacted: true } });
    expect(await repo.countBy({ subjectUserId: bystander })).toBe(2);

    const snapshot = await repo.find({ order: { id: "ASC" } });
    const second = await h.call("POST", `/personal-data/${userId}/erase`, token, { pseudonym: `pseudonym:${randomUUID()}`, tenantId: tenantA });
    expect(second.body).toEqual({ erased: [{ category: "AUDIT_LOG", count: 0 }] });
    expect(await repo.find({ order: { id: "ASC" } })).toEqual(snapshot);
    const holdings = await h.call("GET", `/personal-data/${userId}?tenantId=${tenantA}`, token);
    expect((holdings.body.categories as { records: number }[])[0]?.records).toBe(0);
  });
});

describe("audit: retention purge", () => {
  let h: AuditHarness;
  beforeAll(async () => {
    h = await startAudit();
  });
  afterAll(() => h.close());

  it("keeps an entry exactly 365 days old and purges one a millisecond older", async () => {
    const tenant = randomUUID();
    await h.append(governance, [{ tenantId: tenant, action: "OLDEST" }]);
    h.clock.advance(1);
    await h.append(governance, [{ tenantId: tenant, action: "BOUNDARY" }]);
    h.clock.set(new Date(START.getTime() + 1 + 365 * DAY_MS));
    const asOf = h.clock.now().toISOString();

    h.counter.reset();
    const purge = await h.call("POST", "/retention/purge", await h.token(governance), { asOf });
    expect(purge.body).toEqual({ purged: [{ category: "AUDIT_LOG", count: 1 }] });
    // Deleted by the database alone: no statement reads rows into the service (then SQLite's log is truncated);
    // one per regional store reads the subjects of entries kept from the expired days, whose day keys are kept (docs/decisions/0044).
    const subjectsKept = /^SELECT DISTINCT "a"\."subject_user_id" AS "subject" FROM "audit_log_entry"/;
    expect(h.counter.statements.filter((sql) => sql !== "PRAGMA wal_checkpoint(TRUNCATE)" && !subjectsKept.test(sql)).every((sql) => /^\s*DELETE/i.test(sql))).toBe(true);
    expect(h.counter.statements.filter((sql) => subjectsKept.test(sql))).toHaveLength(h.service.stores.entries().length);
    const left = await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).find();
    expect(left.map((row) => row.action)).toEqual(["BOUNDARY"]);

    const again = await h.call("POST", "/retention/purge", await h.token(governance), { asOf });
    expect(again.body).toEqual({ purged: [{ category: "AUDIT_LOG", count: 0 }] });
  });

  it("purges more than one batch in one call and refuses a bad asOf", async () => {
    const tenant = randomUUID();
    const total = PURGE_BATCH + 3;
    await h.append(governance, Array.from({ length: total }, () => ({ tenantId: tenant, action: "BULK" })));
    h.clock.advance(366 * DAY_MS);
    const token = await h.token(governance);
    const bad = await h.call("POST", "/retention/purge", token, { asOf: "next tuesday" });
    expect([bad.status, bad.body.error?.code]).toEqual([400, "BAD_USER_INPUT"]);
    expect(bad.body.error?.message).toContain("next tuesday");

    h.counter.reset();
    const purge = await h.call("POST", "/retention/purge", token, { asOf: h.clock.now().toISOString() });
    // The BOUNDARY entry of the previous test is now old enough too.
    expect(purge.body).toEqual({ purged: [{ category: "AUDIT_LOG", count: total + 1 }] });
    // Two batches in the region holding the rows, one empty batch in each of the two others.
    expect(h.counter.statements.filter((sql) => /^\s*DELETE FROM "audit_log_entry"/i.test(sql))).toHaveLength(4);
    // And one deletion of expired erasure tombstones per store.
    expect(h.counter.statements.filter((sql) => /^\s*DELETE FROM "audit_erased_subject"/i.test(sql))).toHaveLength(3);
    expect(await h.rowCount()).toBe(0);
  });

  it("destroys the keys of the days it purged, so the purged details cannot be opened from what the files keep; a held user's stay", async () => {
    const tenant = randomUUID();
    const [held, gone] = [randomUUID(), randomUUID()];
    const marker = `purged-detail-${randomUUID()}`;
    await h.append(governance, [
      { tenantId: tenant, action: "NOTE", subjectUserId: gone, details: { note: marker } },
      { tenantId: tenant, action: "NOTE", subjectUserId: held, details: { note: "kept" } },
      { tenantId: tenant, action: "NOTE", subjectUserId: null, details: { note: marker } },
    ]);
    const keys = h.service.stores.keys(TEST_REGION);
    const day = epochOfTime(h.clock.now());
    const keyOf = (subject: string) => keys.find(tenant, { subjectId: subject, epoch: day });
    const destroyed = [keyOf(gone)!, keyOf(ENTRIES_ABOUT_NOBODY)!];
    expect(destroyed.every(Boolean)).toBe(true);
    // Sealed: the details' text is nowhere in the store's files.
    const files = sqliteStoreFiles(String(h.service.stores.get(TEST_REGION).options.database));
    expect((await scanFilesForNeedles(files, [marker])).hits).toEqual([]);

    h.clock.advance(367 * DAY_MS);
    const purge = await h.call("POST", "/retention/purge", await h.token(governance), { asOf: h.clock.now().toISOString(), heldUserIds: [held] });
    expect(purge.body).toEqual({ purged: [{ category: "AUDIT_LOG", count: 2 }] });
    expect(keyOf(gone)).toBeUndefined();
    expect(keyOf(ENTRIES_ABOUT_NOBODY)).toBeUndefined();
    expect((await scanFilesForNeedles(sqliteStoreFiles(keys.file), destroyed)).hits).toEqual([]);
    // The held user's entry is kept, and still opens.
    const left = await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).findBy({ tenantId: tenant });
    expect(left.map((entry) => [entry.subjectUserId, entry.details])).toEqual([[held, { note: "kept" }]]);
    expect(keyOf(held)).toBeDefined();
  });
});
