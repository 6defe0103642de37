import { jwtVerify } from "jose";
import { assertClientViewer, CLIENT_ROLES, createLogger, tokenRejected, UnauthenticatedError, viewerFromClaims } from "@dgg/common";
import type { Clock, ServiceLogger, Viewer } from "@dgg/common";
import { fetchJson, assertSafeUrl } from "./fetch-json";
import { JwksCache, OIDC_ALGORITHMS } from "./jwks-cache";
import type { ClientTokenVerifier } from "./token-verifier";

/** Which claims of the IdP's tokens carry the gateway's role, tenant, user and subject. */
export interface ClaimNames {
  /** A string, or a list of which exactly one is a gateway role (Entra app roles, Keycloak realm roles). */
  role: string;
  tenant: string;
  user: string;
  subject: string;
}

export interface OidcConfig {
  /** Exactly as the IdP writes it in `iss` and in its discovery document. */
  issuer: string;
  audience: string;
  /** Skips discovery when set. */
  jwksUri?: string;
  claims: ClaimNames;
  clockSkewSeconds: number;
  jwksMaxAgeMs: number;
  jwksCooldownMs: number;
}

/**
 * A claim by name, or by a dotted path into nested claims (`realm_access.roles`) when no
 * claim has the whole name; a literal name wins so namespaced claims such as
 * `https://dgg.example.com/role` (Auth0) work as they are.
 */
export function claimAt(payload: Record<string, unknown>, name: string): unknown {
  if (Object.prototype.hasOwnProperty.call(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (typeof value !== "object" || value === null || !Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function roleFrom(value: unknown, claim: string): unknown {
  if (!Array.isArray(value)) return value;
  const roles = value.filter((role) => typeof role === "string" && (CLIENT_ROLES as readonly string[]).includes(role));
  if (roles.length !== 1) {
    throw new UnauthenticatedError(`token must carry exactly one gateway role in claim ${claim}, it carries ${roles.length}`);
  }
  return roles[0];
}

/**
 * Production's verifier: tokens from an OpenID Connect issuer, checked against its
 * published keys (RS256/ES256 only), its issuer, the gateway's audience, and `exp`/`nbf`
 * with a small clock skew. The keys come from discovery (or a configured JWKS URI) and
 * are cached and rotated by JwksCache.
 */
export class OidcVerifier implements ClientTokenVerifier {
  readonly keys: JwksCache;
  private jwksUri: Promise<string> | null = null;

  constructor(
    private readonly config: OidcConfig,
    private readonly clock: Clock,
    log: ServiceLogger = createLogger("gateway"),
  ) {
    assertSafeUrl(config.issuer, "AUTH_OIDC_ISSUER");
    if (config.jwksUri) assertSafeUrl(config.jwksUri, "AUTH_OIDC_JWKS_URI");
    this.keys = new JwksCache({
      fetchJwks: async () => fetchJson(await this.discoverJwksUri(), "JWKS"),
      clock,
      maxAgeMs: config.jwksMaxAgeMs,
      cooldownMs: config.jwksCooldownMs,
      log,
    });
  }

  async verify(token: string): Promise<Viewer> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, (header) => this.keys.keyFor(header), {
        algorithms: [...OIDC_ALGORITHMS],
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockSkewSeconds,
        currentDate: this.clock.now(),
        requiredClaims: ["exp", "iss", "aud"],
      }));
    } catch (error) {
      throw tokenRejected(error, "bearer token");
    }
    const { claims } = this.config;
    const viewer = viewerFromClaims({
      role: roleFrom(claimAt(payload, claims.role), claims.role),
      sub: claimAt(payload, claims.subject),
      tid: claimAt(payload, claims.tenant),
      uid: claimAt(payload, claims.user),
    });
    return assertClientViewer(viewer);
  }

  /** Discovery once; a failure is forgotten so the next token tries again (after the cache's cooldown). */
  private discoverJwksUri(): Promise<string> {
    if (this.config.jwksUri) return Promise.resolve(this.config.jwksUri);
    this.jwksUri ??= (async () => {
      const url = `${this.config.issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
      const document = (await fetchJson(url, "OpenID configuration")) as { issuer?: unknown; jwks_uri?: unknown };
      if (document.issuer !== this.config.issuer) {
        throw new Error(`the discovery document names issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(this.config.issuer)}`);
      }
      if (typeof document.jwks_uri !== "string") throw new Error("the discovery document has no jwks_uri");
      assertSafeUrl(document.jwks_uri, "jwks_uri");
      return document.jwks_uri;
    })().catch((error: unknown) => {
      this.jwksUri = null;
      throw error;
    });
    return this.jwksUri;
  }
}
