import { importPKCS8, importSPKI, jwtVerify, SignJWT, errors as joseErrors } from "jose";
import type { KeyLike } from "jose";
import { ServiceError, UnauthenticatedError } from "./errors";

/**
 * Who may do what; see the access table in the README. `service` is governance's own identity.
 * `privacy-officer` is tenant-scoped like `tenant-admin`: it handles legal holds in its tenant.
 */
export const ROLES = ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest", "service"] as const;
export type Role = (typeof ROLES)[number];
/** The roles a client token may carry. `service` never comes from outside: only governance mints it. */
export const CLIENT_ROLES: readonly Role[] = ["operator", "tenant-admin", "privacy-officer", "data-subject", "ingest"];
/** Roles that act inside exactly one tenant and must name it. */
export const TENANT_SCOPED_ROLES: readonly Role[] = ["tenant-admin", "privacy-officer", "data-subject", "ingest"];

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
export const INTERNAL_TTL_SECONDS = 120;
/** Tolerance for `exp`/`nbf` against the verifier's clock: small, so an expired token dies quickly. */
export const CLOCK_SKEW_SECONDS = 30;

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Builds a viewer from verified claims (`role`, `sub`, `tid`, `uid`), refusing an incomplete one. */
export function viewerFromClaims(claims: Record<string, unknown>): Viewer {
  const role = claims.role;
  const subject = claims.sub;
  if (!isRole(role)) throw new UnauthenticatedError(`token carries an unknown role ${JSON.stringify(role)}`);
  if (typeof subject !== "string" || subject.length === 0) throw new UnauthenticatedError("token has no subject");
  const tenantId = typeof claims.tid === "string" ? claims.tid : null;
  const userId = typeof claims.uid === "string" ? claims.uid : null;
  if (TENANT_SCOPED_ROLES.includes(role) && !tenantId) {
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
/** The audit trail records the subject as the actor, up to this many characters. */
export const MAX_SUBJECT_LENGTH = 256;

/**
 * The stricter checks for a caller from outside: only client roles (a client can never
 * be `service`), tenant and user ids that are UUIDs (an identity provider whose claims
 * are mapped wrongly must fail here, not deep in a subgraph), a bounded subject.
 */
export function assertClientViewer(viewer: Viewer): Viewer {
  if (!CLIENT_ROLES.includes(viewer.role)) throw new UnauthenticatedError(`role ${viewer.role} is not accepted from clients`);
  if (viewer.tenantId !== null && !UUID.test(viewer.tenantId)) {
    throw new UnauthenticatedError(`token's tenant claim must be a tenant id (UUID), got ${JSON.stringify(viewer.tenantId.slice(0, 80))}`);
  }
  if (viewer.userId !== null && !UUID.test(viewer.userId)) {
    throw new UnauthenticatedError(`token's user claim must be a user id (UUID), got ${JSON.stringify(viewer.userId.slice(0, 80))}`);
  }
  if (viewer.subject.length > MAX_SUBJECT_LENGTH) throw new UnauthenticatedError(`token's subject is longer than ${MAX_SUBJECT_LENGTH} characters`);
  return {
    ...viewer,
    tenantId: viewer.tenantId?.toLowerCase() ?? null,
    userId: viewer.userId?.toLowerCase() ?? null,
  };
}

/** Turns anything a verification threw into UNAUTHENTICATED naming jose's reason code, never the token. */
export function tokenRejected(error: unknown, what: string): ServiceError {
  if (error instanceof ServiceError) return error;
  const reason = error instanceof joseErrors.JOSEError ? error.code : "malformed";
  return new UnauthenticatedError(`${what} rejected (${reason})`);
}

/** A verified token's viewer and the window (epoch ms) in which jose, with the same tolerance, accepts it. */
export interface VerifiedClaims {
  viewer: Viewer;
  notBefore: number;
  expiresAt: number;
}

async function verifyClaims(
  token: string,
  key: KeyLike,
  options: { issuer?: string | string[]; audience: string; now: Date },
  what: string,
): Promise<VerifiedClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      audience: options.audience,
      issuer: options.issuer,
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: options.now,
      requiredClaims: ["exp", "sub"],
    });
    // jose refuses when exp <= now - tolerance or nbf > now + tolerance (in whole seconds).
    const expiresAt = ((payload.exp as number) + CLOCK_SKEW_SECONDS) * 1000;
    const notBefore = payload.nbf === undefined ? Number.NEGATIVE_INFINITY : (payload.nbf - CLOCK_SKEW_SECONDS) * 1000;
    return { viewer: viewerFromClaims(payload), notBefore, expiresAt };
  } catch (error) {
    throw tokenRejected(error, what);
  }
}

