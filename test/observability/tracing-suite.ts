/**
 * Traces across every hop, with the real processes `npm start` runs and a test OTLP
 * receiver: a client request that sends its own `traceparent` gets one trace, with spans
 * from the gateway (its query plan included), every subgraph's operation and database
 * statements, and governance's internal calls to the data subgraphs. The privacy workers'
 * steps, a retention run and a residency move continue the trace of the request that asked
 * for them. Spans never carry the personal data the scenario wrote.
 */
import { randomBytes } from "node:crypto";
import { DATA_SUBGRAPH_NAMES, SERVICES } from "@dgg/common";
import { startOtlpReceiver } from "../support/otlp-receiver";
import type { OtlpReceiver, ReceivedSpan } from "../support/otlp-receiver";
import { startProcessSystem } from "../support/process-system";
import type { ProcessSystem } from "../support/process-system";
import type { StoreKind } from "../support/system";

const EVERY_SERVICE = ["gateway", ...SERVICES.map((service) => service.name)];

/** A client's own span: the trace id every hop must keep, and the span the gateway's root must hang from. */
function clientSpan(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString("hex");
  const spanId = randomBytes(8).toString("hex");
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-01` };
}

async function eventually<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const isDatabaseSpan = (span: ReceivedSpan) => span.attributes["db.system"] !== undefined || span.attributes["db.system.name"] !== undefined;

export function describeTracingSuite(kind: StoreKind, protocol: "http/json" | "http/protobuf"): void {
  describe(`tracing across every hop (${kind}, OTLP ${protocol})`, () => {
    let receiver: OtlpReceiver;
    let system: ProcessSystem;
    let admin: string;
    let operator: string;
    let tenantId: string;
    let userId: string;
    const personal = { principal: `trace-${kind}@example.eu`, displayName: `Tracy ${kind} Lovelace`, serial: `SN-TRACE-${kind}`, marker: `payload-trace-${kind}-marker` };

    const spansOf = (traceId: string) => receiver.spans.filter((span) => span.traceId === traceId);
    const servicesOf = (traceId: string) => new Set(spansOf(traceId).map((span) => span.service));

    beforeAll(async () => {
      receiver = await startOtlpReceiver();
      system = await startProcessSystem(kind, {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        RESIDENCY_MOVE_FREEZE_MS: "200",
        LOG_FORMAT: "json",
        LOG_LEVEL: "info",
      });
      operator = system.token("--role", "operator");
      const tenant = await system.gql(operator, `mutation { createTenant(input: { name: "Traced ${kind}", storageRegion: EUROPE }) { id } }`);
      tenantId = tenant.body.data!.createTenant.id;
      admin = system.token("--role", "tenant-admin", "--tenant", tenantId);
      const user = await system.gql(admin, `mutation($t: ID!, $p: String!, $d: String!) { createUser(input: { tenantId: $t, userPrincipalName: $p, displayName: $d }) { id } }`, { t: tenantId, p: personal.principal, d: personal.displayName });
      userId = user.body.data!.createUser.id;
      const device = await system.gql(admin, `mutation($u: ID!, $s: String!) { enrollDevice(input: { userId: $u, deviceName: "traced laptop", operatingSystem: "Linux", serialNumber: $s }) { id } }`, { u: userId, s: personal.serial });
      expect(device.body.errors).toBeUndefined();
      const events = [{ userId, kind: "ERROR", occurredAt: new Date().toISOString(), payload: { marker: personal.marker } }];
      const ingested = await system.gql(system.token("--role", "ingest", "--tenant", tenantId), `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, { e: events });
      expect(ingested.body.data?.ingestTelemetry.accepted).toBe(1);
    }, 180_000);

    afterAll(async () => {
      await system?.stop();
      await receiver?.close();
    });

    it("gives one personalData request one trace, with spans from the gateway, governance and every data subgraph", async () => {
      const client = clientSpan();
      const read = await system.gql(
        admin,
        `query Holdings($u: ID!) { personalData(user: $u) { account { displayName } devices { totalCount } telemetry { totalCount } auditLog { totalCount } residency { region } retention { category purgeAfter } } }`,
        { u: userId },
        { traceparent: client.traceparent },
      );
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data?.personalData.account.displayName).toBe(personal.displayName);

      // Spans arrive in batches from six processes, the gateway's root last (it ends after the
      // response): wait until the tree is whole (its root, no span whose parent is missing, and
      // each subgraph's operation span, which can come in a later batch than spans of its own).
      const whole = () => {
        const spans = spansOf(client.traceId);
        const ids = new Set(spans.map((span) => span.spanId));
        return (
          EVERY_SERVICE.every((name) => servicesOf(client.traceId).has(name)) &&
          EVERY_SERVICE.filter((name) => name !== "gateway").every((name) => spans.some((span) => span.service === name && /^query /.test(span.name))) &&
          spans.some((span) => span.parentSpanId === client.spanId) &&
          spans.every((span) => span.parentSpanId === client.spanId || ids.has(span.parentSpanId))
        );
      };
      await eventually("the whole trace, from every service", whole);
      const spans = spansOf(client.traceId);
      // One tree: the gateway's first span hangs from the client's, every other from a span of the trace.
      const ids = new Set(spans.map((span) => span.spanId));
      const roots = spans.filter((span) => span.parentSpanId === client.spanId);
      expect(roots.map((span) => span.service)).toEqual(["gateway"]);
      expect(spans.filter((span) => span.parentSpanId !== client.spanId && !ids.has(span.parentSpanId))).toEqual([]);
      // The gateway's operation and query plan (@apollo/gateway's own spans).
      const gatewayNames = spans.filter((span) => span.service === "gateway").map((span) => span.name);
      expect(gatewayNames).toEqual(expect.arrayContaining(["gateway.request", "gateway.plan", "gateway.fetch"]));
      for (const name of EVERY_SERVICE.filter((service) => service !== "gateway")) {
        // Each subgraph's own operation span, and its database statements.
        expect(spans.some((span) => span.service === name && /^query /.test(span.name))).toBe(true);
        expect(spans.some((span) => span.service === name && isDatabaseSpan(span))).toBe(true);
      }
      // Governance's internal calls: data subgraph spans whose parent is a governance span.
      const governanceIds = new Set(spans.filter((span) => span.service === "governance").map((span) => span.spanId));
      for (const name of DATA_SUBGRAPH_NAMES) {
        expect(spans.some((span) => span.service === name && governanceIds.has(span.parentSpanId))).toBe(true);
      }
      expect(receiver.contentTypes).toEqual(new Set([protocol === "http/json" ? "application/json" : "application/x-protobuf"]));

      // The log lines of the request carry the trace's id, so a line leads to its trace.
      const lines = system
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { service?: string; traceId?: string; msg?: string });
      const traced = lines.filter((line) => line.traceId === client.traceId && line.msg === "graphql operation");
      expect(new Set(traced.map((line) => line.service))).toEqual(new Set(EVERY_SERVICE));
    });

    it("continues the filing request's trace through the privacy workers' steps and their calls to every data subgraph", async () => {
      const client = clientSpan();
      const filed = await system.gql(admin, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: userId }, { traceparent: client.traceparent });
      expect(filed.body.errors).toBeUndefined();
      const id = filed.body.data!.restrictProcessing.id;
      const deadline = Date.now() + 60_000;
      let status = "";
      while (Date.now() < deadline && !["COMPLETED", "FAILED"].includes(status)) {
        status = (await system.gql(admin, `query($id: ID!) { privacyRequest(id: $id) { status } }`, { id })).body.data?.privacyRequest.status;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe("COMPLETED");
      const steps = ["privacy request", "privacy start export", "privacy export", "privacy verify", "privacy start erasure", "privacy erase", "privacy finish"];
      await eventually("every step's span", () => steps.every((step) => spansOf(client.traceId).some((span) => span.service === "governance" && span.name === step)));
      const spans = spansOf(client.traceId);
      const eraseIds = new Set(spans.filter((span) => span.name === "privacy erase").map((span) => span.spanId));
      const underErase = (span: ReceivedSpan): boolean => {
        for (let at: ReceivedSpan | undefined = span; at; at = spans.find((candidate) => candidate.spanId === at!.parentSpanId)) {
          if (eraseIds.has(at.spanId)) return true;
        }
        return false;
      };
      await eventually("the erasure's calls in every data subgraph", () => DATA_SUBGRAPH_NAMES.every((name) => spansOf(client.traceId).some((span) => span.service === name && underErase(span))));

      // The archive's download link is a signed token naming who it was issued to: traced, but never recorded.
      const download = clientSpan();
      const link = await system.gql(admin, `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url } }`, { id });
      const url: string = link.body.data!.createPrivacyExportDownload.url;
      const manifest = await fetch(url, { headers: { authorization: `Bearer ${admin}`, traceparent: download.traceparent } });
      expect(manifest.status).toBe(200);
      await eventually("the download's spans in the gateway and governance", () => ["gateway", "governance"].every((name) => spansOf(download.traceId).some((span) => span.service === name)));
      const secret = url.slice(url.lastIndexOf("/") + 1);
      expect(secret.length).toBeGreaterThan(40);
      expect(JSON.stringify(spansOf(download.traceId))).not.toContain(secret);
      expect(spansOf(download.traceId).some((span) => String(span.attributes["http.target"] ?? span.attributes["url.path"]).includes("/:link"))).toBe(true);
    });

    it("traces an on-demand retention run and a residency move as children of the requests that asked for them", async () => {
      const retention = clientSpan();
      const ran = await system.gql(operator, `mutation { runRetention { startedAt } }`, {}, { traceparent: retention.traceparent });
      expect(ran.body.errors).toBeUndefined();
      await eventually("the retention run's span and its calls", () => {
        const spans = spansOf(retention.traceId);
        return spans.some((span) => span.service === "governance" && span.name === "retention run") && DATA_SUBGRAPH_NAMES.every((name) => spans.some((span) => span.service === name));
      });

      const move = clientSpan();
      const elected = await system.gql(admin, `mutation($t: ID!) { electStorageRegion(tenantId: $t, region: NORTH_AMERICA) { id } }`, { t: tenantId }, { traceparent: move.traceparent });
      expect(elected.body.errors).toBeUndefined();
      await eventually(
        "the move's span and its copy calls in every data subgraph",
        () => {
          const spans = spansOf(move.traceId);
          return spans.some((span) => span.service === "governance" && span.name === "residency move") && DATA_SUBGRAPH_NAMES.every((name) => spans.some((span) => span.service === name && span.parentSpanId !== move.spanId));
        },
        60_000,
      );
    });

    it("puts no personal data in any span", async () => {
      expect(receiver.spans.length).toBeGreaterThan(50);
      const text = JSON.stringify(receiver.spans);
      for (const value of Object.values(personal)) expect(text).not.toContain(value);
      // The scan sees what is there: the tenant's id, in the internal routes' paths.
      expect(text).toContain(tenantId);
    });
  });
}
