/**
 * Scenario: many reads are audited at once. Appends to one store are committed in groups
 * (services/append-groups.ts): an append is acknowledged only once the transaction holding
 * it committed, an append that fails fails alone, and a group never outgrows its limit.
 * First the mechanism under every interleaving fast-check's scheduler tries (commits that
 * fail at random), then the real service on SQLite and PostgreSQL: appends fired together
 * share transactions, every acknowledged entry is stored once, and appends about a person
 * racing the erasure of their trail still leave no row naming them.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import type { DatabaseConfig, Region, Viewer } from "@dgg/common";
import { TEST_REGION, tempRegionalSqlite, viewer } from "@dgg/common/testkit";
import { AuditLogEntry } from "../src/entities/audit-log-entry.entity";
import { GroupCommit } from "../src/services/append-groups";
import { appendEntries } from "../src/services/audit-entries.service";
import { eraseAuditSubject } from "../src/services/personal-data.service";
import { AuditOutcome } from "../src/types/audit-outcome.enum";
import { describeOnPostgres } from "../../../test/support/postgres";
import { freshPostgresRegions, startAudit } from "./harness";
import type { AuditHarness } from "./harness";

describe("group commit of appends (the mechanism)", () => {
  it("acknowledges exactly the appends whose rows were committed, once each, in groups within the limit", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.array(fc.record({ rows: fc.integer({ min: 1, max: 4 }), poisoned: fc.boolean() }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 6 }),
        async (s, appends, limit) => {
          // A commit fails when it holds a poisoned row: that append's own fault, never the others'.
          const committed: string[] = [];
          const groups: string[][] = [];
          const group = new GroupCommit<string>(async (rows) => {
            await s.schedule(Promise.resolve(`commit of ${rows.length}`));
            groups.push([...rows]);
            if (rows.some((row) => row.endsWith("!"))) throw new Error("poisoned row");
            committed.push(...rows);
          }, limit);
          const outcomes = await s.waitFor(
            Promise.all(
              appends.map((append, index) =>
                s
                  .schedule(Promise.resolve(`append ${index}`))
                  .then(() => group.append(Array.from({ length: append.rows }, (_, row) => `${index}.${row}${append.poisoned ? "!" : ""}`)))
                  .then(
                    () => "acknowledged",
                    () => "refused",
                  ),
              ),
            ),
          );
          appends.forEach((append, index) => {
            const rows = Array.from({ length: append.rows }, (_, row) => `${index}.${row}`);
            // Acknowledged: every row committed exactly once. Refused: none of them committed.
            expect([index, outcomes[index]]).toEqual([index, append.poisoned ? "refused" : "acknowledged"]);
            for (const row of rows) expect(committed.filter((done) => done === row)).toHaveLength(append.poisoned ? 0 : 1);
          });
          // A group holds whole appends and stays within the limit, unless one append alone is larger.
          for (const rows of groups) {
            const members = new Set(rows.map((row) => row.split(".")[0]));
            if (members.size > 1) expect(rows.length).toBeLessThanOrEqual(limit);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

const governance = viewer("service", { subject: "service:governance" });

function describeGroups(kind: "sqlite" | "postgres", databases: () => Promise<Record<Region, DatabaseConfig>>): void {
  describe(`group commit of appends on ${kind}`, () => {
    let h: AuditHarness;
    beforeAll(async () => {
      h = await startAudit(await databases());
    });
    afterAll(() => h?.close());

    const read = (tenantId: string, subjectUserId: string, marker: string) =>
      appendEntries(h.service.deps, governance, "", [{ tenantId, action: "PERSONAL_DATA_READ", subjectUserId, details: { marker }, outcome: AuditOutcome.SUCCEEDED }]);

    it("commits appends fired together in fewer transactions, and stores each acknowledged entry once", async () => {
      const tenantId = randomUUID();
      const markers = Array.from({ length: 40 }, (_, index) => `read-${index}-${randomUUID()}`);
      // The tenant's region is then known (cached): the appends below reach the store together.
      await read(tenantId, randomUUID(), "first");
      markers.unshift("first");
      h.counter.reset();
      await Promise.all(markers.slice(1).map((marker) => read(tenantId, randomUUID(), marker)));
      const transactions = h.counter.statements.filter((statement) => /^(BEGIN|START TRANSACTION)/i.test(statement)).length;
      expect(transactions).toBeGreaterThan(0);
      expect(transactions).toBeLessThan(markers.length - 1);
      const stored = await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).findBy({ tenantId });
      expect(stored.map((entry) => (entry.details as { marker: string }).marker).sort()).toEqual([...markers].sort());
    });

    it("leaves no entry naming the person when reads about them are appended in groups while their trail is erased", async () => {
      await fc.assert(
        fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 8 }), async (s, reads) => {
          const tenantId = randomUUID();
          const userId = randomUUID();
          await read(tenantId, userId, "before");
          const self: Viewer = { subject: `oidc|${randomUUID()}`, role: "data-subject", tenantId, userId };
          const appends = Array.from({ length: reads }, (_, index) =>
            s.schedule(Promise.resolve(`read ${index}`)).then(() =>
              index % 2 === 0
                ? read(tenantId, userId, `during ${index}`)
                : appendEntries(h.service.deps, self, "", [{ tenantId, action: "HELPDESK_CONTACTED", subjectUserId: null, details: { about: userId }, outcome: AuditOutcome.SUCCEEDED }]),
            ),
          );
          const erasure = s
            .schedule(Promise.resolve("erase"))
            .then(() =>
              eraseAuditSubject(h.service.stores.entries().map(([region, db]) => ({ db, keys: h.service.stores.keys(region) })), userId, { pseudonym: `pseudonym:${randomUUID()}`, identifiers: [], erasedAt: h.clock.now() }),
            );
          await s.waitFor(Promise.all([...appends, erasure]));
          // Every append was acknowledged and stored, none of them naming the person in clear.
          const entries = await h.service.stores.get(TEST_REGION).getRepository(AuditLogEntry).findBy({ tenantId });
          expect(entries).toHaveLength(reads + 1);
          for (const entry of entries) {
            expect(JSON.stringify([entry.subjectUserId, entry.actor, entry.actorUserId, entry.details])).not.toContain(userId);
          }
        }),
        { numRuns: kind === "sqlite" ? 20 : 10 },
      );
    });
  });
}

describeGroups("sqlite", () => Promise.resolve(tempRegionalSqlite("audit")));
describeOnPostgres("audit group commit", () => describeGroups("postgres", () => freshPostgresRegions("audit_groups")));