async function verify(token: string, key: KeyLike, options: { issuer?: string | string[]; audience: string; now: Date }, what: string): Promise<Viewer> {
  return (await verifyClaims(token, key, options, what)).viewer;
}

/** Verifies a client's bearer token (embedded default: the local issuer key). */
export async function verifyClientToken(token: string, key: KeyLike, now: Date): Promise<Viewer> {
  return (await verifyClientTokenClaims(token, key, now)).viewer;
}

/** As `verifyClientToken`, with the window in which the token stays valid (for `VerifiedTokenCache`). */
export async function verifyClientTokenClaims(token: string, key: KeyLike, now: Date): Promise<VerifiedClaims> {
  const claims = await verifyClaims(token, key, { issuer: DEV_ISSUER, audience: GATEWAY_AUDIENCE, now }, "bearer token");
  return { ...claims, viewer: assertClientViewer(claims.viewer) };
}

/** Mints a client token with the local issuer key (development only: `npm run token`). */
export function signClientToken(viewer: Viewer, key: KeyLike, now: Date, ttlSeconds = 8 * 3600): Promise<string> {
  return signViewer(viewer, key, { issuer: DEV_ISSUER, audience: GATEWAY_AUDIENCE, now, ttlSeconds, notBefore: true });
}

/** Mints the short-lived internal identity the gateway and governance forward to subgraphs. */
export function signInternalToken(viewer: Viewer, key: KeyLike, issuer: string, now: Date): Promise<string> {
  return signViewer(viewer, key, { issuer, audience: INTERNAL_AUDIENCE, now, ttlSeconds: INTERNAL_TTL_SECONDS, notBefore: false });
}

/** The viewer's claims as an ES256 JWT from `issuer` for `audience`, issued at `now` (and not valid before it, when asked). */
function signViewer(viewer: Viewer, key: KeyLike, token: { issuer: string; audience: string; now: Date; ttlSeconds: number; notBefore: boolean }): Promise<string> {
  const iat = Math.floor(token.now.getTime() / 1000);
  const jwt = new SignJWT(claimsOf(viewer))
    .setProtectedHeader({ alg: "ES256", typ: "JWT" })
    .setSubject(viewer.subject)
    .setIssuer(token.issuer)
    .setAudience(token.audience)
    .setIssuedAt(iat);
  if (token.notBefore) jwt.setNotBefore(iat);
  return jwt.setExpirationTime(iat + token.ttlSeconds).sign(key);
}

/** Verifies a forwarded internal identity; only the gateway and governance hold the signing key. */
export function verifyInternalToken(token: string, key: KeyLike, now: Date): Promise<Viewer> {
  return verify(token, key, { audience: INTERNAL_AUDIENCE, now }, "internal identity");
}

/** As `verifyInternalToken`, with the window in which the token stays valid (for `VerifiedTokenCache`). */
export function verifyInternalTokenClaims(token: string, key: KeyLike, now: Date): Promise<VerifiedClaims> {
  return verifyClaims(token, key, { audience: INTERNAL_AUDIENCE, now }, "internal identity");
}

export const importPrivateKey = (pem: string): Promise<KeyLike> => importPKCS8(pem, "ES256");
export const importPublicKey = (pem: string): Promise<KeyLike> => importSPKI(pem, "ES256");

/** The identity governance uses when it drives the internal personal-data contract. */
export const GOVERNANCE_SERVICE: Viewer = { subject: "service:governance", role: "service", tenantId: null, userId: null };
