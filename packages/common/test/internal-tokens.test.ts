import fc from "fast-check";
import { decodeJwt } from "jose";
import { InternalTokenIssuer, ManualClock, signClientToken, signInternalToken, VerifiedTokenCache, verifyClientToken, verifyClientTokenClaims, verifyInternalToken, verifyInternalTokenClaims } from "../src";
import type { Viewer } from "../src";
import { generateTestKeyPair, viewer } from "../src/testkit";
import type { KeyPair } from "../src/testkit";

const T0 = new Date("2026-11-26T10:00:00.000Z");
let keys: KeyPair;
let otherKeys: KeyPair;

beforeAll(async () => {
  keys = await generateTestKeyPair();
  otherKeys = await generateTestKeyPair();
});

const outcome = (promise: Promise<Viewer>): Promise<string> =>
  promise.then(
    (who) => `ok ${JSON.stringify(who)}`,
    (error: unknown) => `refused ${(error as { extensions?: { code?: string } }).extensions?.code ?? String(error)}`,
  );

describe("InternalTokenIssuer", () => {
  it("hands one viewer the same token for the first half of its life, then a new one", async () => {
    const clock = new ManualClock(T0);
    const issuer = new InternalTokenIssuer(keys.privateKey, "dgg-test", clock);
    const admin = viewer("tenant-admin", { tenantId: "0b1e5c3a-8a63-4c1e-9a51-2d0f4a2b7c11" });
    const first = await issuer.tokenFor(admin);
    clock.set(new Date(T0.getTime() + 59_999));
    expect(await issuer.tokenFor({ ...admin })).toBe(first);
    clock.set(new Date(T0.getTime() + 60_000));
    const second = await issuer.tokenFor(admin);
    expect(second).not.toBe(first);
    // The renewed token still has its whole life ahead of it.
    expect(decodeJwt(second).exp).toBe(Math.floor(clock.now().getTime() / 1000) + 120);
    expect(await verifyInternalToken(second, keys.publicKey, clock.now())).toEqual(admin);
  });

  it("never hands one viewer's token to another, whatever differs", async () => {
    const issuer = new InternalTokenIssuer(keys.privateKey, "dgg-test", new ManualClock(T0));
    const base = viewer("data-subject", { tenantId: "0b1e5c3a-8a63-4c1e-9a51-2d0f4a2b7c11", userId: "5d3c1f0e-2b4a-4c6d-8e9f-0a1b2c3d4e5f" });
    const admin: Viewer = { ...base, role: "tenant-admin" };
    const variants: Viewer[] = [base, { ...base, subject: "other" }, admin, { ...admin, tenantId: "7e0c2d1b-3a4f-4b5c-9d6e-1f2a3b4c5d6e" }, { ...admin, userId: null }];
    const tokens = await Promise.all(variants.map((who) => issuer.tokenFor(who)));
    expect(new Set(tokens).size).toBe(variants.length);
    for (const [i, token] of tokens.entries()) expect(await verifyInternalToken(token, keys.publicKey, T0)).toEqual(variants[i]);
  });

  it("mints afresh when the clock goes back", async () => {
    const clock = new ManualClock(T0);
    const issuer = new InternalTokenIssuer(keys.privateKey, "dgg-test", clock);
    const who = viewer("operator");
    const first = await issuer.tokenFor(who);
    clock.set(new Date(T0.getTime() - 1_000));
    const second = await issuer.tokenFor(who);
    expect(second).not.toBe(first);
    expect(decodeJwt(second).iat).toBe(Math.floor(clock.now().getTime() / 1000));
  });
});

