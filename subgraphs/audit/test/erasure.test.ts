/**
 * Scenario: a person's audit trail is erased (restrictProcessing, or retention of a removed
 * user). Afterwards no store holds their user id, their IdP subject or any of the clear-text
 * identifiers governance passed, in any column: entries about or by them keep their evidence
 * under the pseudonym with redacted details, other tenants' entries naming them are redacted,
 * and entries appended later arrive already pseudonymised (docs/decisions/0033).
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { MAX_IDENTIFIER_LENGTH, MAX_IDENTIFIERS, Region } from "@dgg/common";
import type { DatabaseConfig, Viewer } from "@dgg/common";
import { TEST_REGION, tempRegionalSqlite, viewer } from "@dgg/common/testkit";
import { InsertQueryBuilder } from "typeorm";
import type { DataSource, InsertResult, ObjectLiteral } from "typeorm";
import { AuditLogEntry } from "../src/entities/audit-log-entry.entity";
import { AuditErasedSubject } from "../src/entities/audit-erased-subject.entity";
import { appendEntries } from "../src/services/audit-entries.service";
import { eraseAuditSubject } from "../src/services/personal-data.service";
import { subjectHash } from "../src/services/erased-subjects";
import { AuditOutcome } from "../src/types/audit-outcome.enum";
import { describeOnPostgres, postgresDisabled } from "../../../test/support/postgres";
import { freshPostgresRegions, startAudit } from "./harness";
import type { AuditHarness } from "./harness";

const governance = viewer("service", { subject: "service:governance" });
const OTHER_REGION = Region.NORTH_AMERICA;

/** Every row of every audit table in every store, each as one text of all its columns. */
async function everyRowAsText(h: AuditHarness): Promise<string[]> {
  const texts: string[] = [];
  for (const [, db] of h.service.stores.entries()) {
    for (const table of ["audit_log_entry", "audit_erased_subject"]) {
      const rows: Record<string, unknown>[] = await db.query(`SELECT * FROM ${table}`);
      texts.push(...rows.map((row) => JSON.stringify(row).toLowerCase()));
    }
  }
  return texts;
}

async function rowsNaming(h: AuditHarness, values: readonly string[]): Promise<string[]> {
  const lowered = values.map((value) => value.toLowerCase());
  return (await everyRowAsText(h)).filter((text) => lowered.some((value) => text.includes(value)));
}

function stores(h: AuditHarness): DataSource[] {
  return h.service.stores.entries().map(([, db]) => db);
}

async function snapshot(h: AuditHarness): Promise<string[]> {
  return (await everyRowAsText(h)).sort();
}

