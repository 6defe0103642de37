/**
 * Structured logs of the whole graph after a scenario full of personal data: a user with a
 * principal name, display name and email, devices with serials, telemetry with a marker in
 * its payload, refused and malformed requests that echo those values, a personalData read
 * and a restriction run to its end. Every service writes JSON into one capture: every line
 * parses and has service and level; one client request carries its x-request-id through the
 * gateway, the subgraphs and governance's internal calls; and no line holds any of the
 * personal values (README: Operating it, Logs).
 */
import { randomUUID } from "node:crypto";
import { viewer } from "@dgg/common/testkit";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";

type Line = Record<string, unknown>;

/** The lines (and the values seeded) of one kind's scenario. */
interface Seeded {
  principalName: string;
  displayName: string;
  email: string;
  serials: string[];
  payloadMarker: string;
  adminSubject: string;
  operatorSubject: string;
}

function seededValues(kind: StoreKind): Seeded {
  return {
    principalName: `lin.logscan.${kind}@example.eu`,
    displayName: `Linnea Logscan ${kind}`,
    email: `linnea.private.${kind}@mail.example.org`,
    serials: [`SN-LOGSCAN-${kind}-A1`, `SN-LOGSCAN-${kind}-B2`],
    payloadMarker: `payload-marker-${kind}-7f3a9c`,
    adminSubject: `admin.logscan.${kind}@idp.example.com`,
    operatorSubject: `operator.logscan.${kind}@idp.example.com`,
  };
}

/** The lines that contain `value` (the scan every personal value goes through). */
function linesContaining(lines: string[], value: string): string[] {
  return lines.filter((line) => line.includes(value));
}

