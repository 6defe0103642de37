/**
 * The privacy guarantees under ordinary concurrent use, each scenario one that broke them
 * before: a device that keeps sending telemetry while its user's restriction runs; a legal
 * hold placed after filing; audit entries that re-identify an erased person; audit entries
 * written after the audit step; a FAILED request whose archive expires; a retention erasure
 * that fails half-way; hundreds of holds. Whole graph in one process, through the gateway,
 * shared by SQLite and PostgreSQL.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { DAY_MS, INTERNAL_TOKEN_HEADER, PrivacyRequestStatus } from "@dgg/common";
import { internalToken, viewer } from "@dgg/common/testkit";
import { LegalHoldRecord } from "../../subgraphs/governance/src/entities/legal-hold.entity";
import { PrivacyRequestRecord } from "../../subgraphs/governance/src/entities/privacy-request.entity";
import { RetentionErasureRecord } from "../../subgraphs/governance/src/entities/retention-erasure.entity";
import type { FaultPoint } from "../../subgraphs/governance/src/privacy/engine/faults";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { checkpointLog, heldRecords, seedSubject, storesNaming } from "./harness";
import type { Subject } from "./harness";
import { storesMentioning } from "../support/store-scan";

const FOLLOW = `id status attempts error lastError nextAttemptAt archivePurged export { location sha256 } progress { category exported erased }`;
const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => response.body.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The telemetry archive's records of a completed request. */
function archivedTelemetry(location: string): { id: string; payload: Record<string, unknown> }[] {
  return readFileSync(join(dirname(fileURLToPath(location)), "telemetry.ndjson"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; payload: Record<string, unknown> });
}

