import type { KeyLike } from "jose";
import { VerifiedTokenCache, verifyClientTokenClaims } from "@dgg/common";
import type { Clock, Viewer } from "@dgg/common";

/** Turns a client's bearer token into a verified viewer, or throws UNAUTHENTICATED. */
export interface ClientTokenVerifier {
  verify(token: string): Promise<Viewer>;
}

/**
 * The embedded default: tokens signed by the local issuer key (`npm run token`), each
 * verified in full once and then remembered until it expires (docs/decisions/0052).
 */
export function localKeyVerifier(issuerPublicKey: KeyLike, clock: Clock): ClientTokenVerifier {
  const cache = new VerifiedTokenCache((token, now) => verifyClientTokenClaims(token, issuerPublicKey, now), clock);
  return { verify: (token) => cache.verify(token) };
}
