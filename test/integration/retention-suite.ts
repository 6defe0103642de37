/**
 * The seed's three clocks, kept by the system itself, walked through the gateway with the
 * clock moved: telemetry older than 30 days goes (whole days at once on PostgreSQL), a
 * user removed from management is erased 30 days later, audit entries go after 365 days,
 * each boundary tested a second on either side; a legal hold keeps everything of its user
 * until it is lifted; two governance replicas never run retention at the same time.
 * Shared by the SQLite and PostgreSQL suites.
 */
import { viewer, internalToken, postGraphQL } from "@dgg/common/testkit";
import { DAY_MS } from "@dgg/common";
import { queryAcross, startTestSystem } from "../support/system";
import type { GraphQLResponse, StoreKind, TestSystem } from "../support/system";
import { aliasesOf, storesMentioning } from "../support/store-scan";

const SECOND = 1000;
const HOUR = 3600 * SECOND;
/** Everything starts here; the clock only moves forward. Midnight of 2030-01-30 UTC is a partition edge. */
const START = new Date("2030-01-31T00:00:00.000Z");
const D = Date.parse("2030-01-30T00:00:00.000Z");
const T0 = Date.parse("2030-03-01T10:00:00.000Z");

const RUN = `mutation { runRetention {
  id trigger triggeredBy startedAt finishedAt pseudonymised heldUsers
  purges { category purged } purgesBySubgraph { subgraph category purged } errors { step subgraph message } } }`;