export function describeGuaranteesSuite(kind: StoreKind): void {
  describe(`privacy guarantees while the system is in use, on ${kind}`, () => {
    let system: TestSystem;
    /** One-shot actions at named engine points (the in-process engine calls `hit`). */
    const onPoint = new Map<FaultPoint, { remaining: number; action: () => void }>();

    beforeAll(async () => {
      system = await startTestSystem(kind, {
        privacy: { maxAttempts: 3, retryBaseMs: 1000 },
        faults: {
          hit(point) {
            const hook = onPoint.get(point);
            if (!hook) return;
            hook.remaining -= 1;
            if (hook.remaining === 0) {
              onPoint.delete(point);
              hook.action();
            }
          },
        },
      });
    });

    afterAll(async () => {
      await system?.stop();
    });

    afterEach(() => system.governance.workers.start());

    const admin = (subject: Subject) => system.token(viewer("tenant-admin", { tenantId: subject.tenantId, subject: `admin@${subject.name}` }));
    const officer = (subject: Subject) => system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: `dpo@${subject.name}` }));
    const restrict = async (subject: Subject) => {
      const response = await system.gql(await admin(subject), `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id status } }`, { u: subject.userId });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.restrictProcessing as { id: string; status: string };
    };
    const ingest = async (subject: Subject, marker: string) =>
      system.gql(await admin(subject), `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted rejected { index userId code message } } }`, {
        e: [{ userId: subject.userId, kind: "SERVICE_LOG", occurredAt: system.clock.now().toISOString(), payload: { marker } }],
      });
    const hold = async (subject: Subject, reason: string) =>
      system.gql(await officer(subject), `mutation($u: ID!, $r: String!) { placeLegalHold(user: $u, reason: $r) { id } }`, { u: subject.userId, r: reason });
    const lift = async (subject: Subject) =>
      system.gql(await officer(subject), `mutation($u: ID!) { liftLegalHold(user: $u, reason: "case closed") { id } }`, { u: subject.userId });

    it("completes a restriction while the user's device keeps sending telemetry: late events are refused, and what is erased is what was exported", async () => {
      const subject = await seedSubject(system, `device-${kind}`, 1, 500);
      const acknowledged: string[] = [];
      const refusals: { code: string; message: string; userId: string }[] = [];
      let sending = true;
      let sent = 0;
      // One event every 20 ms from the user's managed device, before, during and after the request.
      const device = (async () => {
        while (sending) {
          const marker = `late-${sent++}`;
          const answer = await ingest(subject, marker);
          if (answer.body.errors) refusals.push({ code: String(code(answer)), message: answer.body.errors[0]!.message, userId: subject.userId });
          else if (answer.body.data!.ingestTelemetry.accepted === 1) acknowledged.push(marker);
          else refusals.push(...(answer.body.data!.ingestTelemetry.rejected as { code: string; message: string; userId: string }[]));
          await sleep(20);
        }
      })();
      await sleep(100);
      const filed = await restrict(subject);
      const done = await waitForRequest(system, await admin(subject), filed.id, FOLLOW, undefined, 60_000);
      await sleep(200);
      sending = false;
      await device;

      expect(done.status).toBe("COMPLETED");
      expect(acknowledged.length).toBeGreaterThan(0);
      expect(refusals.length).toBeGreaterThan(0);
      // While the request ran, refusals are CONFLICT naming the request (afterwards the user is simply gone).
      expect(refusals.some((refusal) => refusal.code === "CONFLICT" && refusal.message.includes(filed.id))).toBe(true);
      // Every acknowledged event is in the archive: nothing was erased that was not exported.
      const archived = archivedTelemetry(done.export.location);
      const markers = new Set(archived.map((record) => record.payload.marker));
      expect(acknowledged.filter((marker) => !markers.has(marker))).toEqual([]);
      const archivedIds = new Set(archived.map((record) => record.id));
      expect(subject.telemetryIds.filter((id) => !archivedIds.has(id))).toEqual([]);
      expect(archived).toHaveLength(500 + acknowledged.length);
      // Nothing was stored after the freeze, during or after the request.
      expect(await heldRecords(system, subject.userId)).toBe(0);
      const steps = (await checkpointLog(system.stores.governance[0]!.db, filed.id)).map((event) => event.step);
      expect(steps.filter((step) => step === "EXPORT_STARTED")).toHaveLength(1);
      expect(steps).not.toContain("ARCHIVE_STALE");
    });

    it("refuses device enrolment and account changes for a frozen user with CONFLICT naming the request, and writes nothing", async () => {
      const subject = await seedSubject(system, `frozen-${kind}`, 1, 3);
      await system.governance.workers.stop();
      const filed = await restrict(subject);
      const token = await admin(subject);
      const enrol = await system.gql(token, `mutation($i: EnrollDeviceInput!) { enrollDevice(input: $i) { id } }`, {
        i: { userId: subject.userId, deviceName: "late", operatingSystem: "iOS 18", serialNumber: "SN-LATE" },
      });
      expect(code(enrol)).toBe("CONFLICT");
      expect(enrol.body.errors![0]!.message).toContain(filed.id);
      const remove = await system.gql(token, `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`, { u: subject.userId });
      expect(code(remove)).toBe("CONFLICT");
      expect(await heldRecords(system, subject.userId)).toBe(1 + 1 + 3);
      // Reads stay allowed.
      const read = await system.gql(token, `query($u: ID!) { personalData(user: $u) { devices { totalCount } } }`, { u: subject.userId });
      expect(read.body.data!.personalData.devices.totalCount).toBe(1);
      system.governance.workers.start();
      expect((await waitForRequest(system, token, filed.id, FOLLOW)).status).toBe("COMPLETED");
    });

    it("stops a request at ON_HOLD when a hold is placed after filing, erases nothing, and resumes it when the hold is lifted", async () => {
      const subject = await seedSubject(system, `hold-${kind}`, 2, 20);
      await system.governance.workers.stop();
      const filed = await restrict(subject);
      expect(filed.status).toBe("RECEIVED");
      expect((await hold(subject, "litigation 2026-04")).body.errors).toBeUndefined();
      system.governance.workers.start();
      const held = await waitForRequest(system, await admin(subject), filed.id, FOLLOW, (request) => request.status === "ON_HOLD");
      expect(held.progress.every((entry: { erased: number }) => entry.erased === 0)).toBe(true);
      await sleep(300);
      expect((await waitForRequest(system, await admin(subject), filed.id, "id", () => true)).status).toBe("ON_HOLD");
      expect(await heldRecords(system, subject.userId)).toBe(1 + 2 + 20);
      // A second filing returns the held request; a restriction of a held user is refused as before.
      expect((await restrict(subject)).id).toBe(filed.id);
      expect((await lift(subject)).body.errors).toBeUndefined();
      const done = await waitForRequest(system, await admin(subject), filed.id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      expect(await heldRecords(system, subject.userId)).toBe(0);
      const steps = (await checkpointLog(system.stores.governance[0]!.db, filed.id)).map((event) => event.step);
      expect(steps.indexOf("ON_HOLD")).toBeLessThan(steps.indexOf("RESUMED"));
      expect(steps.indexOf("RESUMED")).toBeLessThan(steps.indexOf("ERASE_STARTED"));
    });

    it("refuses a hold once erasure has begun, with CONFLICT naming the request", async () => {
      const subject = await seedSubject(system, `late-hold-${kind}`, 1, 2);
      await system.governance.workers.stop();
      const filed = await restrict(subject);
      // As a worker that entered ERASING and died would leave it (its lease expired).
      const repo = system.stores.governance[0]!.db.getRepository(PrivacyRequestRecord);
      await repo.update({ id: filed.id }, { status: PrivacyRequestStatus.ERASING, erasureStartedAt: system.clock.now() });
      const refused = await hold(subject, "too late");
      expect(code(refused)).toBe("CONFLICT");
      expect(refused.body.errors![0]!.message).toContain(filed.id);
      expect(await system.stores.governance[0]!.db.getRepository(LegalHoldRecord).countBy({ userId: subject.userId })).toBe(0);
      await repo.update({ id: filed.id }, { status: PrivacyRequestStatus.RECEIVED, erasureStartedAt: null });
    });

    it("leaves no identifier of the erased person in any audit entry of any tenant: ids, names, serials, free text, their own IdP subject", async () => {
      const displayName = `Ada Trail ${kind}`;
      const subject = await seedSubject(system, `trail-${kind}`, 2, 3, undefined, displayName);
      const principal = `trail-${kind}@example.eu`;
      const idpSubject = `idp|${randomUUID()}`;
      const self = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: subject.userId, subject: idpSubject }));
      expect((await system.gql(self, `query($u: ID!) { personalData(user: $u) { account { displayName } } }`, { u: subject.userId })).body.errors).toBeUndefined();
      expect((await hold(subject, `litigation about ${principal}, serial SN-trail-${kind}-0`)).body.errors).toBeUndefined();
      expect((await lift(subject)).body.errors).toBeUndefined();
      // Another tenant's admin tries to read the person: refused, and filed in both trails.
      const other = await seedSubject(system, `trail-other-${kind}`, 0, 0);
      expect(code(await system.gql(await admin(other), `query($u: ID!) { personalData(user: $u) { userId } }`, { u: subject.userId }))).toBe("FORBIDDEN");
      const filed = await system.gql(self, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "please forget me") { id } }`, { u: subject.userId });
      const id = filed.body.data!.restrictProcessing.id as string;
      // The data subject polls its own request: entries by them after the audit step too.
      const done = await waitForRequest(system, self, id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      for (const needle of [subject.userId, principal, displayName, `SN-trail-${kind}-0`, `SN-trail-${kind}-1`, idpSubject]) {
        const aliases = needle === subject.userId ? subject.aliases : [];
        expect({ needle, hits: await storesMentioning(system, needle, ["audit", "users", "telemetry"], aliases) }).toEqual({ needle, hits: [] });
      }
      // What remains is evidence that names nobody: the actions, their times and the request.
      const trail = await system.gql(await admin(subject), `{ tenantAuditLog(first: 200) { edges { node { action subjectUserId details } } } }`);
      const actions = (trail.body.data!.tenantAuditLog.edges as { node: { action: string; subjectUserId: string | null; details: Record<string, unknown> | null } }[]).map(
        (edge) => edge.node,
      );
      // The account's creation is still on record, under the pseudonym, naming nobody.
      const created = actions.filter((entry) => entry.action === "USER_CREATED");
      expect(created.length).toBeGreaterThan(0);
      expect(created.some((entry) => entry.subjectUserId === subject.userId)).toBe(false);
      expect(JSON.stringify(created)).not.toContain("example.eu");
      expect(actions.some((entry) => entry.action === "PROCESSING_RESTRICTED" && entry.details?.requestId === id)).toBe(true);
    });

    it("completes when audit entries about the person are written after the audit step (an officer's read, the subject's own poll)", async () => {
      const subject = await seedSubject(system, `late-audit-${kind}`, 1, 5);
      // Right after the audit trail's erasure is checkpointed (the 2nd subgraph), the users subgraph goes away: the request waits in ERASING.
      onPoint.set("erase.subgraph-checkpointed", { remaining: 2, action: () => void system.pause("users") });
      const filed = await restrict(subject);
      try {
        await waitForRequest(system, await admin(subject), filed.id, FOLLOW, (request) => request.status === "ERASING" && request.attempts >= 1 && request.lastError !== null);
        const service = await internalToken(system.internalKeys, viewer("service", { subject: "service:governance" }), system.clock.now());
        const late = await fetch(`${system.urls.audit}/internal/audit/entries`, {
          method: "POST",
          headers: { "content-type": "application/json", [INTERNAL_TOKEN_HEADER]: service },
          body: JSON.stringify({ entries: [{ tenantId: subject.tenantId, action: "PERSONAL_DATA_READ", subjectUserId: subject.userId, details: { viewer: `late-audit-${kind}@example.eu` } }] }),
        });
        expect(late.status).toBeLessThan(300);
        const self = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: subject.userId, subject: `idp|late-${kind}` }));
        expect((await system.gql(self, `query($id: ID!) { privacyRequest(id: $id) { status } }`, { id: filed.id })).body.errors).toBeUndefined();
      } finally {
        await system.resume("users");
      }
      system.clock.advance(5_000);
      const done = await waitForRequest(system, await admin(subject), filed.id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      expect(await storesNaming(system, subject)).toEqual([]);
      expect(await storesMentioning(system, `late-audit-${kind}@example.eu`, ["audit"])).toEqual([]);
    });

    it("expires a FAILED request's archive like a completed one's, and a retry then exports again from the start", async () => {
      const subject = await seedSubject(system, `failed-${kind}`, 1, 0);
      await system.governance.workers.stop();
      const filed = await restrict(subject);
      await system.pause("telemetry");
      system.governance.workers.start();
      let failed: Record<string, any>;
      try {
        const waiting = (attempts: number) => (request: Record<string, any>) =>
          request.attempts === attempts && new Date(request.nextAttemptAt ?? 0).getTime() > system.clock.now().getTime();
        await waitForRequest(system, await admin(subject), filed.id, FOLLOW, waiting(1));
        system.clock.advance(1000);
        await waitForRequest(system, await admin(subject), filed.id, FOLLOW, waiting(2));
        system.clock.advance(2000);
        failed = await waitForRequest(system, await admin(subject), filed.id, FOLLOW);
      } finally {
        await system.resume("telemetry");
      }
      expect(failed.status).toBe("FAILED");
      const record = await system.stores.governance[0]!.db.getRepository(PrivacyRequestRecord).findOneByOrFail({ id: filed.id });
      expect(record.archiveExpiresAt!.getTime() - record.failedAt!.getTime()).toBe(30 * DAY_MS);
      system.clock.advance(30 * DAY_MS + 1000);
      const operator = await system.token(viewer("operator", { subject: "ops@platform" }));
      expect((await system.gql(operator, `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
      expect((await waitForRequest(system, await admin(subject), filed.id, "archivePurged", () => true)).archivePurged).toBe(true);
      const retried = await system.gql(await admin(subject), `mutation($id: ID!) { retryPrivacyRequest(id: $id) { status } }`, { id: filed.id });
      expect(retried.body.data!.retryPrivacyRequest.status).toBe("RECEIVED");
      const done = await waitForRequest(system, await admin(subject), filed.id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      expect(done.archivePurged).toBe(false);
      expect(JSON.parse(readFileSync(fileURLToPath(done.export.location), "utf8")).files).toHaveLength(4);
    });

    it("completes a retention erasure of a removed user that failed in one subgraph at a later run", async () => {
      const subject = await seedSubject(system, `removed-${kind}`, 1, 2);
      const token = await admin(subject);
      expect((await system.gql(token, `mutation($u: ID!) { removeUserFromManagement(user: $u) { id } }`, { u: subject.userId })).body.errors).toBeUndefined();
      system.clock.advance(31 * DAY_MS);
      const run = async () => {
        const operator = await system.token(viewer("operator", { subject: "ops@platform" }));
        const answer = await system.gql(operator, `mutation { runRetention { errors { step subgraph message } } }`);
        expect(answer.body.errors).toBeUndefined();
        return answer.body.data!.runRetention.errors as { step: string }[];
      };
      await system.pause("audit");
      let errors: { step: string }[];
      try {
        errors = await run();
      } finally {
        await system.resume("audit");
      }
      expect(errors.map((error) => error.step)).toContain("ERASE_REMOVED_USER");
      const pending = system.stores.governance[0]!.db.getRepository(RetentionErasureRecord);
      expect(await pending.countBy({ userId: subject.userId })).toBe(1);
      expect((await run()).filter((error) => error.step === "ERASE_REMOVED_USER")).toEqual([]);
      expect(await pending.countBy({ userId: subject.userId })).toBe(0);
      expect(await storesNaming(system, subject)).toEqual([]);
    });

    it("answers retentionPolicies with hundreds of users under hold (held ids travel in request bodies)", async () => {
      const subject = await seedSubject(system, `many-holds-${kind}`, 0, 1);
      const now = system.clock.now();
      const holds = Array.from({ length: 600 }, () => ({
        id: randomUUID(), userId: randomUUID(), tenantId: subject.tenantId, reason: "bulk", placedBy: "test", placedAt: now, liftedBy: null, liftedAt: null, liftReason: null,
      }));
      const repo = system.stores.governance[0]!.db.getRepository(LegalHoldRecord);
      await repo.insert(holds);
      try {
        for (const token of [await officer(subject), await system.token(viewer("operator", { subject: "ops@platform" }))]) {
          const answer = await system.gql(token, `{ retentionPolicies { category purgeAfter } }`);
          expect(answer.body.errors).toBeUndefined();
          expect(answer.body.data!.retentionPolicies).toHaveLength(4);
        }
      } finally {
        await repo.delete(holds.map((row) => row.id));
      }
    });
  });
}
