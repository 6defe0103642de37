/**
 * Scenario: production points the gateway at an OpenID Connect issuer (Entra ID, Auth0,
 * Keycloak). Here a loopback issuer publishes rotating keys; the verifier finds them by
 * discovery, caches them, refreshes once for an unknown key id (no more often than its
 * cooldown allows), and refuses every forged, stale or misdirected token.
 */
import { randomUUID } from "node:crypto";
import { ManualClock } from "@dgg/common";
import { OidcVerifier } from "../../gateway/src/auth/oidc-verifier";
import type { OidcConfig } from "../../gateway/src/auth/oidc-verifier";
import { oidcConfigFromEnv } from "../../gateway/src/auth/config";
import { startTestIssuer } from "./support/jwks-server";
import type { TestIssuer } from "./support/jwks-server";
import { oidcAttacks } from "./support/token-attacks";

describe("OIDC issuer verification", () => {
  let issuer: TestIssuer;
  let clock: ManualClock;
  const tenantId = randomUUID();
  const claims = { sub: "alice@contoso", role: "tenant-admin", tid: tenantId };
  const config = (overrides: Partial<OidcConfig> = {}): OidcConfig => ({
    issuer: issuer.issuer,
    audience: issuer.audience,
    claims: { role: "role", tenant: "tid", user: "uid", subject: "sub" },
    clockSkewSeconds: 30,
    jwksMaxAgeMs: 600_000,
    jwksCooldownMs: 10_000,
    ...overrides,
  });
  const now = () => Math.floor(clock.now().getTime() / 1000);

  beforeAll(async () => {
    issuer = await startTestIssuer();
    clock = new ManualClock(new Date());
  });
  afterAll(() => issuer.close());

  it("discovers the keys, accepts a valid token and caches the key set", async () => {
    const verifier = new OidcVerifier(config(), clock);
    const before = issuer.jwksFetches;
    const viewer = await verifier.verify(await issuer.sign(claims, { iat: now() }));
    expect(viewer).toEqual({ subject: "alice@contoso", role: "tenant-admin", tenantId, userId: null });
    await verifier.verify(await issuer.sign(claims, { iat: now() }));
    expect(issuer.jwksFetches - before).toBe(1);
  });

  it("follows a key rotation with exactly one refresh, and no more than one per cooldown for unknown kids", async () => {
    const verifier = new OidcVerifier(config(), clock);
    await verifier.verify(await issuer.sign(claims, { iat: now() }));
    clock.advance(11_000);
    const fresh = await issuer.rotate("ES256");
    const before = issuer.jwksFetches;
    expect((await verifier.verify(await issuer.sign(claims, { key: fresh, iat: now() }))).role).toBe("tenant-admin");
    expect(issuer.jwksFetches - before).toBe(1);
    // Made-up kids right after: refused without another fetch (cooldown), then one fetch once it passed.
    const bogus = await issuer.sign(claims, { iat: now(), header: { kid: randomUUID() } });
    await expect(verifier.verify(bogus)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    await expect(verifier.verify(bogus)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(issuer.jwksFetches - before).toBe(1);
    clock.advance(10_000);
    await expect(verifier.verify(bogus)).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
    expect(issuer.jwksFetches - before).toBe(2);
  });

  it("drops a key the issuer stopped publishing once the cache expires", async () => {
    const verifier = new OidcVerifier(config({ jwksMaxAgeMs: 60_000 }), clock);
    const old = issuer.published[0]!;
    await verifier.verify(await issuer.sign(claims, { key: old, iat: now() }));
    await issuer.rotate("RS256", 0);
    clock.advance(61_000);
    await expect(verifier.verify(await issuer.sign(claims, { key: old, iat: now() }))).rejects.toMatchObject({ extensions: { code: "UNAUTHENTICATED" } });
  });

  it("refuses every attack token", async () => {
    const verifier = new OidcVerifier(config(), clock);
    const attacks = await oidcAttacks(issuer, claims, now());
    for (const [name, token] of attacks) {
      const outcome = await verifier.verify(token).then(
        () => "accepted",
        (error: { extensions?: { code?: string } }) => error.extensions?.code,
      );
      expect([name, outcome]).toEqual([name, "UNAUTHENTICATED"]);
    }
    // The skew is small but real: 10 s past exp is still accepted, as the control.
    const late = await issuer.sign({ ...claims, exp: now() - 10, iat: now() - 610, nbf: now() - 610 }, { iat: now() - 610 });
    expect((await verifier.verify(late)).subject).toBe("alice@contoso");
  });

  it("maps Entra ID, Auth0 and Keycloak claim shapes", async () => {
    const userId = randomUUID();
    const entra = new OidcVerifier(config({ claims: { role: "roles", tenant: "extn.dggTenant", user: "extn.dggUser", subject: "oid" } }), clock);
    const fromEntra = await entra.verify(
      await issuer.sign({ oid: "3f1c", roles: ["Reader", "privacy-officer"], "extn.dggTenant": tenantId, tid: "entra-directory-id" }, { iat: now() }),
    );
    expect(fromEntra).toEqual({ subject: "3f1c", role: "privacy-officer", tenantId, userId: null });
    const auth0 = new OidcVerifier(config({ claims: { role: "https://dgg.example.com/role", tenant: "https://dgg.example.com/tenant", user: "https://dgg.example.com/user", subject: "sub" } }), clock);
    const fromAuth0 = await auth0.verify(
      await issuer.sign(
        { sub: "auth0|42", "https://dgg.example.com/role": "data-subject", "https://dgg.example.com/tenant": tenantId, "https://dgg.example.com/user": userId },
        { iat: now() },
      ),
    );
    expect(fromAuth0).toEqual({ subject: "auth0|42", role: "data-subject", tenantId, userId });
    const keycloak = new OidcVerifier(config({ claims: { role: "realm_access.roles", tenant: "dgg_tenant", user: "dgg_user", subject: "sub" } }), clock);
    const fromKeycloak = await keycloak.verify(
      await issuer.sign({ sub: "kc-1", realm_access: { roles: ["offline_access", "operator"] } }, { iat: now() }),
    );
    expect(fromKeycloak.role).toBe("operator");
  });

  it("refuses a discovery document that names another issuer, and plain-HTTP issuers off loopback", async () => {
    const verifier = new OidcVerifier(config({ issuer: `${issuer.issuer}/` }), clock);
    await expect(verifier.verify(await issuer.sign({ ...claims, iss: `${issuer.issuer}/` }, { iat: now() }))).rejects.toMatchObject({
      extensions: { code: "UNAVAILABLE" },
    });
    expect(() => new OidcVerifier(config({ issuer: "http://idp.example.com/" }), clock)).toThrow(/https/);
    expect(() => oidcConfigFromEnv({ AUTH_OIDC_ISSUER: "https://idp.example.com/" })).toThrow(/AUTH_OIDC_AUDIENCE/);
    expect(oidcConfigFromEnv({})).toBeNull();
  });
});
