import { importPKCS8, importSPKI, jwtVerify, SignJWT, errors as joseErrors } from "jose";
import type { KeyLike } from "jose";
import { ServiceError, UnauthenticatedError } from "./errors";

/**
 * Who may do what; see the access table in the README. `service` is governance's own identity.
 * `privacy-officer` follows and serves a tenant's privacy requests without administering it.
 */
export const ROLES = ["operator", "tenant-admin", "data-subject", "ingest", "service", "privacy-officer"] as const;
export type Role = (typeof ROLES)[number];

/** The caller of a request, as verified by the gateway and forwarded to subgraphs. */
export interface Viewer {
  /** Stable id of the caller: a user id, an admin's subject, or a service name. Recorded as the audit actor. */
  subject: string;
  role: Role;
  /** The one tenant a tenant-scoped role may act in. */
  tenantId: string | null;
  /** For data-subject: the user whose data this is. */
  userId: string | null;
}

/** Audience and issuer of tokens the gateway accepts from clients in the embedded default. */
export const DEV_ISSUER = "urn:dgg:dev-issuer";
export const GATEWAY_AUDIENCE = "dgg-gateway";
/** Audience of the internal identity token the gateway and governance forward to subgraphs. */
export const INTERNAL_AUDIENCE = "dgg-subgraphs";
export const INTERNAL_TOKEN_HEADER = "x-dgg-internal-token";
const INTERNAL_TTL_SECONDS = 120;
const CLOCK_SKEW_SECONDS = 30;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

function viewerFromClaims(claims: Record<string, unknown>): Viewer {
  const role = claims.role;
  const subject = claims.sub;
  if (!isRole(role)) throw new UnauthenticatedError(`token carries an unknown role ${JSON.stringify(role)}`);
  if (typeof subject !== "string" || subject.length === 0) throw new UnauthenticatedError("token has no subject");
  const tenantId = typeof claims.tid === "string" ? claims.tid : null;
  const userId = typeof claims.uid === "string" ? claims.uid : null;
  if ((role === "tenant-admin" || role === "ingest" || role === "data-subject" || role === "privacy-officer") && !tenantId) {
    throw new UnauthenticatedError(`a ${role} token must name its tenant (claim tid)`);
  }
  if (role === "data-subject" && !userId) throw new UnauthenticatedError("a data-subject token must name its user (claim uid)");
  return { subject, role, tenantId, userId };
}

function claimsOf(viewer: Viewer): Record<string, string> {
  const claims: Record<string, string> = { role: viewer.role };
  if (viewer.tenantId) claims.tid = viewer.tenantId;
  if (viewer.userId) claims.uid = viewer.userId;
  return claims;
}

async function verify(
  token: string,
  key: KeyLike,
  options: { issuer?: string | string[]; audience: string; now: Date },
  what: string,
): Promise<Viewer> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      audience: options.audience,
      issuer: options.issuer,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: options.now,
    });
    return viewerFromClaims(payload as Record<string, unknown>);
  } catch (error) {
    if (error instanceof ServiceError) throw error;
    const reason = error instanceof joseErrors.JOSEError ? error.code : "malformed";
    throw new UnauthenticatedError(`${what} rejected (${reason})`);
  }
}

/** Verifies a client's bearer token (embedded default: the local issuer key). */
export function verifyClientToken(token: string, key: KeyLike, now: Date): Promise<Viewer> {
  return verify(token, key, { issuer: DEV_ISSUER, audience: GATEWAY_AUDIENCE, now }, "bearer token");
}

/** Mints a client token with the local issuer key (development only: `npm run token`). */
export function signClientToken(viewer: Viewer, key: KeyLike, now: Date, ttlSeconds = 8 * 3600): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT(claimsOf(viewer))
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setSubject(viewer.subject)
    .setIssuer(DEV_ISSUER)
    .setAudience(GATEWAY_AUDIENCE)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(key);
}

/** Mints the short-lived internal identity the gateway and governance forward to subgraphs. */
export function signInternalToken(viewer: Viewer, key: KeyLike, issuer: string, now: Date): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000);
  return new SignJWT(claimsOf(viewer))
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setSubject(viewer.subject)
    .setIssuer(issuer)
    .setAudience(INTERNAL_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + INTERNAL_TTL_SECONDS)
    .sign(key);
}

/** Verifies a forwarded internal identity; only the gateway and governance hold the signing key. */
export function verifyInternalToken(token: string, key: KeyLike, now: Date): Promise<Viewer> {
  return verify(token, key, { audience: INTERNAL_AUDIENCE, now }, "internal identity");
}

export const importPrivateKey = (pem: string): Promise<KeyLike> => importPKCS8(pem, "ES256");
export const importPublicKey = (pem: string): Promise<KeyLike> => importSPKI(pem, "ES256");

/** The identity governance uses when it drives the internal personal-data contract. */
export const GOVERNANCE_SERVICE: Viewer = { subject: "service:governance", role: "service", tenantId: null, userId: null };