export function describeRetention(kind: StoreKind): void {
  describe(`retention on ${kind}`, () => {
    let system: TestSystem;
    let operator: string;
    let admin: string;
    let officer: string;
    let tenant: string;
    let otherOfficer: string;
    let otherTenant: string;

    const code = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.code;
    const ok = (response: GraphQLResponse) => {
      expect(response.body.errors).toBeUndefined();
      return response.body.data!;
    };
    const ph = (n: number) => (kind === "postgres" ? `$${n}` : "?");
    /** Fresh tokens: the clock moves by months, and tokens live for hours. */
    const refreshTokens = async () => {
      operator = await system.token(viewer("operator", { subject: "ops@platform" }));
      admin = await system.token(viewer("tenant-admin", { tenantId: tenant, subject: "admin@contoso" }));
      officer = await system.token(viewer("privacy-officer", { tenantId: tenant, subject: "dpo@contoso" }));
      otherOfficer = await system.token(viewer("privacy-officer", { tenantId: otherTenant, subject: "dpo@fabrikam" }));
    };
    const setClock = async (ms: number) => {
      system.clock.set(new Date(ms));
      await refreshTokens();
    };
    const run = async () => ok(await system.gql(operator, RUN)).runRetention;
    const purged = (result: { purges: { category: string; purged: number }[] }, category: string) =>
      result.purges.find((purge) => purge.category === category)!.purged;

    async function createUser(name: string): Promise<string> {
      const response = await system.gql(admin, `mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId: tenant, userPrincipalName: `${name}-${kind}@example.com`, displayName: name },
      });
      return ok(response).createUser.id as string;
    }
    async function enroll(userId: string): Promise<void> {
      ok(await system.gql(admin, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, { i: { userId, deviceName: "laptop", operatingSystem: "Windows 11" } }));
    }
    async function ingest(userId: string, times: number[]): Promise<void> {
      const events = times.map((time, i) => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date(time).toISOString(), payload: { i } }));
      ok(await system.gql(admin, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: events }));
    }
    async function telemetryTimes(userId: string): Promise<number[]> {
      // Both tables: a held user's expired events move to telemetry_event_held (docs/decisions/0023).
      const rows: { occurred_at: string | number }[] = await queryAcross(system, "telemetry",
        `SELECT occurred_at FROM telemetry_event WHERE user_id = ${ph(1)} UNION ALL SELECT occurred_at FROM telemetry_event_held WHERE user_id = ${ph(2)} ORDER BY occurred_at`,
        [userId, userId],
      );
      return rows.map((row) => Number(row.occurred_at));
    }
    async function auditActions(userId: string): Promise<string[]> {
      const rows: { action: string }[] = await queryAcross(system, "audit", 
        `SELECT action FROM audit_log_entry WHERE subject_user_id = ${ph(1)} ORDER BY occurred_at, action`,
        [userId],
      );
      return rows.map((row) => row.action);
    }
    async function accountExists(userId: string): Promise<boolean> {
      const rows: unknown[] = await queryAcross(system, "users", `SELECT id FROM user_account WHERE id = ${ph(1)}`, [userId]);
      return rows.length === 1;
    }
    async function partitionExists(day: string): Promise<boolean> {
      const rows: unknown[] = await queryAcross(system, "telemetry", `SELECT 1 FROM pg_class WHERE relname = $1 AND relispartition`, [`telemetry_event_p${day}`]);
      return rows.length === 1;
    }

    beforeAll(async () => {
      system = await startTestSystem(kind, { retentionIntervalMs: HOUR });
      system.clock.set(START);
      operator = await system.token(viewer("operator", { subject: "ops@platform" }));
      const created = await system.gql(operator, `mutation { createTenant(input: { name: "Contoso ${kind}", storageRegion: EUROPE }) { id } }`);
      tenant = ok(created).createTenant.id as string;
      const other = ok(await system.gql(operator, `mutation { createTenant(input: { name: "Fabrikam ${kind}", storageRegion: ASIA_PACIFIC }) { id } }`));
      otherTenant = other.createTenant.id as string;
      await refreshTokens();
    });

    afterAll(async () => {
      await system?.stop();
    });

    it("purges telemetry strictly older than 30 days, to the second, dropping whole expired days", async () => {
      const userId = await createUser("telemetry");
      const times = {
        fortyDays: T0 - 40 * DAY_MS,
        beforeMidnight: D - SECOND,
        atMidnight: D,
        justExpired: T0 - 30 * DAY_MS - SECOND,
        exactly30: T0 - 30 * DAY_MS,
        justInside: T0 - 30 * DAY_MS + SECOND,
      };
      await ingest(userId, Object.values(times));

      // Cut-off exactly at a partition edge (midnight): the day before goes whole, the midnight event stays.
      await setClock(D + 30 * DAY_MS);
      const first = await run();
      expect(first.errors).toEqual([]);
      expect(purged(first, "TELEMETRY")).toBe(2);
      expect(await telemetryTimes(userId)).toEqual([times.atMidnight, times.justExpired, times.exactly30, times.justInside]);
      if (kind === "postgres") {
        expect(await partitionExists("20300120")).toBe(false);
        expect(await partitionExists("20300129")).toBe(false);
        expect(await partitionExists("20300130")).toBe(true);
      }

      // Cut-off inside a day: only that day's expired rows are deleted.
      await setClock(T0);
      const second = await run();
      expect(purged(second, "TELEMETRY")).toBe(2);
      expect(second.purgesBySubgraph).toEqual(expect.arrayContaining([{ subgraph: "telemetry", category: "TELEMETRY", purged: 2 }]));
      expect(await telemetryTimes(userId)).toEqual([times.exactly30, times.justInside]);

      await setClock(T0 + SECOND);
      expect(purged(await run(), "TELEMETRY")).toBe(1);
      expect(await telemetryTimes(userId)).toEqual([times.justInside]);
      await setClock(T0 + 2 * SECOND);
      expect(purged(await run(), "TELEMETRY")).toBe(1);
      expect(await telemetryTimes(userId)).toEqual([]);
    });

    it("erases a removed user 30 days and one second after removal, not a second earlier", async () => {
      const userId = await createUser("removed");
      await enroll(userId);
      await enroll(userId);
      const removedAt = system.clock.now().getTime();
      // Recorded at the moment of removal, so its own 30 days end with the account's.
      await ingest(userId, [removedAt]);
      ok(await system.gql(admin, `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`, { u: userId }));
      const read = ok(await system.gql(admin, `query($u: ID!) { personalData(user: $u) { retention { category purgeAfter scheduledPurgeAt legalHold { id } } } }`, { u: userId }));
      const account = read.personalData.retention.find((status: { category: string }) => status.category === "ACCOUNT");
      expect(account.purgeAfter).toBe(new Date(removedAt + 30 * DAY_MS).toISOString());
      // The first hourly slot strictly after the deadline is when the schedule really purges it.
      expect(account.scheduledPurgeAt).toBe(new Date((Math.floor((removedAt + 30 * DAY_MS) / HOUR) + 1) * HOUR).toISOString());
      expect(account.legalHold).toBeNull();

      await setClock(removedAt + 30 * DAY_MS);
      const kept = await run();
      expect(kept.errors).toEqual([]);
      expect(await accountExists(userId)).toBe(true);
      expect(await telemetryTimes(userId)).toHaveLength(1);

      await setClock(removedAt + 30 * DAY_MS + SECOND);
      const aliases = aliasesOf(system, userId);
      expect(aliases.length).toBeGreaterThan(0);
      const erased = await run();
      expect(erased.errors).toEqual([]);
      expect(purged(erased, "ACCOUNT")).toBe(1);
      expect(purged(erased, "SERVICE_DATA")).toBe(2);
      expect(erased.pseudonymised).toBeGreaterThanOrEqual(4);
      expect(await storesMentioning(system, userId, ["users", "telemetry", "audit"], aliases)).toEqual([]);
      expect(code(await system.gql(admin, `query($u: ID!) { personalData(user: $u) { userId } }`, { u: userId }))).toBe("FORBIDDEN");
    });

    it("purges audit entries strictly older than 365 days, to the second", async () => {
      const userId = await createUser("audited"); // USER_CREATED now
      const createdAt = system.clock.now().getTime();
      await setClock(createdAt + SECOND);
      await enroll(userId); // DEVICE_ENROLLED one second later
      expect(await auditActions(userId)).toEqual(["USER_CREATED", "DEVICE_ENROLLED"]);

      await setClock(createdAt + 365 * DAY_MS);
      await run();
      expect(await auditActions(userId)).toEqual(["USER_CREATED", "DEVICE_ENROLLED"]);
      await setClock(createdAt + 365 * DAY_MS + SECOND);
      const result = await run();
      expect(purged(result, "AUDIT_LOG")).toBeGreaterThanOrEqual(1);
      expect(await auditActions(userId)).toEqual(["DEVICE_ENROLLED"]);
      await setClock(createdAt + 365 * DAY_MS + 2 * SECOND);
      await run();
      expect(await auditActions(userId)).toEqual([]);
    });

    it("keeps everything of a user under legal hold, refuses restrictProcessing, and catches up once lifted", async () => {
      const held = await createUser("held");
      const neighbour = await createUser("neighbour");
      for (const userId of [held, neighbour]) {
        await enroll(userId);
        // Within 30 days now (ingestion refuses older); 36 and 41 days old once the clock moves.
        await ingest(userId, [system.clock.now().getTime() - 10 * DAY_MS, system.clock.now().getTime() - 5 * DAY_MS]);
      }
      ok(await system.gql(admin, `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`, { u: held }));
      const removedAt = system.clock.now().getTime();

      const policies = async () =>
        Object.fromEntries(
          ok(await system.gql(admin, `{ retentionPolicies { category purgeAfter } }`)).retentionPolicies.map(
            (status: { category: string; purgeAfter: string | null }) => [status.category, status.purgeAfter],
          ),
        );
      expect((await policies()).ACCOUNT).toBe(new Date(removedAt + 30 * DAY_MS).toISOString());

      const place = `mutation($u: ID!, $r: String!) { placeLegalHold(user: $u, reason: $r) { id userId tenantId reason placedBy placedAt active } }`;
      expect(code(await system.gql(admin, place, { u: held, r: "litigation" }))).toBe("FORBIDDEN");
      expect(code(await system.gql(otherOfficer, place, { u: held, r: "litigation" }))).toBe("FORBIDDEN");
      const blank = await system.gql(officer, place, { u: held, r: "  " });
      expect(code(blank)).toBe("BAD_USER_INPUT");
      expect(blank.body.errors![0]!.extensions!.argument).toBe("reason");
      expect(await auditActions(held)).not.toContain("LEGAL_HOLD_PLACED");

      const hold = ok(await system.gql(officer, place, { u: held, r: "litigation 2030-17" })).placeLegalHold;
      expect(hold).toMatchObject({ userId: held, tenantId: tenant, reason: "litigation 2030-17", placedBy: "dpo@contoso", active: true });
      const again = await system.gql(operator, place, { u: held, r: "second matter" });
      expect(code(again)).toBe("CONFLICT");
      expect(again.body.errors![0]!.message).toContain(hold.id);
      expect(await auditActions(held)).toContain("LEGAL_HOLD_PLACED");
      // The tenant's next purge date no longer counts the held user.
      expect((await policies()).ACCOUNT).toBeNull();

      const shown = ok(await system.gql(admin, `query($u: ID!) { personalData(user: $u) { retention { category purgeAfter legalHold { id reason placedBy } } } }`, { u: held }));
      for (const status of shown.personalData.retention) {
        expect(status.purgeAfter).toBeNull();
        expect(status.legalHold).toEqual({ id: hold.id, reason: "litigation 2030-17", placedBy: "dpo@contoso" });
      }
      const refused = await system.gql(admin, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id } }`, { u: held });
      expect(code(refused)).toBe("CONFLICT");
      expect(refused.body.errors![0]!.message).toContain(hold.id);
      expect(refused.body.errors![0]!.message).toContain("litigation 2030-17");

      const heldTelemetry = await telemetryTimes(held);
      await setClock(removedAt + 31 * DAY_MS);
      const during = await run();
      expect(during.errors).toEqual([]);
      expect(during.heldUsers).toBe(1);
      expect(await accountExists(held)).toBe(true);
      expect(await telemetryTimes(held)).toEqual(heldTelemetry);
      expect(await telemetryTimes(neighbour)).toEqual([]);
      // Still served: the held user's expired events are kept, the neighbour's are gone.
      const servedCount = async (userId: string) =>
        ok(await system.gql(officer, `query($u: ID!) { personalData(user: $u) { telemetry { totalCount } } }`, { u: userId })).personalData.telemetry.totalCount;
      expect(await servedCount(held)).toBe(2);
      expect(await servedCount(neighbour)).toBe(0);

      const lifted = ok(
        await system.gql(operator, `mutation($u: ID!) { liftLegalHold(user: $u, reason: "settled") { id active liftedBy liftReason } }`, { u: held }),
      ).liftLegalHold;
      expect(lifted).toEqual({ id: hold.id, active: false, liftedBy: "ops@platform", liftReason: "settled" });
      expect(await auditActions(held)).toContain("LEGAL_HOLD_LIFTED");
      const heldAliases = aliasesOf(system, held);
      const after = await run();
      expect(after.heldUsers).toBe(0);
      expect(purged(after, "ACCOUNT")).toBe(1);
      expect(await storesMentioning(system, held, ["users", "telemetry", "audit"], heldAliases)).toEqual([]);
    });

    it("runs once at a time across two replicas: on demand at once, and the same scheduled slot", async () => {
      const replica = await system.startGovernanceReplica();
      const old = system.clock.now().getTime() - 3 * SECOND;
      const users = [await createUser("replica-a"), await createUser("replica-b")];
      for (const userId of users) await ingest(userId, [old, old + SECOND, old + 2 * SECOND]);
      const removed = await createUser("replica-removed");
      ok(await system.gql(admin, `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`, { u: removed }));
      await setClock(system.clock.now().getTime() + 31 * DAY_MS);

      const viaReplica = async () => {
        const token = await internalToken(system.internalKeys, viewer("operator", { subject: "ops@platform" }), system.clock.now());
        const response = await postGraphQL(replica.url, token, RUN);
        expect(response.body.errors).toBeUndefined();
        return (response.body.data as { runRetention: Awaited<ReturnType<typeof run>> }).runRetention;
      };
      const [one, two] = await Promise.all([run(), viaReplica()]);
      expect([...one.errors, ...two.errors]).toEqual([]);
      expect(one.id).not.toBe(two.id);
      // Exactly one of the two did the work; the other, run after it, found nothing left.
      expect(purged(one, "TELEMETRY") + purged(two, "TELEMETRY")).toBeGreaterThanOrEqual(6);
      expect([purged(one, "ACCOUNT"), purged(two, "ACCOUNT")].sort()).toEqual([0, 1]);
      expect(Math.min(purged(one, "TELEMETRY"), purged(two, "TELEMETRY"))).toBe(0);
      for (const userId of users) expect(await telemetryTimes(userId)).toEqual([]);

      // The next hourly slot, ticked by both replicas at the same moment: one run, no error.
      await setClock((Math.floor(system.clock.now().getTime() / HOUR) + 1) * HOUR + 5 * SECOND);
      const ticks = await Promise.all([system.governance.scheduler!.tick(), replica.service.scheduler!.tick()]);
      expect(ticks.filter((tick) => tick !== null)).toHaveLength(1);
      expect(ticks.find((tick) => tick !== null)!.errors).toEqual([]);
      expect(await Promise.all([system.governance.scheduler!.tick(), replica.service.scheduler!.tick()])).toEqual([null, null]);
      await setClock(system.clock.now().getTime() + HOUR);
      expect((await Promise.all([replica.service.scheduler!.tick(), system.governance.scheduler!.tick()])).filter((tick) => tick !== null)).toHaveLength(1);
    });

    it("lists every run for operators, newest first, scheduled runs marked as such and audited", async () => {
      const page = `query($after: String) { retentionRuns(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id trigger triggeredBy startedAt errors { step } } } } }`;
      const first = ok(await system.gql(operator, page)).retentionRuns;
      expect(first.totalCount).toBeGreaterThanOrEqual(12);
      expect(first.edges).toHaveLength(2);
      expect(first.edges[0].node).toMatchObject({ trigger: "SCHEDULE", triggeredBy: "service:governance", errors: [] });
      expect(Date.parse(first.edges[0].node.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.edges[1].node.startedAt));
      const second = ok(await system.gql(operator, page, { after: first.pageInfo.endCursor })).retentionRuns;
      expect(second.edges[0].node.id).not.toBe(first.edges[1].node.id);
      expect(Date.parse(second.edges[0].node.startedAt)).toBeLessThanOrEqual(Date.parse(first.edges[1].node.startedAt));
      expect(code(await system.gql(admin, page))).toBe("FORBIDDEN");
      const bad = await system.gql(operator, page, { after: "not-a-cursor" });
      expect(code(bad)).toBe("BAD_USER_INPUT");

      const runs: unknown[] = await queryAcross(system, "audit", 
        `SELECT id FROM audit_log_entry WHERE action = 'RETENTION_RUN' AND actor = 'service:governance'`,
      );
      expect(runs.length).toBeGreaterThanOrEqual(2);
    });
  });
}
