import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { KeyLike } from "jose";
import { ForbiddenError, isRole, UnauthenticatedError } from "@dgg/common";
import type { Role, Viewer } from "@dgg/common";

const LINK_AUDIENCE = "dgg-export-download";
const LINK_ISSUER = "dgg-governance";

/** Who may fetch a request's archive: its tenant's admins and privacy officers, and the person it is about. */
export function mayDownload(viewer: Viewer, request: { tenantId: string; userId: string }): boolean {
  if (viewer.role === "tenant-admin" || viewer.role === "privacy-officer") return viewer.tenantId === request.tenantId;
  if (viewer.role === "data-subject") return viewer.tenantId === request.tenantId && viewer.userId === request.userId;
  return false;
}

export interface DownloadLinkClaims {
  requestId: string;
  subject: string;
  role: Role;
}

/** Signs a link to one request's archive, bound to the identity it was issued to. */
export function signDownloadLink(key: KeyLike, viewer: Viewer, requestId: string, now: Date, ttlMs: number): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT({ rid: requestId, role: viewer.role })
    .setProtectedHeader({ alg: "ES256" })
    .setSubject(viewer.subject)
    .setIssuer(LINK_ISSUER)
    .setAudience(LINK_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.max(1, Math.floor(ttlMs / 1000)))
    .sign(key);
}

/**
 * Verifies a link and that the caller presenting it is the identity it was issued to: a
 * link that leaks is useless without that identity's own token, and it expires quickly.
 */
export async function verifyDownloadLink(token: string, key: KeyLike, viewer: Viewer, now: Date): Promise<DownloadLinkClaims> {
  let claims: DownloadLinkClaims;
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ["ES256"], audience: LINK_AUDIENCE, issuer: LINK_ISSUER, currentDate: now });
    if (typeof payload.rid !== "string" || typeof payload.sub !== "string" || !isRole(payload.role)) throw new Error("malformed");
    claims = { requestId: payload.rid, subject: payload.sub, role: payload.role };
  } catch (error) {
    const reason = error instanceof joseErrors.JOSEError ? error.code : "malformed";
    throw new UnauthenticatedError(`download link rejected (${reason})`);
  }
  if (claims.subject !== viewer.subject || claims.role !== viewer.role) {
    throw new ForbiddenError(`this download link was issued to another identity, not to ${viewer.subject}`);
  }
  return claims;
}
