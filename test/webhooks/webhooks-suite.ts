/**
 * Scenarios of signed webhooks for privacy requests, with the whole graph in one process
 * and a real HTTP receiver on loopback that checks every signature: a restriction announced
 * from filing to completion with no personal data in it; a receiver that fails and is
 * retried with backoff until DELIVERED (or FAILED); a delivery pending across a restart of
 * governance; REQUEST_OVERDUE sent once however many replicas sweep; the URL policy at
 * creation and again at delivery (DNS rebinding); deletion; other tenants refused.
 * Shared by SQLite and PostgreSQL; the test clock drives every backoff.
 */
import { randomUUID } from "node:crypto";
import { DAY_MS } from "@dgg/common";
import { internalToken, postGraphQL, viewer } from "@dgg/common/testkit";
import type { ResolvedAddress } from "../../subgraphs/governance/src/webhooks/url-policy";
import { waitForRequest } from "../support/privacy";
import { countAcross, startTestSystem } from "../support/system";
import type { GraphQLResponse, StoreKind, TestSystem } from "../support/system";
import { seedSubject } from "../privacy/harness";
import type { Subject } from "../privacy/harness";
import { readmeVerifier, startReceiver, stripeVerifies, verifySignature } from "./receiver";
import type { Receiver, Received } from "./receiver";

const RETRY_BASE_MS = 1000;
const MAX_ATTEMPTS = 4;
const DELIVERIES = `webhooks(tenantId: $t) { id url events deliveries(first: 20) { totalCount edges { node { id event requestId status attempts lastResponseStatus lastError createdAt deliveredAt } } } }`;

const codeOf = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.code;
const argumentOf = (response: GraphQLResponse) => response.body.errors?.[0]?.extensions?.argument;

