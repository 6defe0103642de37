import type { KeyLike } from "jose";
import { verifyClientToken } from "@dgg/common";
import type { Clock, Viewer } from "@dgg/common";

/** Turns a client's bearer token into a verified viewer, or throws UNAUTHENTICATED. */
export interface ClientTokenVerifier {
  verify(token: string): Promise<Viewer>;
}

/** The embedded default: tokens signed by the local issuer key (`npm run token`). */
export function localKeyVerifier(issuerPublicKey: KeyLike, clock: Clock): ClientTokenVerifier {
  return { verify: (token) => verifyClientToken(token, issuerPublicKey, clock.now()) };
}
