/**
 * Scenarios of the durable privacy request, walked through the gateway with the whole
 * graph in one process: an outage of a data subgraph (wait, back off, FAIL with the
 * reason, resume with retryPrivacyRequest); one open request per user; following and
 * listing requests (overdue ones too); downloading the archive with a signed link (only
 * by the identities allowed, always audited); purging archives and receipts by
 * retention; row claiming by concurrent workers. Shared by SQLite and PostgreSQL.
 */
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createDataSource, DAY_MS, EXPORT_PAGE_LIMIT, INTERNAL_TOKEN_HEADER, isAlias, openDataSource, PrivacyRequestStatus } from "@dgg/common";
import { internalToken, viewer } from "@dgg/common/testkit";
import { PrivacyRequestRecord } from "../../subgraphs/governance/src/entities/privacy-request.entity";
import { ErasureLedgerRecord } from "../../subgraphs/governance/src/entities/erasure-ledger.entity";
import { PrivacyReceiptRecord } from "../../subgraphs/governance/src/entities/privacy-receipt.entity";
import { emptyCheckpoint } from "../../subgraphs/governance/src/privacy/engine/checkpoint";
import { claimNext } from "../../subgraphs/governance/src/privacy/engine/queue";
import { governanceEntities, governanceMigrations } from "../../subgraphs/governance/src/server";
import { waitForRequest } from "../support/privacy";
import { Like } from "typeorm";
import { auditEntries, startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { assertArchiveIntact, heldRecords, seedSubject, storesNaming } from "./harness";
import type { Subject } from "./harness";

const FOLLOW = `id status attempts error lastError nextAttemptAt dueAt overdue
  export { location sha256 }
  progress { category exported exportComplete erased }
  steps { receivedAt exportStartedAt exportVerifiedAt erasureStartedAt completedAt failedAt }
  archivePurged archiveExpiresAt receipt { manifestSha256 requestedBy expiresAt erasures { subgraph category erased } }`;

const code = (response: { body: { errors?: { extensions?: Record<string, unknown> }[] } }) => response.body.errors?.[0]?.extensions?.code;

export function describeEngineSuite(kind: StoreKind): void {
  describe(`durable privacy requests on ${kind}`, () => {
    let system: TestSystem;

    beforeAll(async () => {
      system = await startTestSystem(kind, { privacy: { maxAttempts: 3, retryBaseMs: 1000, exportPageSize: 7, checkpointPages: 2 } });
    });

    afterAll(async () => {
      await system?.stop();
    });

    // A test that stopped the workers and failed must not leave the next one without them.
    afterEach(() => system.governance.workers.start());

    /** Tokens are minted at the test clock's now, so after the clock moves a fresh one is needed. */
    const admin = (subject: Subject) => system.token(viewer("tenant-admin", { tenantId: subject.tenantId, subject: `admin@${subject.name}` }));

    const restrict = async (token: string, userId: string) => {
      const response = await system.gql(token, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked") { id status dueAt } }`, { u: userId });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.restrictProcessing as { id: string; status: string; dueAt: string };
    };

    it("gives each request to exactly one of many concurrent claimers", async () => {
      await system.governance.workers.stop();
      const config = system.kind === "postgres" ? { type: "postgres" as const, url: (system.stores.governance[0]!.db.options as { url: string }).url } : { type: "sqlite" as const, file: system.stores.governance[0]!.db.options.database as string };
      const replicas = await Promise.all([0, 1].map(() => openDataSource(createDataSource(config, { entities: governanceEntities, migrations: governanceMigrations }))));
      try {
        const now = system.clock.now();
        const repo = system.stores.governance[0]!.db.getRepository(PrivacyRequestRecord);
        const ids = Array.from({ length: 8 }, (_, i) => `00000000-0000-4000-8000-00000000000${i}`);
        await repo.insert(
          ids.map((id) => ({
            id, kind: "RESTRICT_PROCESSING", userId: id, openUserId: null, tenantId: id, status: PrivacyRequestStatus.RECEIVED, reason: null, requestedBy: "test",
            region: "EUROPE", exportLocation: null, exportSha256: null, exportByteSize: null, exportCounts: null, exportedAt: null, erasures: null, error: null,
            createdAt: now, completedAt: null, dueAt: now, attempts: 0, nextAttemptAt: null, lastErrorAt: null, leaseOwner: null, leaseExpiresAt: null,
            resumeStatus: null, exportStartedAt: null, verifiedAt: null, erasureStartedAt: null, failedAt: null, checkpoint: emptyCheckpoint(), eventSeq: 0,
            archiveExpiresAt: null, archivePurgedAt: null, approvedBy: null, approvedAt: null, decisionReason: null, deadlineExtensions: [], freezeReleasedAt: null,
          })) as never,
        );
        const claims = await Promise.all(
          Array.from({ length: 24 }, (_, i) => claimNext(replicas[i % 2]!, `claimer-${i}`, now, 60_000)),
        );
        const won = claims.filter((id): id is string => id !== null && ids.includes(id));
        expect(won.sort()).toEqual([...ids].sort());
        const rows = await repo.findBy(ids.map((id) => ({ id })));
        expect(rows.every((row) => row.attempts === 1 && row.leaseOwner !== null)).toBe(true);
        // A lease that expired is claimable again; one that has not is not.
        expect(await claimNext(replicas[0]!, "late", new Date(now.getTime() + 59_000), 60_000)).toBeNull();
        expect(ids).toContain(await claimNext(replicas[1]!, "after-expiry", new Date(now.getTime() + 60_001), 60_000));
        await repo.delete(ids);
      } finally {
        await Promise.all(replicas.map((replica) => replica.destroy()));
        system.governance.workers.start();
      }
    });

    it("lists every user id a data subgraph holds, paged, to the service identity only (the replay's contract route)", async () => {
      const subject = await seedSubject(system, `subjects-${kind}`, 1, 2);
      const service = await internalToken(system.internalKeys, viewer("service", { subject: "service:governance" }));
      const page = async (name: "users" | "telemetry" | "audit", token: string, query: string) =>
        fetch(`${system.urls[name]}/internal/personal-data-subjects${query}`, { headers: { [INTERNAL_TOKEN_HEADER]: token } });
      for (const name of ["users", "telemetry", "audit"] as const) {
        const seen: string[] = [];
        let after: string | null = null;
        do {
          const response = await page(name, service, `?limit=2${after ? `&after=${encodeURIComponent(after)}` : ""}`);
          const body = (await response.json()) as { userIds: string[]; nextCursor: string | null };
          expect(body.userIds.length).toBeLessThanOrEqual(2);
          seen.push(...body.userIds);
          after = body.nextCursor;
        } while (after);
        expect(seen).toContain(subject.userId);
        // Each once, in ids (the stores order them by their aliases: docs/decisions/0051).
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of seen) expect(isAlias(id)).toBe(false);
      }
      const refused = await page("users", await internalToken(system.internalKeys, viewer("tenant-admin", { tenantId: subject.tenantId })), "");
      expect(refused.status).toBe(403);
      const bad = await page("telemetry", service, "?limit=0");
      expect(bad.status).toBe(400);
      expect(await bad.json()).toEqual({ error: { code: "BAD_USER_INPUT", message: `limit must be 1..${EXPORT_PAGE_LIMIT}, got "0"` } });
    });

    it("waits out a telemetry outage with backoff, fails after the last attempt with the reason, and resumes on retry", async () => {
      const subject = await seedSubject(system, `outage-${kind}`, 2, 30);
      // Filing needs every subgraph (an outage must not read as "nothing held"); the outage starts right after.
      await system.governance.workers.stop();
      const filed = await restrict(subject.adminToken, subject.userId);
      await system.pause("telemetry");
      system.governance.workers.start();
      try {
        const waiting = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW, (request) => request.attempts === 1 && request.nextAttemptAt !== null);
        expect(waiting.status).toBe("EXPORTING");
        expect(waiting.lastError).toMatch(/unreachable/);
        expect(new Date(waiting.nextAttemptAt).getTime() - system.clock.now().getTime()).toBe(1000);
        expect(waiting.progress.find((entry: { category: string }) => entry.category === "ACCOUNT")).toMatchObject({ exported: 1, exportComplete: true });
        // Not before its time: the clock has not moved, so no second attempt happens.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect((await waitForRequest(system, subject.adminToken, filed.id, "attempts", () => true)).attempts).toBe(1);
        system.clock.advance(1000);
        const second = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW, (request) => request.attempts === 2 && new Date(request.nextAttemptAt ?? 0).getTime() > system.clock.now().getTime());
        expect(new Date(second.nextAttemptAt).getTime() - system.clock.now().getTime()).toBe(2000);
        system.clock.advance(2000);
        const failed = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW);
        expect(failed.status).toBe("FAILED");
        expect(failed.error).toMatch(/unreachable/);
        expect(failed.steps.failedAt).not.toBeNull();
        expect(failed.export).toBeNull();
        expect(await heldRecords(system, subject.userId)).toBe(1 + 2 + 30);
      } finally {
        await system.resume("telemetry");
      }
      await system.governance.workers.stop();
      expect((await listOne(subject.adminToken, subject.tenantId, "FAILED")).id).toBe(filed.id);
      const retried = await system.gql(subject.adminToken, `mutation($id: ID!) { retryPrivacyRequest(id: $id) { status attempts } }`, { id: filed.id });
      expect(retried.body.errors).toBeUndefined();
      expect(retried.body.data!.retryPrivacyRequest).toEqual({ status: "EXPORTING", attempts: 0 });
      system.governance.workers.start();
      const done = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW, (request) => request.status === "COMPLETED");
      assertArchiveIntact(done.export.location, done.export.sha256, subject);
      expect(await storesNaming(system, subject)).toEqual([]);
      // Resumed where it stopped: the account file written before the outage was not written again.
      const events: { step: string; detail: string | null }[] = await system.stores.governance[0]!.db.query(
        `SELECT step, detail FROM privacy_request_event WHERE request_id = ${system.kind === "postgres" ? "$1" : "?"} ORDER BY seq`,
        [done.id],
      );
      expect(events.filter((event) => event.step === "FILE_COMPLETED" && event.detail!.includes('"ACCOUNT"'))).toHaveLength(1);
      expect(events.map((event) => event.step)).toEqual(expect.arrayContaining(["ATTEMPT_FAILED", "FAILED", "RETRY_REQUESTED", "ARCHIVE_VERIFIED", "COMPLETED"]));
      const again = await system.gql(subject.adminToken, `mutation($id: ID!) { retryPrivacyRequest(id: $id) { id } }`, { id: done.id });
      expect(code(again)).toBe("CONFLICT");
      expect(again.body.errors![0]!.message).toContain(done.id);
    });

    async function listOne(token: string, tenantId: string, status: string): Promise<{ id: string }> {
      const response = await system.gql(token, `query($t: ID!, $s: PrivacyRequestStatus) { privacyRequests(tenantId: $t, status: $s, first: 1) { edges { node { id } } } }`, {
        t: tenantId,
        s: status,
      });
      expect(response.body.errors).toBeUndefined();
      if (!response.body.data!.privacyRequests.edges[0]) throw new Error(`no ${status} request: ${JSON.stringify(response.body)}`);
      return response.body.data!.privacyRequests.edges[0].node;
    }

    it("keeps one open request per user, lists a tenant's requests with paging, and lists overdue ones", async () => {
      const subject = await seedSubject(system, `queue-${kind}`, 1, 3);
      await system.governance.workers.stop();
      const second = await seedSubject(system, `queue2-${kind}`, 0, 0, subject.tenantId);
      const [a, b] = await Promise.all([restrict(subject.adminToken, subject.userId), restrict(subject.adminToken, subject.userId)]);
      expect(a.id).toBe(b.id);
      expect(a.status).toBe("RECEIVED");
      expect(new Date(a.dueAt).getTime() - system.clock.now().getTime()).toBe(30 * DAY_MS);
      const later = await restrict(subject.adminToken, subject.userId);
      expect(later.id).toBe(a.id);
      const other = await restrict(subject.adminToken, second.userId);

      const list = (variables: Record<string, unknown>) =>
        admin(subject).then((token) => system.gql(token, `query($t: ID!, $s: PrivacyRequestStatus, $o: Boolean, $f: Int, $a: String) {
          privacyRequests(tenantId: $t, status: $s, overdue: $o, first: $f, after: $a) { totalCount edges { cursor node { id overdue } } pageInfo { hasNextPage endCursor } } }`,
          { t: subject.tenantId, ...variables },
        ));
      const page1 = await list({ f: 1 });
      expect(page1.body.data!.privacyRequests.totalCount).toBe(2);
      expect(page1.body.data!.privacyRequests.pageInfo.hasNextPage).toBe(true);
      const page2 = await list({ f: 1, a: page1.body.data!.privacyRequests.pageInfo.endCursor });
      const listed = [page1, page2].map((page) => page.body.data!.privacyRequests.edges[0].node.id);
      expect(new Set(listed)).toEqual(new Set([a.id, other.id]));
      expect((await list({ o: true })).body.data!.privacyRequests.totalCount).toBe(0);

      system.clock.advance(30 * DAY_MS + 1);
      const overdue = await list({ o: true });
      expect(overdue.body.data!.privacyRequests.totalCount).toBe(2);
      expect(overdue.body.data!.privacyRequests.edges.every((edge: { node: { overdue: boolean } }) => edge.node.overdue)).toBe(true);
      expect((await list({ s: "RECEIVED" })).body.data!.privacyRequests.totalCount).toBe(2);

      const bad = await list({ f: 0 });
      expect(code(bad)).toBe("BAD_USER_INPUT");
      expect(bad.body.errors![0]!.extensions!.argument).toBe("first");
      const foreignAdmin = await system.token(viewer("tenant-admin", { tenantId: "5f0c3a9e-4b7d-4c1e-9a2b-3c4d5e6f7a8b" }));
      const foreign = await system.gql(foreignAdmin, `query($t: ID!) { privacyRequests(tenantId: $t) { totalCount } }`, { t: subject.tenantId });
      expect(code(foreign)).toBe("FORBIDDEN");
      const selfToken = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: subject.userId }));
      // (tokens below are minted after the clock moved)
      expect(code(await system.gql(selfToken, `query($t: ID!) { privacyRequests(tenantId: $t) { totalCount } }`, { t: subject.tenantId }))).toBe("FORBIDDEN");
      const officer = await system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: "dpo@queue" }));
      expect((await system.gql(officer, `query($t: ID!) { privacyRequests(tenantId: $t) { totalCount } }`, { t: subject.tenantId })).body.data!.privacyRequests.totalCount).toBe(2);
      expect(code(await system.gql(await admin(subject), `mutation { retryPrivacyRequest(id: "nope") { id } }`))).toBe("BAD_USER_INPUT");
      system.governance.workers.start();
      const done = await waitForRequest(system, await admin(subject), a.id, "overdue completedAt");
      expect(done).toMatchObject({ status: "COMPLETED", overdue: false });
      await waitForRequest(system, await admin(subject), other.id, "id");
      expect((await list({ o: true })).body.data!.privacyRequests.totalCount).toBe(0);
    });

    it("serves the archive through a short-lived signed link to admins, privacy officers and the data subject only, and audits every download", async () => {
      const subject = await seedSubject(system, `download-${kind}`, 2, 25);
      const filed = await restrict(subject.adminToken, subject.userId);
      const done = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW);
      expect(done.status).toBe("COMPLETED");
      expect(done.receipt.manifestSha256).toBe(done.export.sha256);
      expect(done.receipt.requestedBy).toBe(`admin@download-${kind}`);
      expect(new Date(done.receipt.expiresAt).getTime() - new Date(done.steps.completedAt).getTime()).toBe(365 * DAY_MS);
      expect(done.receipt.erasures).toEqual(
        expect.arrayContaining([
          { subgraph: "telemetry", category: "TELEMETRY", erased: 25 },
          { subgraph: "users", category: "SERVICE_DATA", erased: 2 },
          { subgraph: "users", category: "ACCOUNT", erased: 1 },
        ]),
      );

      const link = async (token: string) => system.gql(token, `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url files expiresAt } }`, { id: filed.id });
      const issued = await link(subject.adminToken);
      expect(issued.body.errors).toBeUndefined();
      const { url, files, expiresAt } = issued.body.data!.createPrivacyExportDownload;
      expect(files).toEqual(["manifest.json", "account.json", "service-data.json", "telemetry.ndjson", "audit-log.ndjson", "report.html"]);
      expect(new Date(expiresAt).getTime() - system.clock.now().getTime()).toBe(5 * 60_000);
      expect(url.startsWith(system.gatewayUrl.replace(/\/graphql$/, "/exports/"))).toBe(true);
      const get = (path: string, token: string | null): Promise<any> => fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

      const manifest = await get(url, subject.adminToken);
      expect(manifest.status).toBe(200);
      expect((await manifest.json()).requestId).toBe(filed.id);
      const telemetry = await get(`${url}/telemetry.ndjson`, subject.adminToken);
      expect(telemetry.headers.get("content-type")).toContain("ndjson");
      expect((await telemetry.text()).trim().split("\n")).toHaveLength(25);
      expect((await get(url, null)).status).toBe(401);
      const colleague = await system.token(viewer("tenant-admin", { tenantId: subject.tenantId, subject: "someone-else@download" }));
      const stolen = await get(url, colleague);
      expect(stolen.status).toBe(403);
      expect((await stolen.json()).error.code).toBe("FORBIDDEN");
      expect((await get(`${url}/..%2F..%2Fsecrets`, subject.adminToken)).status).toBe(404);

      const self = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: subject.userId }));
      const own = await link(self);
      expect(own.body.errors).toBeUndefined();
      expect((await get(`${own.body.data!.createPrivacyExportDownload.url}/account.json`, self)).status).toBe(200);
      const officer = await system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: "dpo@download" }));
      const officerLink = await link(officer);
      expect((await get(officerLink.body.data!.createPrivacyExportDownload.url, officer)).status).toBe(200);
      const neighbour = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: "5f0c3a9e-4b7d-4c1e-9a2b-3c4d5e6f7a8b" }));
      expect(code(await link(neighbour))).toBe("FORBIDDEN");
      const foreignAdmin = await system.token(viewer("tenant-admin", { tenantId: "5f0c3a9e-4b7d-4c1e-9a2b-3c4d5e6f7a8b" }));
      expect(code(await link(foreignAdmin))).toBe("FORBIDDEN");

      // Every issuance and download is on the trail; the data subject's own ones do not name them.
      const trail = await auditEntries(system, { action: Like("PRIVACY_EXPORT_%") });
      const mine = trail.filter((entry) => JSON.stringify(entry.details).includes(filed.id));
      expect(mine.filter((entry) => entry.action === "PRIVACY_EXPORT_LINK_ISSUED")).toHaveLength(3);
      expect(mine.filter((entry) => entry.action === "PRIVACY_EXPORT_DOWNLOADED")).toHaveLength(4);
      expect(mine.some((entry) => entry.actor === `admin@download-${kind}`)).toBe(true);
      expect(await storesNaming(system, subject)).toEqual([]);

      system.clock.advance(5 * 60_000 + 1000);
      const expired = await get(url, await admin(subject));
      expect(expired.status).toBe(401);
      expect((await expired.json()).error.message).toMatch(/download link rejected/);
    });

    it("purges archives after 30 days and receipts (with the request) after a year, through runRetention; the ledger stays", async () => {
      const subject = await seedSubject(system, `purge-${kind}`, 1, 5);
      const filed = await restrict(subject.adminToken, subject.userId);
      const done = await waitForRequest(system, subject.adminToken, filed.id, FOLLOW);
      const folder = dirname(fileURLToPath(done.export.location));
      expect(existsSync(folder)).toBe(true);
      const retention = async () => {
        const operator = await system.token(viewer("operator", { subject: "ops@platform" }));
        expect((await system.gql(operator, `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
      };

      system.clock.advance(30 * DAY_MS - 60_000);
      await retention();
      expect(existsSync(folder)).toBe(true);
      system.clock.advance(2 * 60_000);
      await retention();
      expect(existsSync(folder)).toBe(false);
      const purged = await waitForRequest(system, await admin(subject), filed.id, "archivePurged", () => true);
      expect(purged.archivePurged).toBe(true);
      const link = await system.gql(await admin(subject), `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url } }`, { id: filed.id });
      expect(code(link)).toBe("NOT_FOUND");

      // The same purge, as retention in another process calls it: service identity only, asOf required.
      const service = await internalToken(system.internalKeys, viewer("service", { subject: "service:retention" }), system.clock.now());
      const route = (token: string, body: unknown): Promise<any> =>
        fetch(`${system.urls.governance}/internal/privacy/purge-expired`, { method: "POST", headers: { "content-type": "application/json", [INTERNAL_TOKEN_HEADER]: token }, body: JSON.stringify(body) });
      const direct = await route(service, { asOf: system.clock.now().toISOString() });
      expect(await direct.json()).toEqual({ archivesPurged: 0, receiptsPurged: 0, withdrawnPurged: 0 });
      const badAsOf = await route(service, { asOf: "soon" });
      expect(badAsOf.status).toBe(400);
      expect((await badAsOf.json()).error.message).toContain('"soon"');
      expect((await route(await internalToken(system.internalKeys, viewer("operator"), system.clock.now()), { asOf: system.clock.now().toISOString() })).status).toBe(403);

      system.clock.advance(336 * DAY_MS);
      await retention();
      expect(await system.stores.governance[0]!.db.getRepository(PrivacyRequestRecord).countBy({ id: filed.id })).toBe(0);
      expect(await system.stores.governance[0]!.db.getRepository(PrivacyReceiptRecord).countBy({ requestId: filed.id })).toBe(0);
      expect(await system.stores.governance[0]!.db.getRepository(ErasureLedgerRecord).count()).toBeGreaterThan(0);
    });

  });
}
