/**
 * Privacy requests as cases, through the gateway: access requests that copy and erase
 * nothing, the tenant's approval policy with four eyes, denial, cancellation, deadline
 * extensions and the history of every step. The adversarial parts try to break the
 * promises: a requester approving their own request, two approvers at once, and
 * cancellations fired at random moments against running workers (a cancel either wins
 * before erasure begins and every record stays, or loses with CONFLICT: never a canceled
 * request whose data is gone).
 */
import fc from "fast-check";
import { DAY_MS } from "@dgg/common";
import { viewer } from "@dgg/common/testkit";
import { waitForRequest } from "../support/privacy";
import { startTestSystem } from "../support/system";
import type { StoreKind, TestSystem } from "../support/system";
import { heldRecords, seedSubject } from "./harness";
import type { Subject } from "./harness";
import { FAULT_POINTS } from "../../subgraphs/governance/src/privacy/engine/faults";
import { oneShotFaults } from "../support/one-shot-faults";

const REQUEST_FIELDS = "id kind status approvedBy approvedAt decisionReason dueAt overdue requestedBy deadlineExtensions { days reason extendedBy } erasures { category erased }";
const HISTORY = `history(first: 100) { totalCount edges { node { action actor status details } } }`;

type Gql = Awaited<ReturnType<TestSystem["gql"]>>;
const codeOf = (response: Gql): string | undefined => response.body.errors?.[0]?.extensions?.code as string | undefined;