export function describeWebhooksSuite(kind: StoreKind): void {
  describe(`webhooks on ${kind}`, () => {
    let system: TestSystem;
    let receiver: Receiver;

    beforeAll(async () => {
      system = await startTestSystem(kind, { webhooks: { retryBaseMs: RETRY_BASE_MS, retryMaxMs: 8 * RETRY_BASE_MS, maxAttempts: MAX_ATTEMPTS, timeoutMs: 2000, leaseMs: 5000 } });
      receiver = await startReceiver(() => system.clock.now().getTime());
    });

    afterAll(async () => {
      await receiver?.close();
      await system?.stop();
    });

    // A test that stopped the dispatcher or the workers and failed must not leave the next one without them.
    afterEach(() => {
      system.governance.webhooks.start();
      system.governance.workers.start();
    });

    const admin = (subject: Subject) => system.token(viewer("tenant-admin", { tenantId: subject.tenantId, subject: `admin@${subject.name}` }));
    const p = (n: number) => (system.kind === "postgres" ? `$${n}` : "?");
    const governance = () => system.stores.governance[0]!.db;

    /** Registers a webhook posting to a fresh path of the receiver, which learns its secret. */
    async function register(subject: Subject, events: string[]): Promise<{ id: string; path: string; secret: string }> {
      const path = `/hooks/${randomUUID()}`;
      const response = await system.gql(await admin(subject), `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { webhook { id url events } signingSecret } }`, {
        t: subject.tenantId,
        i: { url: receiver.url(path), events },
      });
      expect(response.body.errors).toBeUndefined();
      const { webhook, signingSecret } = response.body.data!.createWebhook as { webhook: { id: string; events: string[] }; signingSecret: string };
      expect(webhook.events).toEqual(events);
      expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      receiver.expect(path, signingSecret);
      return { id: webhook.id, path, secret: signingSecret };
    }

    async function restrict(subject: Subject): Promise<string> {
      const response = await system.gql(await admin(subject), `mutation($u: ID!) { restrictProcessing(user: $u, reason: "Ada Lovelace asked by phone") { id status } }`, { u: subject.userId });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!.restrictProcessing.id as string;
    }

    /** A fresh subject with a REQUEST_RECEIVED webhook and a restriction filed while the dispatcher is stopped: one delivery left pending. */
    async function pendingDelivery(name: string): Promise<{ subject: Subject; hook: Awaited<ReturnType<typeof register>> }> {
      const subject = await seedSubject(system, name, 0, 0);
      const hook = await register(subject, ["REQUEST_RECEIVED"]);
      await system.governance.webhooks.stop();
      await restrict(subject);
      return { subject, hook };
    }

    /** The tenant's webhooks with their deliveries, through the gateway. */
    async function deliveriesOf(subject: Subject, webhookId: string): Promise<Record<string, any>[]> {
      const response = await system.gql(await admin(subject), `query($t: ID!) { ${DELIVERIES} }`, { t: subject.tenantId });
      expect(response.body.errors).toBeUndefined();
      const hook = (response.body.data!.webhooks as Record<string, any>[]).find((candidate) => candidate.id === webhookId);
      return hook ? hook.deliveries.edges.map((edge: { node: Record<string, any> }) => edge.node) : [];
    }

    /** Polls the API until `until` holds for the webhook's deliveries. */
    async function waitForDeliveries(subject: Subject, webhookId: string, until: (deliveries: Record<string, any>[]) => boolean): Promise<Record<string, any>[]> {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const deliveries = await deliveriesOf(subject, webhookId);
        if (until(deliveries)) return deliveries;
        if (Date.now() > deadline) throw new Error(`deliveries never got there: ${JSON.stringify(deliveries)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }

    const payloadOf = (entry: Received) => JSON.parse(entry.body) as { id: string; type: string; createdAt: string; data: Record<string, unknown> };

    it("announces a restriction from RECEIVED to COMPLETED, signed, in order, with ids, statuses and dates only", async () => {
      const subject = await seedSubject(system, `ada-${kind}`, 2, 5, undefined, "Ada Lovelace");
      const hook = await register(subject, ["REQUEST_RECEIVED", "REQUEST_COMPLETED", "REQUEST_FAILED"]);
      const requestId = await restrict(subject);
      await waitForRequest(system, await admin(subject), requestId, "id");
      const posts = await receiver.waitFor(hook.path, 2);
      expect(posts.map((post) => [payloadOf(post).type, post.answered, post.valid, post.stripeValid])).toEqual([
        ["REQUEST_RECEIVED", 200, true, true],
        ["REQUEST_COMPLETED", 200, true, true],
      ]);
      for (const post of posts) {
        const payload = payloadOf(post);
        expect(Object.keys(payload)).toEqual(["id", "type", "createdAt", "data"]);
        expect(post.headers["content-type"]).toBe("application/json");
        expect(post.headers["x-dgg-event"]).toBe(payload.type);
        expect(post.headers["x-dgg-delivery"]).toBe(payload.id);
        expect(post.headers["x-dgg-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
        expect(payload.data).toMatchObject({ requestId, tenantId: subject.tenantId, kind: "RESTRICT_PROCESSING" });
        expect(Object.keys(payload.data).sort()).toEqual(
          (payload.type === "REQUEST_COMPLETED" ? ["completedAt", "dueAt", "kind", "receivedAt", "requestId", "status", "tenantId"] : ["dueAt", "kind", "receivedAt", "requestId", "status", "tenantId"]).sort(),
        );
        // Nothing about the person: not their id, name, principal name, devices' serials, nor the reason typed in.
        for (const personal of [subject.userId, "Ada Lovelace", "Lovelace", `ada-${kind}@example.eu`, `SN-ada-${kind}`, "asked by phone"]) expect(post.body).not.toContain(personal);
      }
      // The README's snippet, as a receiver would paste it, agrees.
      const readme = readmeVerifier();
      expect(posts.map((post) => readme(post.body, post.headers["x-dgg-signature"] as string, hook.secret))).toEqual([true, true]);
      expect(readme(posts[0]!.body.replace("RECEIVED", "COMPLETED"), posts[0]!.headers["x-dgg-signature"] as string, hook.secret)).toBe(false);
      expect(payloadOf(posts[0]!).data.status).toBe("RECEIVED");
      expect(payloadOf(posts[1]!).data.status).toBe("COMPLETED");
      const listed = await waitForDeliveries(subject, hook.id, (deliveries) => deliveries.every((delivery) => delivery.status === "DELIVERED"));
      // Newest first; the test clock stood still, so both have one creation time: compared sorted.
      expect(listed.map((delivery) => [delivery.event, delivery.status, delivery.attempts, delivery.lastResponseStatus, delivery.lastError, delivery.requestId]).sort()).toEqual([
        ["REQUEST_COMPLETED", "DELIVERED", 1, 200, null, requestId],
        ["REQUEST_RECEIVED", "DELIVERED", 1, 200, null, requestId],
      ]);
      expect(listed.every((delivery) => typeof delivery.deliveredAt === "string")).toBe(true);
    });

    it("announces the decisions on a case: awaiting approval, approved, extended, denied, canceled; signed, no personal data, none for an undone one", async () => {
      const subject = await seedSubject(system, `bea-cases-${kind}`, 1, 3, undefined, "Bea Decided");
      const adminToken = await admin(subject);
      const officer = await system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: `dpo@${subject.name}` }));
      const hook = await register(subject, ["REQUEST_AWAITING_APPROVAL", "REQUEST_APPROVED", "REQUEST_DENIED", "REQUEST_CANCELED", "REQUEST_DEADLINE_EXTENDED"]);
      const policy = await system.gql(adminToken, `mutation($t: ID!) { setPrivacyRequestPolicy(tenantId: $t, input: { erasureRequiresApproval: true, accessRequiresApproval: true }) { tenantId } }`, { t: subject.tenantId });
      expect(policy.body.errors).toBeUndefined();
      const file = async (mutation: string) => {
        const filed = await system.gql(adminToken, `mutation($u: ID!) { ${mutation}(user: $u, reason: "Bea Decided asked") { id status } }`, { u: subject.userId });
        expect(filed.body.data![mutation].status).toBe("AWAITING_APPROVAL");
        return filed.body.data![mutation].id as string;
      };
      const decide = async (query: string, id: string) => {
        const response = await system.gql(officer, query, { id });
        expect(response.body.errors).toBeUndefined();
      };
      const first = await file("requestPersonalDataExport");
      await decide(`mutation($id: ID!) { extendPrivacyRequestDeadline(id: $id, days: 10, reason: "Bea Decided: complex") { id } }`, first);
      await decide(`mutation($id: ID!) { approvePrivacyRequest(id: $id) { id } }`, first);
      const second = await file("requestPersonalDataExport");
      await decide(`mutation($id: ID!) { denyPrivacyRequest(id: $id, reason: "Bea Decided is not the account holder") { id } }`, second);
      const third = await file("restrictProcessing");
      await decide(`mutation($id: ID!) { cancelPrivacyRequest(id: $id, reason: "Bea Decided withdrew") { id } }`, third);
      const posts = await receiver.waitFor(hook.path, 7);
      const seen = posts.map((post) => [payloadOf(post).type, payloadOf(post).data.requestId, payloadOf(post).data.status, post.valid, post.stripeValid]);
      expect(seen).toEqual([
        ["REQUEST_AWAITING_APPROVAL", first, "AWAITING_APPROVAL", true, true],
        ["REQUEST_DEADLINE_EXTENDED", first, "AWAITING_APPROVAL", true, true],
        ["REQUEST_APPROVED", first, "RECEIVED", true, true],
        ["REQUEST_AWAITING_APPROVAL", second, "AWAITING_APPROVAL", true, true],
        ["REQUEST_DENIED", second, "DENIED", true, true],
        ["REQUEST_AWAITING_APPROVAL", third, "AWAITING_APPROVAL", true, true],
        ["REQUEST_CANCELED", third, "CANCELED", true, true],
      ]);
      for (const post of posts) for (const personal of [subject.userId, "Bea Decided", "Decided", "complex", "account holder", "withdrew"]) expect(post.body).not.toContain(personal);
      // The extension moved the due date the webhook reports.
      expect(new Date(payloadOf(posts[1]!).data.dueAt as string).getTime() - new Date(payloadOf(posts[0]!).data.dueAt as string).getTime()).toBe(10 * 86_400_000);
      const policyOff = await system.gql(adminToken, `mutation($t: ID!) { setPrivacyRequestPolicy(tenantId: $t, input: { erasureRequiresApproval: false, accessRequiresApproval: false }) { tenantId } }`, { t: subject.tenantId });
      expect(policyOff.body.errors).toBeUndefined();
    });

    it("lists every webhook's deliveries in one page query and one count, and pages with a cursor", async () => {
      const subject = await seedSubject(system, `pages-${kind}`, 0, 0);
      const hooks = [await register(subject, ["REQUEST_RECEIVED"]), await register(subject, ["REQUEST_RECEIVED"]), await register(subject, ["REQUEST_RECEIVED"])];
      await restrict(subject);
      for (const hook of hooks) await receiver.waitFor(hook.path, 1);
      const counter = system.counters.governance;
      counter.reset();
      const response = await system.gql(await admin(subject), `query($t: ID!) { webhooks(tenantId: $t) { id deliveries(first: 1) { totalCount edges { node { id } } } } }`, { t: subject.tenantId });
      expect(response.body.errors).toBeUndefined();
      expect((response.body.data!.webhooks as { deliveries: { totalCount: number } }[]).map((hook) => hook.deliveries.totalCount)).toEqual([1, 1, 1]);
      // The dispatcher polls meanwhile: only the statements about delivery pages are counted.
      const pageQueries = counter.statements.filter((sql) => sql.includes("ROW_NUMBER()"));
      const countQueries = counter.statements.filter((sql) => /COUNT\(\*\)/.test(sql) && sql.includes("webhook_delivery") && sql.includes("GROUP BY"));
      expect([pageQueries.length, countQueries.length]).toEqual([1, 1]);
      // Newest first, keyset-paged: the cursor of the only delivery leads to an empty page.
      const first = await system.gql(await admin(subject), `query($t: ID!) { webhooks(tenantId: $t) { deliveries(first: 1) { pageInfo { hasNextPage endCursor } } } }`, { t: subject.tenantId });
      const { endCursor, hasNextPage } = first.body.data!.webhooks[0].deliveries.pageInfo;
      expect(hasNextPage).toBe(false);
      const next = await system.gql(await admin(subject), `query($t: ID!, $a: String) { webhooks(tenantId: $t) { deliveries(first: 5, after: $a) { totalCount edges { node { id } } } } }`, { t: subject.tenantId, a: endCursor });
      expect(next.body.data!.webhooks[0].deliveries).toEqual({ totalCount: 1, edges: [] });
      const bad = await system.gql(await admin(subject), `query($t: ID!) { webhooks(tenantId: $t) { deliveries(after: "not-a-cursor") { totalCount } } }`, { t: subject.tenantId });
      expect([codeOf(bad), argumentOf(bad)]).toEqual(["BAD_USER_INPUT", "after"]);
    });

    it("announces a legal hold's stop (ON_HOLD) and the completion after the lift, not the resumption", async () => {
      const subject = await seedSubject(system, `held-${kind}`, 1, 2);
      const hook = await register(subject, ["REQUEST_RECEIVED", "REQUEST_ON_HOLD", "REQUEST_COMPLETED"]);
      const officer = await system.token(viewer("privacy-officer", { tenantId: subject.tenantId, subject: `officer@${subject.name}` }));
      await system.governance.workers.stop();
      const requestId = await restrict(subject);
      const held = await system.gql(officer, `mutation($u: ID!) { placeLegalHold(user: $u, reason: "Lovelace v. Babbage") { id } }`, { u: subject.userId });
      expect(held.body.errors).toBeUndefined();
      system.governance.workers.start();
      await receiver.waitFor(hook.path, 2);
      await waitForRequest(system, await admin(subject), requestId, "id", (request) => request.status === "ON_HOLD");
      const lifted = await system.gql(officer, `mutation($u: ID!) { liftLegalHold(user: $u) { id } }`, { u: subject.userId });
      expect(lifted.body.errors).toBeUndefined();
      await waitForRequest(system, await admin(subject), requestId, "id");
      const posts = await receiver.waitFor(hook.path, 3);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.at(hook.path).map((post) => [payloadOf(post).type, payloadOf(post).data.status, post.valid])).toEqual([
        ["REQUEST_RECEIVED", "RECEIVED", true],
        ["REQUEST_ON_HOLD", "ON_HOLD", true],
        ["REQUEST_COMPLETED", "COMPLETED", true],
      ]);
      // The hold's reason names people: it is not in any payload.
      for (const post of posts) expect(post.body).not.toContain("Lovelace");
    });

    it("refuses a tampered body or signature, with our verifier, Stripe's and the receiver's answer", async () => {
      const subject = await seedSubject(system, `tamper-${kind}`, 0, 0);
      const hook = await register(subject, ["REQUEST_RECEIVED"]);
      await restrict(subject);
      const [post] = await receiver.waitFor(hook.path, 1);
      const header = post!.headers["x-dgg-signature"] as string;
      const now = Math.floor(system.clock.now().getTime() / 1000);
      const tampered = post!.body.replace(`"type":"REQUEST_RECEIVED"`, `"type":"REQUEST_COMPLETED"`);
      expect(tampered).not.toBe(post!.body);
      expect([verifySignature(post!.body, header, hook.secret, now), stripeVerifies(post!.body, header, hook.secret, now)]).toEqual([true, true]);
      expect([verifySignature(tampered, header, hook.secret, now), stripeVerifies(tampered, header, hook.secret, now)]).toEqual([false, false]);
      expect([verifySignature(post!.body, header, `${hook.secret}x`, now), stripeVerifies(post!.body, header, `${hook.secret}x`, now)]).toEqual([false, false]);
      // Replayed too late: outside the 300 s tolerance.
      expect([verifySignature(post!.body, header, hook.secret, now + 301), stripeVerifies(post!.body, header, hook.secret, now + 301)]).toEqual([false, false]);
      const forged = await fetch(receiver.url(hook.path), { method: "POST", headers: { "content-type": "application/json", "x-dgg-signature": header }, body: tampered });
      expect(forged.status).toBe(401);
    });

    it("retries a delivery the receiver refuses, with backoff, until DELIVERED; the same bytes and id every time", async () => {
      const subject = await seedSubject(system, `retry-${kind}`, 0, 0);
      const hook = await register(subject, ["REQUEST_RECEIVED"]);
      receiver.failNext(hook.path, 2, 500);
      await restrict(subject);
      await receiver.waitFor(hook.path, 1);
      const first = await waitForDeliveries(subject, hook.id, ([delivery]) => delivery?.attempts === 1 && delivery.lastResponseStatus === 500);
      expect(first[0]).toMatchObject({ status: "PENDING", lastError: "the receiver answered HTTP 500", deliveredAt: null });
      // Not before its backoff: a poll without the clock moving sends nothing.
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.at(hook.path)).toHaveLength(1);
      system.clock.advance(RETRY_BASE_MS);
      await receiver.waitFor(hook.path, 2);
      await waitForDeliveries(subject, hook.id, ([delivery]) => delivery?.attempts === 2 && delivery.status === "PENDING");
      system.clock.advance(2 * RETRY_BASE_MS);
      const posts = await receiver.waitFor(hook.path, 3);
      const [delivered] = await waitForDeliveries(subject, hook.id, ([delivery]) => delivery?.status === "DELIVERED");
      expect(delivered).toMatchObject({ event: "REQUEST_RECEIVED", attempts: 3, lastResponseStatus: 200, lastError: null });
      expect(posts.map((post) => post.answered)).toEqual([500, 500, 200]);
      expect(new Set(posts.map((post) => post.body)).size).toBe(1);
      expect(new Set(posts.map((post) => post.headers["x-dgg-delivery"]))).toEqual(new Set([delivered!.id]));
      expect(posts.every((post) => post.valid && post.stripeValid)).toBe(true);
    });

    it("gives up after the last attempt (FAILED), and a request's later events then go", async () => {
      const subject = await seedSubject(system, `fail-${kind}`, 0, 0);
      const hook = await register(subject, ["REQUEST_RECEIVED", "REQUEST_COMPLETED"]);
      receiver.failNext(hook.path, MAX_ATTEMPTS, 503);
      const requestId = await restrict(subject);
      await waitForRequest(system, await admin(subject), requestId, "id");
      for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
        await receiver.waitFor(hook.path, attempt);
        await waitForDeliveries(subject, hook.id, (deliveries) => deliveries.some((delivery) => delivery.event === "REQUEST_RECEIVED" && delivery.attempts === attempt && delivery.status === "PENDING"));
        // COMPLETED waits behind RECEIVED: a receiver hears a request's events in order.
        expect(receiver.at(hook.path).map((post) => payloadOf(post).type)).not.toContain("REQUEST_COMPLETED");
        system.clock.advance(8 * RETRY_BASE_MS);
      }
      const deliveries = await waitForDeliveries(subject, hook.id, (all) => all.some((delivery) => delivery.status === "FAILED") && all.some((delivery) => delivery.status === "DELIVERED"));
      expect(deliveries.map((delivery) => [delivery.event, delivery.status, delivery.attempts, delivery.lastResponseStatus])).toEqual(
        expect.arrayContaining([
          ["REQUEST_RECEIVED", "FAILED", MAX_ATTEMPTS, 503],
          ["REQUEST_COMPLETED", "DELIVERED", 1, 200],
        ]),
      );
      expect(receiver.at(hook.path).map((post) => [payloadOf(post).type, post.answered])).toEqual([
        ...Array.from({ length: MAX_ATTEMPTS }, () => ["REQUEST_RECEIVED", 503]),
        ["REQUEST_COMPLETED", 200],
      ]);
    });

    it("sends after a restart what was pending when governance stopped", async () => {
      const { subject, hook } = await pendingDelivery(`restart-${kind}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.at(hook.path)).toHaveLength(0);
      expect(await deliveriesOf(subject, hook.id)).toEqual([expect.objectContaining({ status: "PENDING", attempts: 0 })]);
      await system.restartGovernance();
      const [post] = await receiver.waitFor(hook.path, 1);
      expect([payloadOf(post!).type, post!.valid, post!.stripeValid]).toEqual(["REQUEST_RECEIVED", true, true]);
      await waitForDeliveries(subject, hook.id, ([delivery]) => delivery?.status === "DELIVERED" && delivery.attempts === 1);
    });

    it("resumes a delivery whose replica died mid-POST once its lease expires", async () => {
      const { subject, hook } = await pendingDelivery(`lease-${kind}`);
      // As a replica that claimed it and was killed before recording anything would leave it.
      const leaseUntil = system.clock.now().getTime() + 5000;
      await governance().query(`UPDATE webhook_delivery SET lease_owner = 'dead-replica', lease_expires_at = ${p(1)}, attempts = 1 WHERE webhook_id = ${p(2)}`, [leaseUntil, hook.id]);
      system.governance.webhooks.start();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(receiver.at(hook.path)).toHaveLength(0);
      system.clock.advance(5001);
      await receiver.waitFor(hook.path, 1);
      await waitForDeliveries(subject, hook.id, ([delivery]) => delivery?.status === "DELIVERED" && delivery.attempts === 2);
    });

    it("sends nothing more to a deleted webhook, its pending deliveries included", async () => {
      const { subject, hook } = await pendingDelivery(`delete-${kind}`);
      const deleted = await system.gql(await admin(subject), `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
      expect(deleted.body).toEqual({ data: { deleteWebhook: true } });
      const again = await system.gql(await admin(subject), `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
      expect(again.body).toEqual({ data: { deleteWebhook: false } });
      const listed = await system.gql(await admin(subject), `query($t: ID!) { webhooks(tenantId: $t) { id } }`, { t: subject.tenantId });
      expect(listed.body).toEqual({ data: { webhooks: [] } });
      system.governance.webhooks.start();
      for (let tries = 0; ; tries += 1) {
        const [row] = (await governance().query(`SELECT status, last_error FROM webhook_delivery WHERE webhook_id = ${p(1)}`, [hook.id])) as { status: string; last_error: string }[];
        if (row?.status === "FAILED") {
          expect(row.last_error).toBe("the webhook was deleted");
          break;
        }
        if (tries > 400) throw new Error(`the deleted webhook's delivery is ${JSON.stringify(row)}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(receiver.at(hook.path)).toHaveLength(0);
    });

    it("audits creation and deletion, and holds a tenant to 20 live webhooks", async () => {
      const subject = await seedSubject(system, `limit-${kind}`, 0, 0);
      const audited = (action: string) => countAcross(system, "audit", `SELECT COUNT(*) AS n FROM audit_log_entry WHERE action = '${action}' AND tenant_id = '${subject.tenantId}'`);
      const hooks = [];
      for (let i = 0; i < 20; i += 1) hooks.push(await register(subject, ["REQUEST_FAILED"]));
      expect(await audited("WEBHOOK_CREATED")).toBe(20);
      const before = await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`);
      const refused = await system.gql(await admin(subject), `mutation($t: ID!) { createWebhook(tenantId: $t, input: { url: "${receiver.url("/21")}", events: [REQUEST_FAILED] }) { signingSecret } }`, { t: subject.tenantId });
      expect(codeOf(refused)).toBe("CONFLICT");
      expect(refused.body.errors![0]!.message).toMatch(/has 20 webhooks/);
      expect(await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`)).toBe(before);
      const deleted = await system.gql(await admin(subject), `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hooks[0]!.id });
      expect(deleted.body).toEqual({ data: { deleteWebhook: true } });
      expect(await audited("WEBHOOK_DELETED")).toBe(1);
      // A deleted one no longer counts.
      await register(subject, ["REQUEST_FAILED"]);
      expect(await audited("WEBHOOK_CREATED")).toBe(21);
    });

    it("refuses URLs outside the policy with BAD_USER_INPUT naming input.url, and stores nothing", async () => {
      const subject = await seedSubject(system, `policy-${kind}`, 0, 0);
      const token = await admin(subject);
      const count = async () => [
        await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`),
        await countAcross(system, "audit", `SELECT COUNT(*) AS n FROM audit_log_entry WHERE action = 'WEBHOOK_CREATED'`),
      ];
      const before = await count();
      const create = (url: string, events: string[] = ["REQUEST_RECEIVED"]) =>
        system.gql(token, `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { webhook { id } signingSecret } }`, { t: subject.tenantId, i: { url, events } });
      const refusals: [string, RegExp][] = [
        ["http://203.0.113.5/hook", /plain http is allowed to loopback addresses only/],
        ["http://192.168.1.20:8080/hook", /plain http is allowed to loopback addresses only/],
        ["ftp://127.0.0.1/hook", /must use https, got ftp/],
        ["not a url", /is not an absolute URL/],
        ["https://user:secret@127.0.0.1/hook", /must not carry credentials/],
        [`https://127.0.0.1/${"x".repeat(2100)}`, /at most 2048 characters/],
      ];
      const problems: string[] = [];
      for (const [url, message] of refusals) {
        const response = await create(url);
        if (codeOf(response) !== "BAD_USER_INPUT" || argumentOf(response) !== "input.url" || !message.test(response.body.errors![0]!.message) || response.body.data) {
          problems.push(`${url.slice(0, 60)}: ${JSON.stringify(response.body).slice(0, 300)}`);
        }
      }
      const noEvents = await create(receiver.url("/none"), []);
      expect([codeOf(noEvents), argumentOf(noEvents)]).toEqual(["BAD_USER_INPUT", "input.events"]);
      expect(problems).toEqual([]);
      expect(await count()).toEqual(before);
    });

    it("in production: https to public addresses only, checked at creation and again at delivery (DNS rebinding)", async () => {
      const subject = await seedSubject(system, `prod-${kind}`, 0, 0);
      // Names resolve as this table says, as DNS would answer; a test changes an answer later.
      const dns = new Map<string, ResolvedAddress[]>([
        ["hooks.example.com", [{ address: "93.184.216.34", family: 4 }]],
        ["internal.example.com", [{ address: "10.0.0.8", family: 4 }]],
        ["mixed.example.com", [{ address: "93.184.216.34", family: 4 }, { address: "fd00::1", family: 6 }]],
        ["localhost", [{ address: "127.0.0.1", family: 4 }]],
      ]);
      const replica = await system.startGovernanceReplica({
        production: true,
        dispatcher: false,
        resolve: async (host) => {
          const answer = dns.get(host);
          if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
          return answer;
        },
      });
      const forwarded = await internalToken(system.internalKeys, viewer("tenant-admin", { tenantId: subject.tenantId, subject: `admin@${subject.name}` }), system.clock.now());
      const create = (url: string) =>
        postGraphQL(replica.url, forwarded, `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { webhook { id url } signingSecret } }`, {
          t: subject.tenantId,
          i: { url, events: ["REQUEST_RECEIVED"] },
        });
      const before = await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`);
      const refused: [string, RegExp][] = [
        [receiver.url("/prod"), /plain http is refused in production/],
        ["https://127.0.0.1/hook", /loopback/],
        ["https://[::1]/hook", /loopback/],
        ["https://localhost/hook", /resolves to 127\.0\.0\.1: .*loopback/],
        ["https://10.1.2.3/hook", /private \(RFC 1918\)/],
        ["https://172.16.0.1/hook", /private \(RFC 1918\)/],
        ["https://192.168.1.1/hook", /private \(RFC 1918\)/],
        ["https://169.254.169.254/latest/meta-data", /link-local/],
        ["https://[fe80::1]/hook", /link-local/],
        ["https://[fc00::1]/hook", /unique-local/],
        ["https://[fd12:3456::1]/hook", /unique-local/],
        ["https://0.0.0.0/hook", /unspecified/],
        ["https://[::]/hook", /unspecified/],
        ["https://[::ffff:10.0.0.1]/hook", /private/],
        ["https://100.64.0.1/hook", /carrier-grade NAT/],
        ["https://224.0.0.1/hook", /multicast/],
        ["https://internal.example.com/hook", /resolves to 10\.0\.0\.8/],
        ["https://mixed.example.com/hook", /resolves to fd00::1/],
        ["https://nowhere.example.com/hook", /does not resolve \(ENOTFOUND\)/],
      ];
      const problems: string[] = [];
      for (const [url, message] of refused) {
        const response = await create(url);
        if (codeOf(response) !== "BAD_USER_INPUT" || argumentOf(response) !== "input.url" || !message.test(response.body.errors![0]!.message) || response.body.data) {
          problems.push(`${url}: ${JSON.stringify(response.body).slice(0, 300)}`);
        }
      }
      expect(problems).toEqual([]);
      expect(await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`)).toBe(before);

      const accepted = await create("https://hooks.example.com/dgg?tenant=1");
      expect(accepted.body.errors).toBeUndefined();
      const webhookId = (accepted.body.data as { createWebhook: { webhook: { id: string } } }).createWebhook.webhook.id;
      // The name now points inside the network: the delivery is refused before any connection.
      dns.set("hooks.example.com", [{ address: "10.9.9.9", family: 4 }]);
      // Only the production replica sends. Nothing else writes meanwhile: on SQLite two
      // connections in one process must not wait for each other's write lock (see the overdue test).
      await system.governance.webhooks.stop();
      await system.governance.workers.stop();
      await restrict(subject);
      replica.service.webhooks.start();
      try {
        const [delivery] = await waitForDeliveries(subject, webhookId, ([first]) => (first?.attempts ?? 0) >= 1 && first?.lastError !== null);
        expect(delivery).toMatchObject({ status: "PENDING", lastResponseStatus: null });
        expect(delivery!.lastError).toMatch(/host hooks\.example\.com resolves to 10\.9\.9\.9: 10\.9\.9\.9 is a private \(RFC 1918\) address/);
      } finally {
        await replica.service.webhooks.stop();
      }
    });

    it("refuses other tenants' admins and officers, and other roles, the same way whether or not the webhook exists", async () => {
      const owner = await seedSubject(system, `owner-${kind}`, 0, 0);
      const other = await seedSubject(system, `other-${kind}`, 0, 0);
      const hook = await register(owner, ["REQUEST_RECEIVED"]);
      const strangers = [
        await system.token(viewer("tenant-admin", { tenantId: other.tenantId, subject: "admin@other" })),
        await system.token(viewer("privacy-officer", { tenantId: other.tenantId, subject: "officer@other" })),
      ];
      const webhooksBefore = await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`);
      const unknown = randomUUID();
      for (const token of strangers) {
        const list = await system.gql(token, `query($t: ID!) { webhooks(tenantId: $t) { id url } }`, { t: owner.tenantId });
        const create = await system.gql(token, `mutation($t: ID!, $i: CreateWebhookInput!) { createWebhook(tenantId: $t, input: $i) { signingSecret } }`, {
          t: owner.tenantId,
          i: { url: receiver.url("/planted"), events: ["REQUEST_RECEIVED"] },
        });
        const real = await system.gql(token, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: hook.id });
        const fake = await system.gql(token, `mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: unknown });
        for (const response of [list, create, real, fake]) {
          expect(codeOf(response)).toBe("FORBIDDEN");
          expect(response.body.data ?? null).toBeNull();
        }
        expect(real.body.errors![0]!.message.replace(hook.id, "<id>")).toBe(fake.body.errors![0]!.message.replace(unknown, "<id>"));
        expect(JSON.stringify([list.body, create.body, real.body])).not.toContain(hook.path);
      }
      for (const role of ["data-subject", "ingest", "operator"] as const) {
        const token = await system.token(viewer(role, { tenantId: role === "operator" ? undefined : owner.tenantId, userId: role === "data-subject" ? owner.userId : undefined }));
        const list = await system.gql(token, `query($t: ID!) { webhooks(tenantId: $t) { id } }`, { t: owner.tenantId });
        expect([role, codeOf(list)]).toEqual([role, "FORBIDDEN"]);
      }
      expect(await countAcross(system, "governance", `SELECT COUNT(*) AS n FROM webhook`)).toBe(webhooksBefore);
      const still = await system.gql(await admin(owner), `query($t: ID!) { webhooks(tenantId: $t) { id } }`, { t: owner.tenantId });
      expect(still.body).toEqual({ data: { webhooks: [{ id: hook.id }] } });
    });

    it("sends REQUEST_OVERDUE once per request, however many sweeps and replicas, and never for a finished one", async () => {
      const late = await seedSubject(system, `late-${kind}`, 0, 0);
      const done = await seedSubject(system, `done-${kind}`, 0, 0, late.tenantId);
      const hook = await register(late, ["REQUEST_OVERDUE"]);
      const finishedId = await restrict(done);
      await waitForRequest(system, await admin(done), finishedId, "id");
      // The late request stays RECEIVED: nobody works on it.
      await system.governance.workers.stop();
      const lateId = await restrict(late);
      const replica = await system.startGovernanceReplica({ dispatcher: false });
      // The sweeps below are all there are until the dispatcher starts again.
      await system.governance.webhooks.stop();
      system.clock.advance(31 * DAY_MS);
      // Concurrent sweeps, as replicas run them. On SQLite two connections in one process cannot
      // both wait for the file's write lock (better-sqlite3 waits synchronously, blocking the
      // other's commit), so there the replica sweeps after: its own process would simply wait.
      const concurrent = [system.governance.webhooks.sweepOverdue(), system.governance.webhooks.sweepOverdue()];
      if (kind === "postgres") concurrent.push(replica.service.webhooks.sweepOverdue(), replica.service.webhooks.sweepOverdue());
      const sweeps = await Promise.all(concurrent);
      sweeps.push(await replica.service.webhooks.sweepOverdue());
      system.governance.webhooks.start();
      // Every other open request of the system counts too; this one is counted exactly once.
      expect(sweeps.reduce((sum, marked) => sum + marked, 0)).toBeGreaterThanOrEqual(1);
      const posts = await receiver.waitFor(hook.path, 1);
      // Later polls sweep again and find nothing to announce.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await system.governance.webhooks.sweepOverdue()).toBe(0);
      expect(await replica.service.webhooks.sweepOverdue()).toBe(0);
      expect(receiver.at(hook.path)).toHaveLength(1);
      const payload = payloadOf(posts[0]!);
      expect([payload.type, payload.data.requestId, payload.data.status, posts[0]!.valid, posts[0]!.stripeValid]).toEqual(["REQUEST_OVERDUE", lateId, "RECEIVED", true, true]);
      const rows = (await governance().query(`SELECT request_id FROM webhook_delivery WHERE event = 'REQUEST_OVERDUE' AND tenant_id = ${p(1)}`, [late.tenantId])) as { request_id: string }[];
      expect(rows.map((row) => row.request_id)).toEqual([lateId]);
      const [finished] = (await governance().query(`SELECT overdue_notified_at FROM privacy_request WHERE id = ${p(1)}`, [finishedId])) as { overdue_notified_at: unknown }[];
      expect(finished!.overdue_notified_at).toBeNull();
      system.governance.workers.start();
      await waitForRequest(system, await admin(late), lateId, "id");
    });
  });
}