function describeErasure(kind: "sqlite" | "postgres", databases: () => Promise<Record<Region, DatabaseConfig>>): void {
  describe(`audit erasure on ${kind}`, () => {
    let h: AuditHarness;
    const tenantA: string = randomUUID();
    const tenantB: string = randomUUID();
    const userId: string = randomUUID();
    const bystander: string = randomUUID();
    const holdId: string = randomUUID();
    const requestId: string = randomUUID();
    const pseudonym = `pseudonym:${randomUUID()}`;
    const idpSubject = "oidc|Ada-7f3e9c";
    const principal = "ada.lovelace@contoso.com";
    const displayName = "Ada Lovelace";
    const serial = "SN-ADA-0042";
    const identifiers = [principal, displayName, serial];
    const named = [userId, idpSubject, ...identifiers];
    const officer = viewer("privacy-officer", { tenantId: tenantA, subject: "officer:olga" });
    const self: Viewer = { subject: idpSubject, role: "data-subject", tenantId: tenantA, userId };
    const adminB = viewer("tenant-admin", { tenantId: tenantB, subject: "admin:bob" });

    const entries = (region: Region = TEST_REGION) => h.service.stores.get(region).getRepository(AuditLogEntry);
    const erase = async (body: unknown) => h.call("POST", `/personal-data/${userId}/erase`, await h.token(governance), body);

    beforeAll(async () => {
      h = await startAudit(await databases(), { tenantRegions: { [tenantB]: OTHER_REGION } });
      await h.append(governance, [
        { tenantId: tenantA, action: "USER_CREATED", subjectUserId: userId, details: { userPrincipalName: principal } },
        { tenantId: tenantA, action: "DEVICE_ENROLLED", subjectUserId: userId, details: { deviceId: randomUUID(), serialNumber: serial } },
        { tenantId: tenantA, action: "PRIVACY_REQUEST_RECEIVED", details: { requestId, kind: "RESTRICT_PROCESSING", dueAt: "2026-01-31T00:00:00.000Z" } },
      ]);
      h.clock.advance(1000);
      await h.append(officer, [
        { tenantId: tenantA, action: "LEGAL_HOLD_PLACED", subjectUserId: userId, details: { holdId, reason: `Litigation: ${displayName} v. Contoso` } },
      ]);
      h.clock.advance(1000);
      // With OIDC the actor is the IdP's subject; only actor_user_id links it to the user.
      await h.append(self, [
        { tenantId: tenantA, action: "PERSONAL_DATA_READ", subjectUserId: userId, details: { operation: "personalData" } },
        { tenantId: tenantA, action: "HELPDESK_CONTACTED", details: { message: "my laptop broke", count: 2, urgent: true } },
      ]);
      h.clock.advance(1000);
      // Another tenant, another region's store: one entry naming the person in free text, one naming a namesake.
      await h.append(adminB, [
        { tenantId: tenantB, action: "USER_INVITED", subjectUserId: bystander, details: { note: `same person as ${principal.toUpperCase()}` } },
        { tenantId: tenantB, action: "USER_INVITED", subjectUserId: randomUUID(), details: { note: "Ada Byron, no relation", total: 3 } },
      ]);
    });
    afterAll(() => h.close());

    it("records the data subject's verified user id as actor_user_id, never one from the body", async () => {
      const read = await entries().findOneByOrFail({ action: "PERSONAL_DATA_READ" });
      expect(read).toMatchObject({ actor: idpSubject, actorUserId: userId, actorRole: "data-subject" });
      await h.append(officer, [{ tenantId: tenantA, action: "FORGED_LINK", actorUserId: userId, details: null } as Record<string, unknown>]);
      expect(await entries().findOneByOrFail({ action: "FORGED_LINK" })).toMatchObject({ actor: "officer:olga", actorUserId: null });
      await entries().delete({ action: "FORGED_LINK" });
    });

    it("counts and exports the person's own actions under an IdP subject as theirs", async () => {
      const token = await h.token(governance);
      const holdings = await h.call("GET", `/personal-data/${userId}?tenantId=${tenantA}`, token);
      expect((holdings.body.categories as { records: number }[])[0]?.records).toBe(5);
      const page = await h.call("GET", `/personal-data/${userId}/export?tenantId=${tenantA}&category=AUDIT_LOG`, token);
      expect((page.body.records as { action: string }[]).map((record) => record.action).sort()).toEqual(
        ["DEVICE_ENROLLED", "HELPDESK_CONTACTED", "LEGAL_HOLD_PLACED", "PERSONAL_DATA_READ", "USER_CREATED"].sort(),
      );
    });

    it("refuses bad identifiers with BAD_USER_INPUT, naming the value, and changes nothing", async () => {
      const before = await snapshot(h);
      const cases: [unknown, string][] = [
        ["ada", '"ada"'],
        [[principal, ""], "identifiers[1]"],
        [[42], "42"],
        [["x".repeat(MAX_IDENTIFIER_LENGTH + 1)], "identifiers[0]"],
        [Array.from({ length: MAX_IDENTIFIERS + 1 }, (_, index) => `id-${index}`), `at most ${MAX_IDENTIFIERS}`],
      ];
      for (const [bad, mentioned] of cases) {
        const response = await erase({ pseudonym, tenantId: tenantA, identifiers: bad });
        expect([response.status, response.body.error?.code]).toEqual([400, "BAD_USER_INPUT"]);
        expect(response.body.error?.message).toContain(mentioned);
      }
      expect(await snapshot(h)).toEqual(before);
    });

    it("leaves no user id, IdP subject or identifier in any column of any store, and keeps the evidence", async () => {
      expect((await rowsNaming(h, named)).length).toBeGreaterThan(0);
      const first = await erase({ pseudonym, tenantId: tenantA, identifiers });
      expect(first.body).toEqual({ erased: [{ category: "AUDIT_LOG", count: 6 }] });
      expect(await rowsNaming(h, named)).toEqual([]);

      const created = await entries().findOneByOrFail({ action: "USER_CREATED" });
      expect(created).toMatchObject({ subjectUserId: pseudonym, actor: "service:governance", actorRole: "service", details: { redacted: true } });
      expect(created.details).toEqual({ redacted: true });
      expect((await entries().findOneByOrFail({ action: "LEGAL_HOLD_PLACED" })).details).toEqual({ holdId, redacted: true });
      expect(await entries().findOneByOrFail({ action: "PERSONAL_DATA_READ" })).toMatchObject({
        subjectUserId: pseudonym,
        actor: pseudonym,
        actorUserId: null,
        actorRole: "data-subject",
        outcome: AuditOutcome.SUCCEEDED,
        details: { operation: "personalData", redacted: true },
      });
      expect((await entries().findOneByOrFail({ action: "HELPDESK_CONTACTED" })).details).toEqual({ count: 2, urgent: true, redacted: true });
      // Nothing about the person: untouched.
      expect((await entries().findOneByOrFail({ action: "PRIVACY_REQUEST_RECEIVED" })).details).toEqual({
        requestId,
        kind: "RESTRICT_PROCESSING",
        dueAt: "2026-01-31T00:00:00.000Z",
      });

      const other = await entries(OTHER_REGION).find({ order: { subjectUserId: "ASC" } });
      const aboutBystander = other.find((row) => row.subjectUserId === bystander)!;
      expect(aboutBystander).toMatchObject({ actor: "admin:bob", details: { redacted: true } });
      expect(other.find((row) => row.subjectUserId !== bystander)!.details).toEqual({ note: "Ada Byron, no relation", total: 3 });

      // Tombstones in every store: the user id and the IdP subject, hashed, with the pseudonym.
      for (const db of stores(h)) {
        const tombstones = await db.getRepository(AuditErasedSubject).find();
        expect(tombstones.map((row) => row.subjectHash).sort()).toEqual([subjectHash(userId), subjectHash(idpSubject)].sort());
        expect(tombstones.every((row) => row.pseudonym === pseudonym)).toBe(true);
      }
      const holdings = await h.call("GET", `/personal-data/${userId}?tenantId=${tenantA}`, await h.token(governance));
      expect((holdings.body.categories as { records: number }[])[0]?.records).toBe(0);
    });

    it("is idempotent: a second erasure changes nothing and reports 0", async () => {
      const before = await snapshot(h);
      const second = await erase({ pseudonym: `pseudonym:${randomUUID()}`, tenantId: tenantA, identifiers });
      expect(second.body).toEqual({ erased: [{ category: "AUDIT_LOG", count: 0 }] });
      expect(await snapshot(h)).toEqual(before);
    });

    it("stores entries appended after the erasure about or by the person already pseudonymised and redacted", async () => {
      h.clock.advance(1000);
      await h.append(officer, [
        { tenantId: tenantA, action: "PERSONAL_DATA_READ", subjectUserId: userId, details: { operation: "personalData", note: `checked ${displayName}` } },
        { tenantId: tenantA, action: "NOTE_FILED", subjectUserId: bystander, details: { about: userId, count: 1 } },
      ]);
      await h.append(self, [{ tenantId: tenantA, action: "HELPDESK_CONTACTED", details: { message: "still me", requestId } }]);
      // A refusal of the person (the denial path) and one naming them as its target.
      const denied = await h.call("POST", "/audit/denials", await h.token(self), {
        denials: [{ operation: "personalData", reason: `tried ${principal}`, targetTenantId: tenantA, targetUserId: userId }],
      });
      expect(denied.status).toBe(200);

      const late = await entries().find({ where: { occurredAt: h.clock.now() } });
      const byAction = (action: string) => late.filter((row) => row.action === action);
      expect(byAction("PERSONAL_DATA_READ")).toEqual([
        expect.objectContaining({ subjectUserId: pseudonym, actor: "officer:olga", details: { operation: "personalData", redacted: true } }),
      ]);
      expect(byAction("NOTE_FILED")).toEqual([expect.objectContaining({ subjectUserId: bystander, actor: "officer:olga", details: { count: 1, redacted: true } })]);
      expect(byAction("HELPDESK_CONTACTED")).toEqual([
        expect.objectContaining({ actor: pseudonym, actorUserId: null, actorRole: "data-subject", details: { requestId, redacted: true } }),
      ]);
      expect(byAction("ACCESS_DENIED")).toEqual([
        expect.objectContaining({ subjectUserId: pseudonym, actor: pseudonym, actorUserId: null, outcome: AuditOutcome.DENIED, details: { operation: "personalData", redacted: true } }),
      ]);
      // The late display name is dropped with the free text it was in; the IdP subject and user id never landed.
      expect(await rowsNaming(h, named)).toEqual([]);
    });

    it("purges tombstones with the trail, after the audit retention", async () => {
      const token = await h.token(governance);
      const kept = await h.call("POST", "/retention/purge", token, { asOf: new Date(h.clock.now().getTime() + 364 * 86_400_000).toISOString() });
      expect(kept.status).toBe(200);
      expect(await h.service.stores.get(TEST_REGION).getRepository(AuditErasedSubject).count()).toBe(2);
      await h.call("POST", "/retention/purge", token, { asOf: new Date(h.clock.now().getTime() + 366 * 86_400_000).toISOString() });
      for (const db of stores(h)) expect(await db.getRepository(AuditErasedSubject).count()).toBe(0);
    });
  });
}