export function describeCasesSuite(kind: StoreKind): void {
  describe(`privacy requests as cases (${kind})`, () => {
    let system: TestSystem;
    /** One-shot actions at named engine points (the in-process workers call `hit`). */
    const { onPoint, faults } = oneShotFaults();

    beforeAll(async () => {
      system = await startTestSystem(kind, {
        faults,
      });
    });

    afterAll(async () => {
      await system?.stop();
    });

    const officerOf = (subject: Subject, name: string) => system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: `${name}@${subject.name}` }));
    const selfOf = (subject: Subject) => system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: subject.userId, subject: `self@${subject.name}` }));

    /** Whether the user's telemetry is accepted now (a restriction's freeze refuses it with CONFLICT). */
    async function acceptsTelemetry(subject: Subject): Promise<boolean> {
      const response = await system.gql(subject.adminToken, `mutation($e: [TelemetryEventInput!]!) { ingestTelemetry(events: $e) { accepted rejected { code } } }`, {
        e: [{ userId: subject.userId, kind: "SERVICE_LOG", occurredAt: system.clock.now().toISOString(), payload: { probe: true } }],
      });
      expect(response.body.errors).toBeUndefined();
      const result = response.body.data!.ingestTelemetry as { accepted: number; rejected: { code: string }[] };
      if (result.accepted === 0) expect(result.rejected.map((rejection) => rejection.code)).toEqual(["CONFLICT"]);
      return result.accepted === 1;
    }

    async function waitUntilAccepting(subject: Subject): Promise<void> {
      for (let tries = 0; tries < 200; tries += 1) {
        if (await acceptsTelemetry(subject)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`user ${subject.userId} stayed frozen`);
    }

    async function setPolicy(subject: Subject, erasure: boolean, access: boolean): Promise<void> {
      const set = await system.gql(subject.adminToken, `mutation($t: ID!, $i: PrivacyRequestPolicyInput!) { setPrivacyRequestPolicy(tenantId: $t, input: $i) { tenantId erasureRequiresApproval accessRequiresApproval } }`, {
        t: subject.tenantId,
        i: { erasureRequiresApproval: erasure, accessRequiresApproval: access },
      });
      expect(set.body.errors).toBeUndefined();
      expect(set.body.data!.setPrivacyRequestPolicy).toEqual({ tenantId: subject.tenantId, erasureRequiresApproval: erasure, accessRequiresApproval: access });
    }

    const view = async (subject: Subject) =>
      (await system.gql(subject.adminToken, `query($u: ID!) { personalData(user: $u) { account { displayName } devices { totalCount } telemetry { totalCount } } }`, { u: subject.userId }))
        .body.data?.personalData;

    it("answers a data subject's access request with a downloadable copy, erasing and freezing nothing", async () => {
      const subject = await seedSubject(system, `ana-access-${kind}`, 1, 6);
      const self = await selfOf(subject);
      const before = await view(subject);
      const filed = await system.gql(self, `mutation($u: ID!) { requestPersonalDataExport(user: $u, reason: "my copy") { ${REQUEST_FIELDS} } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const request = filed.body.data!.requestPersonalDataExport;
      expect(request).toMatchObject({ kind: "ACCESS", status: "RECEIVED", requestedBy: `self@${subject.name}` });
      // Several access requests may be open for one user; a second one is a new request.
      const second = await system.gql(subject.adminToken, `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id } }`, { u: subject.userId });
      expect(second.body.data!.requestPersonalDataExport.id).not.toBe(request.id);

      const done = await waitForRequest(system, self, request.id as string, `${REQUEST_FIELDS} export { counts { category records } } receipt { manifestSha256 erasures { erased } } ${HISTORY}`);
      expect(done.status).toBe("COMPLETED");
      expect(done.erasures.every((count: { erased: number }) => count.erased === 0)).toBe(true);
      expect(done.receipt.erasures).toEqual([]);
      expect(done.export.counts).toContainEqual({ category: "TELEMETRY", records: 6 });
      const actions = done.history.edges.map((edge: { node: { action: string } }) => edge.node.action);
      expect(actions).toEqual(["FILED", "EXPORT_STARTED", "EXPORTED", "VERIFIED", "COMPLETED"]);
      expect(done.history.edges[0].node).toMatchObject({ actor: `self@${subject.name}`, status: "RECEIVED" });
      // Nothing erased, nothing frozen: the data is as it was, and new telemetry is taken.
      expect(await view(subject)).toEqual(before);
      expect(await acceptsTelemetry(subject)).toBe(true);

      // The person downloads their package with their own token.
      const link = await system.gql(self, `mutation($id: ID!) { createPrivacyExportDownload(id: $id) { url files } }`, { id: request.id });
      expect(link.body.errors).toBeUndefined();
      const { url } = link.body.data!.createPrivacyExportDownload as { url: string; files: string[] };
      const manifest = await fetch(url, { headers: { authorization: `Bearer ${self}` } });
      expect(manifest.status).toBe(200);
      expect(await manifest.json()).toMatchObject({ requestId: request.id, kind: "ACCESS", userId: subject.userId });
      const telemetry = await fetch(`${url}/telemetry.ndjson`, { headers: { authorization: `Bearer ${self}` } });
      expect((await telemetry.text()).trim().split("\n")).toHaveLength(6);
      // Each download is in the history, the person named by role only.
      const downloads = await system.gql(subject.adminToken, `query($id: ID!) { privacyRequest(id: $id) { ${HISTORY} } }`, { id: request.id });
      const downloaded = downloads.body.data!.privacyRequest.history.edges.filter((edge: { node: { action: string } }) => edge.node.action === "DOWNLOADED");
      expect(downloaded.map((edge: { node: { actor: string; status: string; details: { file: string } } }) => [edge.node.actor, edge.node.status, edge.node.details.file])).toEqual([
        ["data-subject", "COMPLETED", "manifest.json"],
        ["data-subject", "COMPLETED", "telemetry.ndjson"],
      ]);
      // Another person of the tenant cannot file or read one about them.
      const neighbour = await system.token(viewer("data-subject", { tenantId: subject.tenantId, userId: "5f0c3a9e-4b7d-4c1e-9a2b-3c4d5e6f7a8b" }));
      expect(codeOf(await system.gql(neighbour, `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id } }`, { u: subject.userId }))).toBe("FORBIDDEN");
      expect(codeOf(await system.gql(neighbour, `query($id: ID!) { privacyRequest(id: $id) { id } }`, { id: request.id }))).toBe("FORBIDDEN");
    });

    it("holds a restriction for approval with four eyes: the requester is refused, a second officer approves, and it runs", async () => {
      const subject = await seedSubject(system, `bo-approve-${kind}`, 1, 4);
      await setPolicy(subject, true, false);
      const policy = await system.gql(subject.adminToken, `query($t: ID!) { privacyRequestPolicy(tenantId: $t) { erasureRequiresApproval accessRequiresApproval } }`, { t: subject.tenantId });
      expect(policy.body.data!.privacyRequestPolicy).toEqual({ erasureRequiresApproval: true, accessRequiresApproval: false });
      const requester = await officerOf(subject, "dpo-one");
      const filed = await system.gql(requester, `mutation($u: ID!) { restrictProcessing(user: $u, reason: "asked by the user") { ${REQUEST_FIELDS} } }`, { u: subject.userId });
      expect(filed.body.errors).toBeUndefined();
      const id = filed.body.data!.restrictProcessing.id as string;
      expect(filed.body.data!.restrictProcessing.status).toBe("AWAITING_APPROVAL");
      // The freeze starts at filing, and nothing runs while it waits.
      expect(await acceptsTelemetry(subject)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await heldRecords(system, subject.userId)).toBeGreaterThan(0);
      // A second filing gets the waiting request back.
      const again = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: subject.userId });
      expect(again.body.data!.restrictProcessing).toEqual({ id, status: "AWAITING_APPROVAL" });

      const own = await system.gql(requester, `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id status } }`, { id });
      expect(codeOf(own)).toBe("FORBIDDEN");
      expect(own.body.errors![0]!.message).toMatch(/you filed privacy request .*another privacy officer or tenant admin/);
      expect(own.body.data?.approvePrivacyRequest ?? null).toBeNull();
      const still = await system.gql(subject.adminToken, `query($id: ID!) { privacyRequest(id: $id) { status approvedBy } }`, { id });
      expect(still.body.data!.privacyRequest).toEqual({ status: "AWAITING_APPROVAL", approvedBy: null });
      // The data subject cannot approve either (not a decider).
      expect(codeOf(await system.gql(await selfOf(subject), `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id } }`, { id }))).toBe("FORBIDDEN");

      // Two other deciders approve at the same moment: one wins, the other is told it changed.
      const second = await officerOf(subject, "dpo-two");
      const [first, other] = await Promise.all([
        system.gql(second, `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id status approvedBy } }`, { id }),
        system.gql(subject.adminToken, `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id status approvedBy } }`, { id }),
      ]);
      const outcomes = [first, other].map((response) => (response.body.errors ? codeOf(response) : "ok")).sort();
      expect(outcomes).toEqual(["CONFLICT", "ok"]);
      const winner = [first, other].find((response) => !response.body.errors)!.body.data!.approvePrivacyRequest;
      expect(winner.status).toBe("RECEIVED");
      expect([`dpo-two@${subject.name}`, `admin@${subject.name}`]).toContain(winner.approvedBy);

      const done = await waitForRequest(system, subject.adminToken, id, `approvedBy approvedAt ${HISTORY}`);
      expect(done.status).toBe("COMPLETED");
      expect(await heldRecords(system, subject.userId)).toBe(0);
      const nodes = done.history.edges.map((edge: { node: { action: string; actor: string; status: string } }) => edge.node);
      expect(nodes.map((node: { action: string }) => node.action)).toEqual(["FILED", "APPROVED", "EXPORT_STARTED", "EXPORTED", "VERIFIED", "ERASURE_STARTED", "COMPLETED"]);
      expect(nodes[0]).toMatchObject({ actor: `dpo-one@${subject.name}`, status: "AWAITING_APPROVAL" });
      expect(nodes[1]).toMatchObject({ actor: winner.approvedBy, status: "RECEIVED" });
      expect(nodes[6]).toMatchObject({ actor: "privacy-worker", status: "COMPLETED" });
      expect(done.history.totalCount).toBe(7);
      // Paged: the cursor of the third event leads to the fourth.
      const page = await system.gql(subject.adminToken, `query($id: ID!) { privacyRequest(id: $id) { history(first: 3) { edges { cursor node { action } } pageInfo { hasNextPage endCursor } } } }`, { id });
      const history = page.body.data!.privacyRequest.history;
      expect(history.pageInfo.hasNextPage).toBe(true);
      const next = await system.gql(subject.adminToken, `query($id: ID!, $a: String) { privacyRequest(id: $id) { history(first: 2, after: $a) { edges { node { action } } } } }`, { id, a: history.pageInfo.endCursor });
      expect(next.body.data!.privacyRequest.history.edges.map((edge: { node: { action: string } }) => edge.node.action)).toEqual(["EXPORTED", "VERIFIED"]);
      // Every decision is on the audit trail.
      const trail = await system.gql(subject.adminToken, `{ tenantAuditLog(first: 100) { edges { node { action actor } } } }`);
      const actions = trail.body.data!.tenantAuditLog.edges.map((edge: { node: { action: string } }) => edge.node.action);
      expect(actions).toEqual(expect.arrayContaining(["PRIVACY_REQUEST_POLICY_SET", "PRIVACY_REQUEST_RECEIVED", "PRIVACY_REQUEST_APPROVED"]));
    });

    it("denies with a reason and cancels a running request: every record stays, the freeze is lifted, bad input changes nothing", async () => {
      const denied = await seedSubject(system, `cy-deny-${kind}`, 1, 3);
      await setPolicy(denied, true, true);
      const before = await view(denied);
      const filed = await system.gql(denied.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: denied.userId });
      const id = filed.body.data!.restrictProcessing.id as string;
      expect(await acceptsTelemetry(denied)).toBe(false);
      const officer = await officerOf(denied, "dpo");
      const blank = await system.gql(officer, `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "  ") { id } }`, { id });
      expect(codeOf(blank)).toBe("BAD_USER_INPUT");
      expect(blank.body.errors![0]!.message).toMatch(/reason/);
      const refused = await system.gql(officer, `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "identity not verified") { ${REQUEST_FIELDS} } }`, { id });
      expect(refused.body.errors).toBeUndefined();
      expect(refused.body.data!.denyPrivacyRequest).toMatchObject({ status: "DENIED", decisionReason: "identity not verified", overdue: false });
      // Finished: nothing more can be decided.
      expect(codeOf(await system.gql(officer, `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "again") { id } }`, { id }))).toBe("CONFLICT");
      expect(codeOf(await system.gql(await officerOf(denied, "dpo-two"), `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id } }`, { id }))).toBe("CONFLICT");
      await waitUntilAccepting(denied);
      const after = (await view(denied)) as { telemetry: { totalCount: number } };
      expect({ ...after, telemetry: null }).toEqual({ ...before, telemetry: null });
      expect(after.telemetry.totalCount).toBeGreaterThan(before.telemetry.totalCount);
      const deniedHistory = await waitForRequest(system, denied.adminToken, id, HISTORY, (request) => request.history.edges.some((edge: { node: { action: string } }) => edge.node.action === "FREEZE_LIFTED"));
      expect(deniedHistory.history.edges.map((edge: { node: { action: string } }) => edge.node.action)).toEqual(["FILED", "DENIED", "FREEZE_LIFTED"]);
      // A new restriction may be filed after a denial.
      const refiled = await system.gql(denied.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: denied.userId });
      expect(refiled.body.data!.restrictProcessing.id).not.toBe(id);
      await system.gql(officer, `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "duplicate") { id } }`, { id: refiled.body.data!.restrictProcessing.id });

      // Cancel: the workers are held back so the request is mid-way (RECEIVED) when the data subject withdraws it.
      const canceled = await seedSubject(system, `di-cancel-${kind}`, 1, 3);
      await system.governance.workers.stop();
      let requestId: string;
      try {
        const restricted = await system.gql(canceled.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id status } }`, { u: canceled.userId });
        requestId = restricted.body.data!.restrictProcessing.id as string;
        expect(await acceptsTelemetry(canceled)).toBe(false);
        const self = await selfOf(canceled);
        const noReason = await system.gql(self, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "") { id } }`, { id: requestId });
        expect(codeOf(noReason)).toBe("BAD_USER_INPUT");
        const done = await system.gql(self, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "I changed my mind") { ${REQUEST_FIELDS} } }`, { id: requestId });
        expect(done.body.errors).toBeUndefined();
        expect(done.body.data!.cancelPrivacyRequest).toMatchObject({ status: "CANCELED", decisionReason: "I changed my mind" });
      } finally {
        system.governance.workers.start();
      }
      await waitUntilAccepting(canceled);
      expect(await heldRecords(system, canceled.userId)).toBeGreaterThan(0);
      const record = await waitForRequest(system, canceled.adminToken, requestId, `erasures { erased } ${HISTORY}`, (request) =>
        request.history.edges.some((edge: { node: { action: string } }) => edge.node.action === "FREEZE_LIFTED"),
      );
      expect(record.status).toBe("CANCELED");
      expect(record.history.edges.map((edge: { node: { action: string; actor: string } }) => [edge.node.action, edge.node.actor])).toEqual([
        ["FILED", `admin@${canceled.name}`],
        ["CANCELED", `self@${canceled.name}`],
        ["FREEZE_LIFTED", "privacy-worker"],
      ]);
      // A completed request cannot be canceled: its erasure happened.
      const completed = await seedSubject(system, `ed-late-${kind}`, 0, 2, canceled.tenantId);
      const late = await system.gql(completed.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: completed.userId });
      const lateId = late.body.data!.restrictProcessing.id as string;
      await waitForRequest(system, completed.adminToken, lateId, "id");
      const tooLate = await system.gql(completed.adminToken, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "too late") { id } }`, { id: lateId });
      expect(codeOf(tooLate)).toBe("CONFLICT");
    });

    it("changes nothing when the audit trail cannot record a decision: the request, its history and its freeze stay as they were", async () => {
      const subject = await seedSubject(system, `hal-unaudited-${kind}`, 0, 2);
      await setPolicy(subject, true, true);
      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
      const id = filed.body.data!.restrictProcessing.id as string;
      const officer = await officerOf(subject, "dpo");
      const state = async () =>
        (await system.gql(subject.adminToken, `query($id: ID!) { privacyRequest(id: $id) { status approvedBy decisionReason dueAt deadlineExtensions { days } ${HISTORY} } }`, { id })).body.data!
          .privacyRequest;
      const before = await state();
      await system.pause("audit");
      try {
        for (const mutation of [
          `mutation($id: ID!) { approvePrivacyRequest(id: $id) { id } }`,
          `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "no") { id } }`,
          `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "no") { id } }`,
          `mutation($id: ID!) { extendPrivacyRequestDeadline(id: $id, days: 5, reason: "no") { id } }`,
        ]) {
          const refused = await system.gql(officer, mutation, { id });
          expect([mutation, codeOf(refused)]).toEqual([mutation, "UNAVAILABLE"]);
        }
      } finally {
        await system.resume("audit");
      }
      expect(await state()).toEqual(before);
      expect(await acceptsTelemetry(subject)).toBe(false);
      // And once the trail is back, the same decision goes through.
      const approved = await system.gql(officer, `mutation($id: ID!) { approvePrivacyRequest(id: $id) { status } }`, { id });
      expect(approved.body.data!.approvePrivacyRequest.status).toBe("RECEIVED");
      expect((await waitForRequest(system, subject.adminToken, id, "id")).status).toBe("COMPLETED");
    });

    it("extends a deadline up to 60 days in all, each with a reason, and computes overdue against the new date", async () => {
      const subject = await seedSubject(system, `fay-extend-${kind}`, 0, 2);
      await setPolicy(subject, true, true);
      const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { requestPersonalDataExport(user: $u) { id dueAt } }`, { u: subject.userId });
      const { id, dueAt } = filed.body.data!.requestPersonalDataExport as { id: string; dueAt: string };
      const officer = await officerOf(subject, "dpo");
      const extend = (days: number, reason: string) =>
        system.gql(officer, `mutation($id: ID!, $d: Int!, $r: String!) { extendPrivacyRequestDeadline(id: $id, days: $d, reason: $r) { dueAt overdue deadlineExtensions { days reason extendedBy } } }`, { id, d: days, r: reason });
      const first = await extend(20, "complex: several systems");
      expect(first.body.errors).toBeUndefined();
      expect(new Date(first.body.data!.extendPrivacyRequestDeadline.dueAt).getTime() - new Date(dueAt).getTime()).toBe(20 * DAY_MS);
      // Too many days in all, zero days, no reason: refused, naming the argument, and nothing changes.
      for (const [days, reason, argument] of [[41, "more", "days"], [0, "none", "days"], [5, " ", "reason"]] as const) {
        const refused = await extend(days, reason);
        expect(codeOf(refused)).toBe("BAD_USER_INPUT");
        expect(refused.body.errors![0]!.extensions!.argument ?? refused.body.errors![0]!.message).toMatch(argument);
      }
      const second = await extend(40, "awaiting the processor's reply");
      expect(second.body.data!.extendPrivacyRequestDeadline.deadlineExtensions).toEqual([
        { days: 20, reason: "complex: several systems", extendedBy: `dpo@${subject.name}` },
        { days: 40, reason: "awaiting the processor's reply", extendedBy: `dpo@${subject.name}` },
      ]);
      expect(codeOf(await extend(1, "one more"))).toBe("BAD_USER_INPUT");
      // 31 days later it would have been overdue; with 60 more days it is not, until those pass too.
      // Tokens are minted on the test clock: a fresh one after each jump.
      const overdueIds = async () =>
        ((await system.gql(await officerOf(subject, "dpo"), `query($t: ID!) { privacyRequests(tenantId: $t, overdue: true, kind: ACCESS) { edges { node { id } } } }`, { t: subject.tenantId })).body.data!
          .privacyRequests.edges as { node: { id: string } }[]).map((edge) => edge.node.id);
      system.clock.advance(31 * DAY_MS);
      expect(await overdueIds()).not.toContain(id);
      system.clock.advance(60 * DAY_MS);
      expect(await overdueIds()).toContain(id);
      const later = await officerOf(subject, "dpo");
      const history = await system.gql(later, `query($id: ID!) { privacyRequest(id: $id) { overdue ${HISTORY} } }`, { id });
      expect(history.body.data!.privacyRequest.overdue).toBe(true);
      const extended = history.body.data!.privacyRequest.history.edges.filter((edge: { node: { action: string } }) => edge.node.action === "EXTENDED");
      expect(extended.map((edge: { node: { details: { days: number } } }) => edge.node.details.days)).toEqual([20, 40]);
      // Clean up: a denial ends it.
      expect((await system.gql(later, `mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "test over") { status } }`, { id })).body.data!.denyPrivacyRequest.status).toBe("DENIED");

      // A denied request has no receipt; it and its history go a year after the decision, like a receipt.
      const stored = async () => {
        const p = kind === "postgres" ? "$1" : "?";
        const db = system.stores.governance[0]!.db;
        const rows = (await db.query(`SELECT COUNT(*) AS n FROM privacy_request WHERE id = ${p}`, [id])) as { n: string | number }[];
        const events = (await db.query(`SELECT COUNT(*) AS n FROM privacy_request_event WHERE request_id = ${p}`, [id])) as { n: string | number }[];
        return [Number(rows[0]!.n), Number(events[0]!.n)];
      };
      const operator = async () => system.token(viewer("operator", { subject: `ops@${subject.name}` }));
      expect((await system.gql(await operator(), `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
      expect(await stored()).toEqual([1, 4]);
      system.clock.advance(366 * DAY_MS);
      expect((await system.gql(await operator(), `mutation { runRetention { startedAt } }`)).body.errors).toBeUndefined();
      expect(await stored()).toEqual([0, 0]);
    });

    it("never lets a cancellation and an erasure both happen: a cancel fired at every step of the engine in turn", async () => {
      const tenant = await seedSubject(system, `ivy-steps-${kind}`, 0, 0);
      const outcomes: string[] = [];
      for (const point of FAULT_POINTS) {
        const subject = await seedSubject(system, `step-${point}-${kind}`, 1, 6, tenant.tenantId);
        let cancel: Promise<Awaited<ReturnType<TestSystem["gql"]>>> | null = null;
        // The worker reaches the point and goes on; the cancel starts right there, racing its next
        // steps (the request's id is read from the store: the filing may not have answered yet).
        const p = kind === "postgres" ? "$1" : "?";
        onPoint.set(point, () => {
          cancel = (system.stores.governance[0]!.db.query(`SELECT id FROM privacy_request WHERE user_id = ${p}`, [subject.userId]) as Promise<{ id: string }[]>).then((rows) =>
            system.gql(subject.adminToken, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "at ${point}") { status } }`, { id: rows[0]!.id }),
          );
        });
        const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
        const requestId = filed.body.data!.restrictProcessing.id as string;
        const final = await waitForRequest(system, subject.adminToken, requestId, "id", (request) => ["COMPLETED", "FAILED", "CANCELED"].includes(request.status as string));
        onPoint.delete(point);
        if (cancel === null) {
          // A point this path does not pass (report.html has its own, for example): nothing was fired.
          expect([point, final.status]).toEqual([point, "COMPLETED"]);
          outcomes.push(`${point}: not reached`);
          continue;
        }
        const answer = await (cancel as Promise<Awaited<ReturnType<TestSystem["gql"]>>>);
        if (answer.body.errors) {
          expect([point, codeOf(answer), final.status, await heldRecords(system, subject.userId)]).toEqual([point, "CONFLICT", "COMPLETED", 0]);
          outcomes.push(`${point}: erasure won`);
        } else {
          expect([point, final.status, await heldRecords(system, subject.userId)]).toEqual([point, "CANCELED", 1 + 1 + 6]);
          await waitUntilAccepting(subject);
          outcomes.push(`${point}: cancel won`);
        }
      }
      console.log(`[${kind}] a cancel at each engine step: ${outcomes.join("; ")}`);
      // Both outcomes happen: before erasure starts the cancel wins, after it the erasure does.
      expect(outcomes).toContain("claim.after: cancel won");
      expect(outcomes).toContain("finish.completed: erasure won");
    });

    it("never lets a cancellation and an erasure both happen: cancels fired at random moments against running workers", async () => {
      const tenant = await seedSubject(system, `gus-race-${kind}`, 0, 0);
      let round = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 400 }), async (delayMs) => {
          round += 1;
          const subject = await seedSubject(system, `race-${round}-${kind}`, 1, 20, tenant.tenantId);
          const filed = await system.gql(subject.adminToken, `mutation($u: ID!) { restrictProcessing(user: $u) { id } }`, { u: subject.userId });
          const id = filed.body.data!.restrictProcessing.id as string;
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          const cancel = await system.gql(subject.adminToken, `mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "race") { status } }`, { id });
          const final = await waitForRequest(system, subject.adminToken, id, "erasures { erased }", (request) => ["COMPLETED", "FAILED", "CANCELED"].includes(request.status as string));
          if (cancel.body.errors) {
            // Lost: erasure had begun, so the request completes and the data is gone.
            expect(codeOf(cancel)).toBe("CONFLICT");
            expect(final.status).toBe("COMPLETED");
            expect(await heldRecords(system, subject.userId)).toBe(0);
          } else {
            // Won: nothing was erased, whatever the workers were doing.
            expect(final.status).toBe("CANCELED");
            await new Promise((resolve) => setTimeout(resolve, 200));
            expect(await heldRecords(system, subject.userId)).toBe(1 + 1 + 20);
            await waitUntilAccepting(subject);
          }
        }),
        { numRuns: 8, seed: 0x5eed, endOnFailure: true },
      );
    });
  });
}
