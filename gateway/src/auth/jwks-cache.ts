import { importJWK } from "jose";
import type { JWK, JWTHeaderParameters, KeyLike } from "jose";
import { UnauthenticatedError, UnavailableError } from "@dgg/common";
import type { Clock, ServiceLogger } from "@dgg/common";

/** The only signature algorithms accepted from an identity provider. */
export const OIDC_ALGORITHMS = ["RS256", "ES256"] as const;
type Algorithm = (typeof OIDC_ALGORITHMS)[number];

export interface JwksCacheOptions {
  /** Where the key set is published (from discovery or configured). */
  fetchJwks(): Promise<unknown>;
  clock: Clock;
  /** Keys are fetched again after this long even when every kid is known (rotation, revocation). */
  maxAgeMs: number;
  /** At most one refresh per this interval, so tokens with made-up key ids cannot hammer the IdP. */
  cooldownMs: number;
  log: ServiceLogger;
}

interface CachedKey {
  kid: string | undefined;
  alg: Algorithm;
  key: KeyLike | Uint8Array;
}

function algorithmOf(jwk: JWK): Algorithm | null {
  if (jwk.alg) return (OIDC_ALGORITHMS as readonly string[]).includes(jwk.alg) ? (jwk.alg as Algorithm) : null;
  if (jwk.kty === "RSA") return "RS256";
  if (jwk.kty === "EC" && jwk.crv === "P-256") return "ES256";
  return null;
}

/**
 * An identity provider's signing keys, cached. A token whose key id the cache does not
 * know triggers one refresh (rate-limited by `cooldownMs`) and is refused if the fresh
 * set does not know it either; keys of other algorithms or uses are ignored, so an
 * attacker cannot make the verifier use an encryption or HMAC key.
 */
export class JwksCache {
  private keys: CachedKey[] = [];
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  /** How many times the set was fetched; tests assert refresh behaviour with it. */
  fetches = 0;

  constructor(private readonly options: JwksCacheOptions) {}

  /** The key for a token's protected header (jose's key-resolver shape). */
  async keyFor(header: JWTHeaderParameters): Promise<KeyLike | Uint8Array> {
    const alg = header.alg as Algorithm;
    if (!(OIDC_ALGORITHMS as readonly string[]).includes(alg)) throw new UnauthenticatedError(`bearer token rejected (algorithm ${JSON.stringify(header.alg)} is not accepted)`);
    const now = this.options.clock.now().getTime();
    const mayRefresh = () => now - this.attemptedAt >= this.options.cooldownMs;
    if (now - this.fetchedAt >= this.options.maxAgeMs && mayRefresh()) await this.refresh();
    let found = this.find(header.kid, alg);
    if (!found && mayRefresh()) {
      await this.refresh();
      found = this.find(header.kid, alg);
    }
    if (!found) throw new UnauthenticatedError("bearer token rejected (its key id is not among the issuer's signing keys)");
    return found.key;
  }

  private find(kid: string | undefined, alg: Algorithm): CachedKey | undefined {
    const candidates = this.keys.filter((key) => key.alg === alg && (kid === undefined || key.kid === kid));
    // Without a kid the choice must be unambiguous; guessing among several keys is how confusion attacks start.
    return kid === undefined && candidates.length !== 1 ? undefined : candidates[0];
  }

  private refresh(): Promise<void> {
    this.inFlight ??= this.load().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async load(): Promise<void> {
    this.fetches += 1;
    this.attemptedAt = this.options.clock.now().getTime();
    try {
      const body = (await this.options.fetchJwks()) as { keys?: unknown };
      if (!Array.isArray(body?.keys)) throw new Error("the JWKS document has no keys array");
      const keys: CachedKey[] = [];
      for (const jwk of body.keys as JWK[]) {
        const alg = algorithmOf(jwk);
        if (!alg || (jwk.use !== undefined && jwk.use !== "sig") || jwk.d !== undefined) continue;
        keys.push({ kid: jwk.kid, alg, key: await importJWK(jwk, alg) });
      }
      this.keys = keys;
      this.fetchedAt = this.attemptedAt;
    } catch (error) {
      // Keep the keys we had (an IdP outage must not log everyone out); the cooldown spaces the retries.
      this.options.log.error({ err: error }, "could not refresh the issuer's signing keys");
      if (this.keys.length === 0) throw new UnavailableError("bearer tokens cannot be verified now: the issuer's signing keys are unavailable");
    }
  }
}
