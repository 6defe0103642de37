// Scenario: the rules a webhook must pass before anything is sent (no database, no network):
// which addresses the URL policy lets through in development and in production, what a
// URL may look like, that a payload refuses personal data, and that our signature is the
// one Stripe's own tooling computes for the same secret, time and body.
import { PrivacyRequestStatus as S } from "@dgg/common";
import Stripe from "stripe";
import { addressRefusal, parseWebhookUrl, resolveWebhookTarget, UrlPolicyError } from "../src/webhooks/url-policy";
import { assertPayloadData } from "../src/webhooks/payload";
import { signatureHeader } from "../src/webhooks/signature";
import { eventForTransition, WebhookEvent } from "../src/webhooks/webhook-event";

const production = { production: true };
const development = { production: false };

describe("webhook URL policy", () => {
  it.each([
    ["93.184.216.34", null],
    ["2606:2800:220:1:248:1893:25c8:1946", null],
    ["127.0.0.1", /loopback/],
    ["127.8.9.10", /loopback/],
    ["::1", /loopback/],
    ["::ffff:127.0.0.1", /loopback/],
    ["10.0.0.1", /private/],
    ["172.31.255.255", /private/],
    ["192.168.0.1", /private/],
    ["169.254.169.254", /link-local/],
    ["fe80::1", /link-local/],
    ["fc00::1", /unique-local/],
    ["fdff:ffff::1", /unique-local/],
    ["0.0.0.0", /unspecified/],
    ["::", /unspecified/],
    ["100.64.1.1", /carrier-grade NAT/],
    ["198.18.0.1", /reserved/],
    ["255.255.255.255", /broadcast/],
    ["2002:a00:1::1", /6to4/],
    ["64:ff9b::a00:1", /rfc6052/],
  ])("https to %s in production: %s", (address, refusal) => {
    const answer = addressRefusal(address, "https:", production);
    if (refusal === null) expect(answer).toBeNull();
    else expect(answer).toMatch(refusal);
  });

  it("allows plain http outside production to loopback only, and never in production", () => {
    expect(addressRefusal("127.0.0.1", "http:", development)).toBeNull();
    expect(addressRefusal("::1", "http:", development)).toBeNull();
    expect(addressRefusal("93.184.216.34", "http:", development)).toMatch(/loopback addresses only/);
    expect(addressRefusal("10.0.0.1", "http:", development)).toMatch(/loopback addresses only/);
    expect(addressRefusal("127.0.0.1", "http:", production)).toMatch(/refused in production/);
    // https outside production goes anywhere: receivers on a laptop or a test network.
    expect(addressRefusal("10.0.0.1", "https:", development)).toBeNull();
  });

  it.each([
    ["not a url", /not an absolute URL/],
    ["/relative/path", /not an absolute URL/],
    ["ftp://example.com/x", /must use https, got ftp/],
    ["javascript:alert(1)", /must use https, got javascript/],
    ["https://user:pw@example.com/x", /credentials/],
    ["https://example.com/x#frag", /fragment/],
  ])("refuses the URL %s", (url, message) => {
    expect(() => parseWebhookUrl(url)).toThrow(message);
  });

  it("normalises numeric hosts before classifying them, so 0x7f.1 is loopback", async () => {
    const resolve = () => Promise.reject(new Error("a numeric host must not be resolved"));
    await expect(resolveWebhookTarget(parseWebhookUrl("https://0x7f.1/x"), { production: true, resolve })).rejects.toThrow(/127\.0\.0\.1 is a loopback address/);
    await expect(resolveWebhookTarget(parseWebhookUrl("https://[::ffff:a00:1]/x"), { production: true, resolve })).rejects.toThrow(UrlPolicyError);
    await expect(resolveWebhookTarget(parseWebhookUrl("https://93.184.216.34/x"), { production: true, resolve })).resolves.toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("refuses a name if any of its addresses is refused, and tells a missing name from a resolver outage", async () => {
    const url = parseWebhookUrl("https://hooks.example.com/x");
    const twoFaced = async () => [{ address: "93.184.216.34", family: 4 as const }, { address: "10.0.0.1", family: 4 as const }];
    await expect(resolveWebhookTarget(url, { production: true, resolve: twoFaced })).rejects.toThrow(/resolves to 10\.0\.0\.1/);
    const missing = () => Promise.reject(Object.assign(new Error("nope"), { code: "ENOTFOUND" }));
    const down = () => Promise.reject(Object.assign(new Error("try again"), { code: "EAI_AGAIN" }));
    await expect(resolveWebhookTarget(url, { production: true, resolve: missing })).rejects.toMatchObject({ transient: false });
    await expect(resolveWebhookTarget(url, { production: true, resolve: down })).rejects.toMatchObject({ transient: true });
  });
});

describe("webhook payloads and signatures", () => {
  it("refuses personal data and anything but plain values in a payload's data", () => {
    expect(assertPayloadData({ kind: "RESTRICT_PROCESSING", status: "RECEIVED", dueAt: "2030-01-01T00:00:00.000Z" })).toBeTruthy();
    for (const key of ["userId", "reason", "displayName", "email", "requestedBy"]) expect(() => assertPayloadData({ [key]: "x" })).toThrow(new RegExp(`may not carry "${key}"`));
    expect(() => assertPayloadData({ status: { nested: true } })).toThrow(/must be a string, number, boolean or null/);
  });

  it("signs as Stripe's own tooling does for the same secret, time and body", () => {
    const secret = "whsec_test-secret";
    const body = JSON.stringify({ id: "d1", type: "REQUEST_RECEIVED", createdAt: "2030-01-01T00:00:00.000Z", data: { requestId: "r1" } });
    const at = new Date("2030-01-01T00:00:07.900Z");
    const ours = signatureHeader(secret, body, at);
    expect(ours).toBe(Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: 1893456007 }));
    expect(Stripe.webhooks.signature!.verifyHeader(body, ours, secret, 300, undefined, at.getTime())).toBe(true);
  });

  it("maps request statuses to events in one place; re-entering RECEIVED announces nothing", () => {
    expect(eventForTransition(null, S.RECEIVED)).toBe(WebhookEvent.REQUEST_RECEIVED);
    expect(eventForTransition(S.ON_HOLD, S.RECEIVED)).toBeNull();
    expect(eventForTransition(S.ERASING, S.COMPLETED)).toBe(WebhookEvent.REQUEST_COMPLETED);
    expect(eventForTransition(S.EXPORTING, S.ON_HOLD)).toBe(WebhookEvent.REQUEST_ON_HOLD);
    expect(eventForTransition(S.RECEIVED, S.EXPORTING)).toBeNull();
    expect(eventForTransition(S.AWAITING_APPROVAL, S.DENIED)).toBe(WebhookEvent.REQUEST_DENIED);
    expect(eventForTransition(S.FAILED, S.FAILED)).toBeNull();
  });
});
