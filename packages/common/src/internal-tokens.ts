import type { KeyLike } from "jose";
import type { Clock } from "./clock";
import { INTERNAL_TTL_SECONDS, signInternalToken, verifyInternalTokenClaims } from "./identity";
import type { VerifiedClaims, Viewer } from "./identity";

/**
 * ES256 on every hop was a measurable share of each personalData request: the gateway signed
 * one internal token per client request, governance one per call, and every subgraph verified
 * each. These two classes keep the cryptography and drop the repetition
 * (docs/decisions/0052-internal-token-reuse.md).
 */

/** Bound on remembered tokens: a burst of distinct viewers evicts the oldest, never grows memory. */
const DEFAULT_CAPACITY = 10_000;

/** A Map used as an LRU: re-inserting moves a key to the end, the first key is the oldest. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, capacity: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > capacity) map.delete(map.keys().next().value as K);
}

/**
 * Mints the internal identity for a viewer once and hands the same token out for the first
 * half of its life, so a subgraph never receives one with less than half its lifetime left.
 * A clock that goes back (or a token from the future) mints afresh.
 */
export class InternalTokenIssuer {
  private readonly minted = new Map<string, { token: Promise<string>; issuedAt: number }>();

  constructor(
    private readonly key: KeyLike,
    private readonly issuer: string,
    private readonly clock: Clock,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  tokenFor(viewer: Viewer): Promise<string> {
    const now = this.clock.now();
    const key = JSON.stringify([viewer.subject, viewer.role, viewer.tenantId, viewer.userId]);
    const cached = this.minted.get(key);
    const age = cached ? now.getTime() - cached.issuedAt : Number.NaN;
    if (cached && age >= 0 && age < (INTERNAL_TTL_SECONDS * 1000) / 2) return cached.token;
    const token = signInternalToken(viewer, this.key, this.issuer, now);
    // A failed signature is not remembered: the next call tries again.
    token.catch(() => this.minted.get(key)?.token === token && this.minted.delete(key));
    remember(this.minted, key, { token, issuedAt: now.getTime() }, this.capacity);
    return token;
  }
}

/**
 * Verifies each token once while it is valid. The cache is keyed by the exact token string,
 * so only a byte-identical token hits; a hit is accepted only inside the token's own validity
 * window (the same clock tolerance as a full verification), refusals are never remembered,
 * and the viewer handed out is frozen so no request can change another's. `verifyInFull`
 * is the verification it stands in front of (internal tokens: `forInternalTokens`).
 */
export class VerifiedTokenCache {
  private readonly verified = new Map<string, { viewer: Viewer; notBefore: number; expiresAt: number }>();

  constructor(
    private readonly verifyInFull: (token: string, now: Date) => Promise<VerifiedClaims>,
    private readonly clock: Clock,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** The cache in front of internal-token verification with `key` (every subgraph server uses it). */
  static forInternalTokens(key: KeyLike, clock: Clock): VerifiedTokenCache {
    return new VerifiedTokenCache((token, now) => verifyInternalTokenClaims(token, key, now), clock);
  }

  /** How many verified tokens are remembered. */
  get size(): number {
    return this.verified.size;
  }

  async verify(token: string): Promise<Viewer> {
    const now = this.clock.now();
    const hit = this.verified.get(token);
    if (hit && hit.notBefore <= now.getTime() && now.getTime() < hit.expiresAt) return hit.viewer;
    if (hit) this.verified.delete(token);
    const claims = await this.verifyInFull(token, now);
    const viewer = Object.freeze({ ...claims.viewer });
    remember(this.verified, token, { viewer, notBefore: claims.notBefore, expiresAt: claims.expiresAt }, this.capacity);
    return viewer;
  }
}