export function describeLogsSuite(kind: StoreKind): void {
  describe(`structured logs (${kind})`, () => {
    let system: TestSystem;
    const raw: string[] = [];
    const capture = { write: (chunk: string) => raw.push(...chunk.split("\n").filter((line) => line.length > 0)) };

    beforeAll(async () => {
      system = await startTestSystem(kind, { logs: capture });
    });

    afterAll(async () => {
      await system?.stop();
    });

    /** POST to the gateway with an x-request-id; returns the answer and the id echoed. */
    async function gqlWithId(token: string, requestId: string, query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(system.gatewayUrl, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}`, "x-request-id": requestId },
        body: JSON.stringify({ query, variables }),
      });
      return { echoed: response.headers.get("x-request-id"), body: (await response.json()) as { data?: Record<string, any>; errors?: { extensions?: Record<string, unknown> }[] } };
    }

    it("writes JSON lines only, carries one request id through every service, and never logs personal data", async () => {
      const seeded = seededValues(kind);
      const operator = await system.token(viewer("operator", { subject: seeded.operatorSubject }));
      const tenant = await system.gql(operator, `mutation CreateTenant($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name: `Logs ${kind}`, storageRegion: "EUROPE" } });
      const tenantId = tenant.body.data!.createTenant.id as string;
      const admin = await system.token(viewer("tenant-admin", { tenantId, subject: seeded.adminSubject }));
      const user = await system.gql(admin, `mutation CreateUser($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId, userPrincipalName: seeded.principalName, displayName: seeded.displayName, email: seeded.email },
      });
      expect(user.body.errors).toBeUndefined();
      const userId = user.body.data!.createUser.id as string;
      for (const [i, serialNumber] of seeded.serials.entries()) {
        const device = await system.gql(admin, `mutation Enroll($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
          i: { userId, deviceName: `laptop-${i}`, operatingSystem: "Linux", serialNumber },
        });
        expect(device.body.errors).toBeUndefined();
      }
      const now = system.clock.now().getTime();
      const ingested = await system.gql(admin, `mutation Ingest($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted } }`, {
        e: [0, 1, 2].map((i) => ({ userId, kind: "SERVICE_LOG", occurredAt: new Date(now - i * 1000).toISOString(), payload: { note: seeded.payloadMarker, i } })),
      });
      expect(ingested.body.data?.ingestTelemetry.accepted).toBe(3);

      // Answers that echo the values back to the client: a second account with the same principal name,
      // and a variable the schema refuses (GraphQL validation quotes it). Neither may reach a log line.
      const duplicate = await system.gql(admin, `mutation CreateUser($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId, userPrincipalName: seeded.principalName, displayName: seeded.displayName },
      });
      expect(duplicate.body.errors?.[0]?.extensions?.code).toBe("CONFLICT");
      const malformed = await system.gql(admin, `mutation CreateUser($i: CreateUserInput!) { createUser(input: $i) { id } }`, {
        i: { tenantId, userPrincipalName: seeded.principalName, displayName: seeded.displayName, email: `${seeded.email} ${seeded.payloadMarker}` },
      });
      expect(malformed.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
      expect(JSON.stringify(malformed.body)).toContain(seeded.payloadMarker);
      // A refused read: another data subject of the tenant (whose IdP subject is an email) asking about this user.
      const stranger = await system.token(viewer("data-subject", { tenantId, userId: randomUUID(), subject: seeded.email }));
      const refused = await system.gql(stranger, `query Peek($u: ID!) { personalData(user: $u) { userId } }`, { u: userId });
      expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

      const requestId = `logs-${kind}-${randomUUID()}`;
      const read = await gqlWithId(admin, requestId, `query ReadPersonalData($u: ID!) {
        personalData(user: $u) { account { userPrincipalName displayName email } devices { totalCount edges { node { serialNumber } } } telemetry { totalCount } retention { category purgeAfter } residency { region } }
      }`, { u: userId });
      expect(read.echoed).toBe(requestId);
      expect(read.body.errors).toBeUndefined();
      expect(read.body.data!.personalData.account.userPrincipalName).toBe(seeded.principalName);
      expect(read.body.data!.personalData.devices.totalCount).toBe(2);

      const restrictId = `logs-restrict-${kind}-${randomUUID()}`;
      const filed = await gqlWithId(admin, restrictId, `mutation Restrict($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: userId });
      expect(filed.echoed).toBe(restrictId);
      expect((await waitForRequest(system, admin, filed.body.data!.restrictProcessing.id as string, "id")).status).toBe("COMPLETED");

      // A route that is not GraphQL echoes the id too.
      const health = await fetch(system.urls.users + "/health", { headers: { "x-request-id": requestId } });
      expect(health.headers.get("x-request-id")).toBe(requestId);

      // Every line is one JSON object with service and level.
      expect(raw.length).toBeGreaterThan(20);
      const lines: Line[] = raw.map((line) => JSON.parse(line) as Line);
      for (const line of lines) {
        expect(typeof line.service).toBe("string");
        expect(["trace", "debug", "info", "warn", "error", "fatal"]).toContain(line.level);
        expect(typeof line.msg).toBe("string");
      }
      expect(new Set(lines.map((line) => line.service))).toEqual(new Set(["gateway", "users", "telemetry", "audit", "storage-regions", "governance"]));

      // The client's request id, in the gateway's operation line and in the subgraphs' lines.
      const ofRequest = lines.filter((line) => line.requestId === requestId);
      const operations = ofRequest.filter((line) => line.msg === "graphql operation");
      expect(operations.find((line) => line.service === "gateway")).toEqual(
        expect.objectContaining({ operation: "ReadPersonalData", outcome: "ok", durationMs: expect.any(Number) }),
      );
      const subgraphOperations = operations.filter((line) => line.service !== "gateway");
      expect(subgraphOperations.length).toBeGreaterThanOrEqual(1);
      for (const line of subgraphOperations) {
        expect(line).toEqual(expect.objectContaining({ operation: expect.stringMatching(/^ReadPersonalData__/), outcome: "ok", durationMs: expect.any(Number) }));
      }
      // Governance's internal calls (what the data subgraphs hold) went out under the same id.
      const internal = ofRequest.filter((line) => line.msg === "internal request");
      expect(internal.map((line) => line.service)).toEqual(expect.arrayContaining(["users", "telemetry", "audit"]));
      expect(lines.filter((line) => line.requestId === restrictId && line.msg === "graphql operation" && line.service === "governance")).toHaveLength(1);
      // Outcomes are codes: the refused and malformed requests are logged by code only.
      const outcomes = lines.filter((line) => line.service === "gateway" && line.msg === "graphql operation").map((line) => `${line.operation as string}:${line.outcome as string}`);
      expect(outcomes).toEqual(expect.arrayContaining(["Peek:FORBIDDEN", "CreateUser:CONFLICT", "CreateUser:BAD_USER_INPUT", "ReadPersonalData:ok"]));
      // No tracing in the test system: no line claims a trace.
      expect(lines.filter((line) => "traceId" in line)).toEqual([]);

      // The scan: no line holds any personal value. The control shows it finds what is there.
      expect(linesContaining(raw, requestId).length).toBeGreaterThan(0);
      const personal = [seeded.principalName, seeded.displayName, seeded.email, ...seeded.serials, seeded.payloadMarker, seeded.adminSubject, seeded.operatorSubject];
      const hits = Object.fromEntries(personal.map((value) => [value, linesContaining(raw, value)] as const).filter(([, found]) => found.length > 0));
      expect(hits).toEqual({});
    });
  });
}
