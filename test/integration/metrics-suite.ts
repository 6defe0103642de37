/**
 * Prometheus metrics after a scenario: a restriction filed and completed, a refused call and
 * a retention run that purges expired telemetry, then every service's `/metrics` is scraped
 * and the named series are checked with their counts. The names are what dashboards are
 * built on (README: Operating it).
 */
import { DAY_MS } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { seedSubject } from "../privacy/harness";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";

/** The value of the one sample of `name` whose labels include all of `labels`; null when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  const matching = text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)));
  if (matching.length === 0) return null;
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}: ${matching.join(" | ")}`);
  return Number(matching[0]!.split(" ").pop());
}

export function describeMetricsSuite(kind: StoreKind): void {
  describe(`metrics (${kind})`, () => {
    let system: TestSystem;

    beforeAll(async () => {
      system = await startTestSystem(kind);
    });

    afterAll(async () => {
      await system?.stop();
    });

    const scrape = async (base: string) => {
      const response = await fetch(`${base}/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };

    it("counts operations by name and outcome, subgraph fetches, privacy requests, retention and moves", async () => {
      const subject = await seedSubject(system, `mia-metrics-${kind}`, 1, 4);
      const aged = await seedSubject(system, `old-metrics-${kind}`, 0, 0, subject.tenantId);
      const old = await system.gql(subject.adminToken, `mutation Backfill($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: Array.from({ length: 3 }, (_, i) => ({ userId: aged.userId, kind: "SERVICE_LOG", occurredAt: new Date(system.clock.now().getTime() - i * 1000).toISOString(), payload: { i } })),
      });
      expect(old.body.data!.ingestTelemetry.accepted).toBe(3);
      const filed = await system.gql(subject.adminToken, `mutation Restrict($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
      const id = filed.body.data!.restrictProcessing.id as string;
      expect((await waitForRequest(system, subject.adminToken, id, "id")).status).toBe("COMPLETED");
      // A refused call: a data subject asking about someone else.
      const stranger = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: aged.userId }));
      const refused = await system.gql(stranger, `query Peek($u: ID!) { personalData(user: $u) { userId } }`, { u: subject.userId });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      // Past 30 days: the run purges the three backfilled events.
      system.clock.advance(31 * DAY_MS);
      const operator = await system.token(viewer("operator", { subject: `ops@${subject.name}` }));
      expect((await system.gql(operator, `mutation Retain { runRetention { startedAt } }`)).body.errors).toBeUndefined();

      const gateway = await scrape(system.gatewayUrl.replace(/\/graphql$/, ""));
      const operation = (name: string, outcome: string) => sample(gateway, "dgg_graphql_request_duration_seconds_count", { service: "gateway", operation: name, outcome });
      expect(operation("Restrict", "ok")).toBe(1);
      expect(operation("Backfill", "ok")).toBe(1);
      expect(operation("Peek", "FORBIDDEN")).toBe(1);
      expect(operation("Retain", "ok")).toBe(1);
      expect(sample(gateway, "dgg_subgraph_fetch_duration_seconds_count", { subgraph: "governance", outcome: "ok" })).toBeGreaterThanOrEqual(3);
      expect(sample(gateway, "dgg_subgraph_fetch_duration_seconds_count", { subgraph: "telemetry", outcome: "ok" })).toBeGreaterThanOrEqual(2);
      expect(sample(gateway, "process_cpu_user_seconds_total", { service: "gateway" })).toBeGreaterThan(0);

      const governance = await scrape(system.urls.governance);
      expect(sample(governance, "dgg_privacy_requests", { status: "COMPLETED", kind: "RESTRICT_PROCESSING" })).toBe(1);
      expect(sample(governance, "dgg_privacy_request_oldest_open_seconds")).toBe(0);
      expect(sample(governance, "dgg_retention_run_duration_seconds_count")).toBe(1);
      expect(sample(governance, "dgg_retention_purged_rows_total", { category: "TELEMETRY" })).toBe(3);
      // A subgraph sees the gateway's fetch, named after the client's operation by the query planner.
      expect(sample(governance, "dgg_graphql_request_duration_seconds_count", { service: "governance", operation: "Restrict__governance__0", outcome: "ok" })).toBe(1);

      const telemetry = await scrape(system.urls.telemetry);
      expect(sample(telemetry, "dgg_graphql_request_duration_seconds_count", { service: "telemetry", operation: "Backfill__telemetry__0", outcome: "ok" })).toBe(1);
      const regions = await scrape(system.urls["storage-regions"]);
      expect(sample(regions, "dgg_residency_moves_in_progress")).toBe(0);
    });

    it("shows an open request's age until it finishes", async () => {
      const subject = await seedSubject(system, `ned-metrics-${kind}`, 0, 1);
      await system.governance.workers.stop();
      try {
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id } }`, { u: subject.userId });
        expect(filed.body.errors).toBeUndefined();
        system.clock.advance(90_000);
        const governance = await scrape(system.urls.governance);
        expect(sample(governance, "dgg_privacy_requests", { status: "RECEIVED", kind: "ACCESS" })).toBe(1);
        expect(sample(governance, "dgg_privacy_request_oldest_open_seconds")).toBe(90);
      } finally {
        system.governance.workers.start();
      }
    });
  });
}