describeErasure("sqlite", () => Promise.resolve(tempRegionalSqlite("audit")));
describeOnPostgres("audit erasure", () => describeErasure("postgres", () => freshPostgresRegions("audit_erasure")));

function describeRace(kind: "sqlite" | "postgres", databases: () => Promise<Record<Region, DatabaseConfig>>, numRuns: number): void {
  describe(`audit erasure racing appends on ${kind} (fast-check scheduler)`, () => {
    let h: AuditHarness;
    /** While set, every insert into audit_log_entry waits for the scheduler: the window between an append's tombstone lookup and its insert. */
    let pause: (() => Promise<unknown>) | null = null;
    beforeAll(async () => {
      h = await startAudit(await databases());
      const execute = InsertQueryBuilder.prototype.execute;
      jest.spyOn(InsertQueryBuilder.prototype, "execute").mockImplementation(async function (this: InsertQueryBuilder<ObjectLiteral>): Promise<InsertResult> {
        const alias = this.expressionMap.mainAlias;
        if (pause && alias?.hasMetadata && alias.metadata.tableName === "audit_log_entry") await pause();
        return execute.call(this);
      });
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await h.close();
    });

    it("leaves no row naming the user, however appends about and by them interleave with the erasure", async () => {
      const deps = h.service.deps;
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom("about", "by", "mentions"), { minLength: 1, maxLength: 6 }), async (s, kinds) => {
          const tenantId = randomUUID();
          const userId = randomUUID();
          const idpSubject = `oidc|${randomUUID()}`;
          const principal = `user-${randomUUID().slice(0, 8)}@contoso.com`;
          const self: Viewer = { subject: idpSubject, role: "data-subject", tenantId, userId };
          // The user's trail before the erasure: created, and once active under the IdP subject.
          await appendEntries(deps, governance, "", [
            { tenantId, action: "USER_CREATED", subjectUserId: userId, details: { userPrincipalName: principal }, outcome: AuditOutcome.SUCCEEDED },
          ]);
          await appendEntries(deps, self, "", [{ tenantId, action: "SIGNED_IN", subjectUserId: null, details: null, outcome: AuditOutcome.SUCCEEDED }]);
          const appends = kinds.map((kind, index) =>
            s.schedule(Promise.resolve(`${kind} #${index}`)).then(() =>
              kind === "by"
                ? appendEntries(deps, self, "", [{ tenantId, action: "HELPDESK_CONTACTED", subjectUserId: null, details: { message: "hi" }, outcome: AuditOutcome.SUCCEEDED }])
                : appendEntries(deps, governance, "", [
                    kind === "about"
                      ? { tenantId, action: "PERSONAL_DATA_READ", subjectUserId: userId, details: { operation: "personalData" }, outcome: AuditOutcome.SUCCEEDED }
                      : { tenantId, action: "NOTE_FILED", subjectUserId: null, details: { about: userId }, outcome: AuditOutcome.SUCCEEDED },
                  ]),
            ),
          );
          let erasing = false;
          const erasure = s.schedule(Promise.resolve("erase")).then(async () => {
            erasing = true;
            try {
              return await eraseAuditSubject(h.service.stores.entries().map(([region, db]) => ({ db, keys: h.service.stores.keys(region) })), userId, { pseudonym: `pseudonym:${randomUUID()}`, identifiers: [principal], erasedAt: h.clock.now() });
            } finally {
              erasing = false;
            }
          });
          pause = () => s.schedule(Promise.resolve("insert after the tombstone lookup"));
          try {
            let settled = false;
            const all = Promise.all([...appends, erasure]).finally(() => {
              settled = true;
            });
            // One scheduled step at a time; a released step runs its database round trips until the next
            // step is scheduled, or the erasure (not a scheduled step itself) has run to its end, or, when
            // the lock makes the erasure wait for a paused append, 50 ms have passed.
            while (!settled) {
              if (s.count() > 0) await s.waitOne();
              const deadline = Date.now() + 50;
              while (!settled && Date.now() < deadline && (s.count() === 0 || erasing)) {
                await new Promise((resolve) => setTimeout(resolve, 1));
              }
            }
            await all;
          } finally {
            pause = null;
          }
          expect(await rowsNaming(h, [userId, idpSubject, principal])).toEqual([]);
        }),
        { numRuns },
      );
    });
  });
}

describeRace("sqlite", () => Promise.resolve(tempRegionalSqlite("audit")), 25);
if (!postgresDisabled) describeRace("postgres", () => freshPostgresRegions("audit_race"), 10);