describe("VerifiedTokenCache", () => {
  it("accepts a remembered token exactly when a full verification would, at any later moment", async () => {
    const token = await signInternalToken(viewer("operator", { subject: "ops" }), keys.privateKey, "dgg-test", T0);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -300_000, max: 300_000 }), async (offsetMs) => {
        const clock = new ManualClock(T0);
        const cache = VerifiedTokenCache.forInternalTokens(keys.publicKey, clock);
        await cache.verify(token);
        const later = new Date(T0.getTime() + offsetMs);
        clock.set(later);
        expect(await outcome(cache.verify(token))).toBe(await outcome(verifyInternalToken(token, keys.publicKey, later)));
      }),
      { numRuns: 300 },
    );
  });

  it("in front of client tokens, accepts exactly what a full verification accepts, around nbf and exp", async () => {
    const token = await signClientToken(viewer("operator", { subject: "ops" }), keys.privateKey, T0, 3600);
    const service = await signClientToken({ subject: "svc", role: "service", tenantId: null, userId: null }, keys.privateKey, T0, 3600);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.integer({ min: -90_000, max: 90_000 }), fc.integer({ min: 3_510_000, max: 3_690_000 })), async (offsetMs) => {
        const clock = new ManualClock(T0);
        const cache = new VerifiedTokenCache((t, now) => verifyClientTokenClaims(t, keys.publicKey, now), clock);
        await cache.verify(token);
        const later = new Date(T0.getTime() + offsetMs);
        clock.set(later);
        expect(await outcome(cache.verify(token))).toBe(await outcome(verifyClientToken(token, keys.publicKey, later)));
        // A role no client may hold is refused each time, never remembered.
        expect(await outcome(cache.verify(service))).toBe("refused UNAUTHENTICATED");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a token one byte off a remembered one", async () => {
    const clock = new ManualClock(T0);
    const cache = VerifiedTokenCache.forInternalTokens(keys.publicKey, clock);
    const token = await signInternalToken(viewer("operator", { subject: "ops" }), keys.privateKey, "dgg-test", T0);
    await cache.verify(token);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."), async (at, char) => {
        fc.pre(token[at] !== char);
        const forged = token.slice(0, at) + char + token.slice(at + 1);
        expect(await outcome(cache.verify(forged))).toBe(await outcome(verifyInternalToken(forged, keys.publicKey, T0)));
        // The last character of base64url carries bits the decoder drops: a change there can
        // decode to the same signature, which jose accepts too (checked just above).
        if (at < token.length - 1) expect(await outcome(cache.verify(forged))).toBe("refused UNAUTHENTICATED");
      }),
      { numRuns: 200 },
    );
  });

  it("refuses a token signed with another key, and asked again, refuses it again", async () => {
    const cache = VerifiedTokenCache.forInternalTokens(keys.publicKey, new ManualClock(T0));
    const who = viewer("operator", { subject: "ops" });
    await cache.verify(await signInternalToken(who, keys.privateKey, "dgg-test", T0));
    const foreign = await signInternalToken(who, otherKeys.privateKey, "dgg-test", T0);
    await expect(cache.verify(foreign)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await expect(cache.verify(foreign)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(cache.size).toBe(1);
  });

  it("hands out a frozen viewer, so no request can change what the next one sees", async () => {
    const cache = VerifiedTokenCache.forInternalTokens(keys.publicKey, new ManualClock(T0));
    const token = await signInternalToken(viewer("tenant-admin", { tenantId: "0b1e5c3a-8a63-4c1e-9a51-2d0f4a2b7c11" }), keys.privateKey, "dgg-test", T0);
    const first = await cache.verify(token);
    expect(() => {
      (first as { role: string }).role = "operator";
    }).toThrow(TypeError);
    expect((await cache.verify(token)).role).toBe("tenant-admin");
  });

  it("remembers at most its capacity, dropping the oldest", async () => {
    const cache = new VerifiedTokenCache((token, now) => verifyInternalTokenClaims(token, keys.publicKey, now), new ManualClock(T0), 3);
    const tokens = await Promise.all(Array.from({ length: 5 }, (_, i) => signInternalToken(viewer("operator", { subject: `ops-${i}` }), keys.privateKey, "dgg-test", T0)));
    for (const token of tokens) await cache.verify(token);
    expect(cache.size).toBe(3);
    // The evicted one is verified again in full, and still accepted.
    const [oldest] = tokens;
    expect((await cache.verify(oldest ?? "")).subject).toBe("ops-0");
    expect(cache.size).toBe(3);
  });
});
