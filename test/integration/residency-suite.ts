/**
 * Residency, as the seed promises it: every row and archive of a tenant lives in the
 * region its administrator elected. Three tenants in three regions with full traffic are
 * checked store by store; then a tenant with 10,000 telemetry events moves from
 * NORTH_AMERICA to EUROPE while clients keep reading and ingesting, and the governance
 * service crashes in the middle of the move and is restarted. Shared by both databases.
 */
import { randomUUID } from "node:crypto";
import { checkResidency } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { waitForRequest } from "../support/privacy";

const INGEST = `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`;
const READ = `query($u: ID!) { personalData(user: $u) { account { id } devices { totalCount } telemetry(first: 1) { totalCount } residency { region } } }`;

function events(userId: string, count: number, now: Date): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    userId,
    kind: ["SERVICE_LOG", "PERFORMANCE_LOG", "ERROR"][i % 3],
    occurredAt: new Date(now.getTime() - (i % 86_400) * 1000).toISOString(),
    payload: { i },
  }));
}

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function describeResidency(kind: StoreKind): void {
  describe(`residency on ${kind}`, () => {
    let system: TestSystem;
    let operator: string;
    const faulted: string[] = [];
    const crashAt = (point: string) => ({
      intervalMs: 50,
      leaseMs: 1000,
      faultPoint: point,
      onFault: (reached: string) => {
        faulted.push(reached);
        throw new Error(`simulated crash at ${reached}`);
      },
    });

    const ok = <T>(response: { body: { data?: unknown; errors?: { message: string }[] } }): T => {
      expect(response.body.errors).toBeUndefined();
      return response.body.data as T;
    };

    async function tenantWithUser(name: string, region: string, telemetry: number) {
      const { createTenant } = ok<{ createTenant: { id: string } }>(
        await system.gql(operator, `mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name: `${name} ${kind}`, storageRegion: region } }),
      );
      const admin = await system.token(viewer("tenant-admin", { tenantId: createTenant.id, subject: `admin@${name}` }));
      const { createUser } = ok<{ createUser: { id: string } }>(
        await system.gql(admin, `mutation($t: ID!, $n: String!) { createUser(input: { tenantId: $t, userPrincipalName: $n, displayName: "U" }) { id } }`, {
          t: createTenant.id,
          n: `u-${randomUUID().slice(0, 8)}@${name}.example`,
        }),
      );
      ok(await system.gql(admin, `mutation($u: ID!) { enrollDevice(input: { userId: $u, deviceName: "d", operatingSystem: "os" }) { id } }`, { u: createUser.id }));
      for (let offset = 0; offset < telemetry; offset += 10_000) {
        ok(await system.gql(admin, INGEST, { e: events(createUser.id, Math.min(10_000, telemetry - offset), system.clock.now()) }));
      }
      ok(await system.gql(admin, READ, { u: createUser.id }));
      return { tenantId: createTenant.id, admin, userId: createUser.id };
    }

    beforeAll(async () => {
      system = await startTestSystem(kind, { mover: crashAt("residency:after-copy") });
      operator = await system.token(viewer("operator"));
    });

    afterAll(async () => {
      await system?.stop();
    });

    it("keeps three tenants' rows and archives in their three regions, and nowhere else", async () => {
      const europe = await tenantWithUser("contoso", "EUROPE", 50);
      const america = await tenantWithUser("fabrikam", "NORTH_AMERICA", 50);
      const asia = await tenantWithUser("northwind", "ASIA_PACIFIC", 50);
      const filed = ok<{ restrictProcessing: { id: string } }>(
        await system.gql(europe.admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: europe.userId }),
      ).restrictProcessing;
      // The request runs in governance's workers (docs/decisions/0030): follow it to the end.
      const restricted = await waitForRequest(system, europe.admin, filed.id, "export { location }");
      expect(restricted.status).toBe("COMPLETED");
      expect(restricted.export.location).toContain("/EUROPE/");

      const report = await checkResidency(system.databases);
      expect(report.misplaced).toEqual([]);
      expect(report.inTransit).toEqual([]);
      expect(report.archivesChecked).toBeGreaterThanOrEqual(2);
      // Each tenant's telemetry sits in its own region's store, and only there.
      for (const { tenantId, region } of [
        { tenantId: america.tenantId, region: "NORTH_AMERICA" },
        { tenantId: asia.tenantId, region: "ASIA_PACIFIC" },
      ]) {
        for (const store of system.stores.telemetry) {
          const [row] = await store.db.query(`SELECT COUNT(*) AS n FROM telemetry_event WHERE tenant_id = ${kind === "postgres" ? "$1" : "?"}`, [tenantId]);
          expect(Number(row.n)).toBe(store.region === region ? 50 : 0);
        }
      }
    });

    it("moves a tenant with 10,000 events to EUROPE under load, through a crash after every step, losing nothing", async () => {
      const mover = await tenantWithUser("litware", "NORTH_AMERICA", 10_000);
      const outcomes = { reads: 0, ingested: 0, unavailable: 0, other: [] as string[] };
      let loading = true;
      const load = (async () => {
        while (loading) {
          const read = await system.gql(mover.admin, READ, { u: mover.userId });
          const ingest = await system.gql(mover.admin, INGEST, { e: events(mover.userId, 5, system.clock.now()) });
          for (const [response, onSuccess] of [
            [read, () => (outcomes.reads += 1)],
            [ingest, () => (outcomes.ingested += 5)],
          ] as const) {
            const error = response.body.errors?.[0];
            if (!error) onSuccess();
            else if (error.extensions?.code === "UNAVAILABLE" && typeof error.extensions.retryAfterSeconds === "number") outcomes.unavailable += 1;
            else outcomes.other.push(`${String(error.extensions?.code)}: ${error.message}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, 300));

      const started = Date.now();
      ok(await system.gql(mover.admin, `mutation($t: ID!) { electStorageRegion(tenantId: $t, region: EUROPE) { id } }`, { t: mover.tenantId }));
      // The governance replica driving the move dies after each step in turn; each time a new
      // one starts on the same stores, resumes from the recorded phase, and dies at the next.
      await until(async () => faulted.length === 1, 60_000, "the crash after the copy");
      await system.restartGovernance(crashAt("residency:after-switch"));
      await until(async () => faulted.length === 2, 60_000, "the crash after the switch");
      await system.restartGovernance(crashAt("residency:after-purge"));
      await until(async () => faulted.length === 3, 60_000, "the crash after the source was deleted");
      await system.restartGovernance({ intervalMs: 50, leaseMs: 1000 });
      const tenantRow = async () => (await system.stores["storage-regions"][0]!.db.query(`SELECT storage_region, state FROM tenant WHERE id = '${mover.tenantId}'`))[0];
      await until(async () => (await tenantRow()).storage_region === "EUROPE" && (await tenantRow()).state === "ACTIVE", 60_000, "the switch");
      const moveRow = async () => (await system.stores["storage-regions"][0]!.db.query(`SELECT phase FROM tenant_move WHERE tenant_id = '${mover.tenantId}'`))[0];
      await until(async () => (await moveRow()).phase === "COMPLETED", 60_000, "the move to complete");
      const seconds = (Date.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 300));
      loading = false;
      await load;

      expect(faulted).toEqual(["residency:after-copy", "residency:after-switch", "residency:after-purge"]);
      expect(outcomes.other).toEqual([]);
      expect(outcomes.reads).toBeGreaterThan(0);
      const telemetryIn = async (region: string) => {
        const store = system.stores.telemetry.find((candidate) => candidate.region === region)!;
        const [row] = await store.db.query(`SELECT COUNT(*) AS n FROM telemetry_event WHERE tenant_id = '${mover.tenantId}'`);
        return Number(row.n);
      };
      expect(await telemetryIn("NORTH_AMERICA")).toBe(0);
      expect(await telemetryIn("EUROPE")).toBe(10_000 + outcomes.ingested);
      const after = ok<{ personalData: { telemetry: { totalCount: number }; residency: { region: string } } }>(
        await system.gql(mover.admin, READ, { u: mover.userId }),
      );
      expect(after.personalData.telemetry.totalCount).toBe(10_000 + outcomes.ingested);
      expect(after.personalData.residency.region).toBe("EUROPE");
      const report = await checkResidency(system.databases);
      expect(report.misplaced).toEqual([]);
      const rows = 10_000 + outcomes.ingested + 3;
      console.log(
        `[${kind}] move NORTH_AMERICA -> EUROPE: ${seconds.toFixed(1)} s for ${rows} rows (${Math.round(rows / seconds)} rows/s, incl. three crashes and restarts); ` +
          `clients: ${outcomes.reads} reads and ${outcomes.ingested / 5} ingests succeeded, ${outcomes.unavailable} answered UNAVAILABLE with a retry hint, ${outcomes.other.length} other errors`,
      );
    });
  });
}
