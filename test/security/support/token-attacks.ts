/**
 * Tokens an attacker might present, each paired with a name. Built against a test issuer
 * (OIDC) or the embedded default's local key; every one must be refused.
 */
import { createHmac } from "node:crypto";
import { SignJWT } from "jose";
import type { JWTPayload, KeyLike } from "jose";
import { DEV_ISSUER, GATEWAY_AUDIENCE } from "@dgg/common";
import { makeIssuerKey } from "./jwks-server";
import type { TestIssuer } from "./jwks-server";

const b64 = (value: unknown) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** A token with a chosen header and payload and an HMAC-SHA256 signature under `secret`. */
export function hmacToken(header: Record<string, unknown>, payload: JWTPayload, secret: string | Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

/** Replaces a token's payload, keeping its header and signature. */
export function tamper(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
  return `${header}.${b64(change(claims))}.${signature}`;
}

export const unsignedToken = (payload: JWTPayload) => `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;

/** The attacks on an OIDC gateway; `claims` are a valid caller's (role, sub, tid, uid). */
export async function oidcAttacks(issuer: TestIssuer, claims: JWTPayload, nowSeconds: number): Promise<[string, string][]> {
  const sign = (extra: JWTPayload, options: Parameters<TestIssuer["sign"]>[1] = {}) => issuer.sign({ ...claims, ...extra }, { iat: nowSeconds, ...options });
  const current = issuer.published[0]!;
  const valid = await sign({});
  const stranger = await makeIssuerKey(current.alg);
  const base = { iss: issuer.issuer, aud: issuer.audience, iat: nowSeconds, exp: nowSeconds + 600, ...claims };
  const rsa = issuer.published.find((key) => key.alg === "RS256") ?? (await makeIssuerKey("RS256"));
  return [
    ["expired (beyond the clock skew)", await sign({ exp: nowSeconds - 120, iat: nowSeconds - 720, nbf: nowSeconds - 720 })],
    ["not yet valid (nbf beyond the skew)", await sign({ nbf: nowSeconds + 120 })],
    ["wrong audience", await sign({ aud: "some-other-api" })],
    ["wrong issuer", await sign({ iss: "https://evil.example.com/" })],
    ["no exp", await new SignJWT({ ...base, exp: undefined }).setProtectedHeader({ alg: current.alg, kid: current.kid }).sign(current.privateKey)],
    ["alg none", unsignedToken(base)],
    ["alg none, kid of a published key", `${b64({ alg: "none", kid: current.kid })}.${b64(base)}.`],
    ["HS256 signed with the issuer's public key (PEM)", hmacToken({ alg: "HS256", kid: current.kid, typ: "JWT" }, base, current.publicPem)],
    ["HS256 signed with the issuer's public JWK", hmacToken({ alg: "HS256", kid: current.kid }, base, JSON.stringify(current.publicJwk))],
    ["unknown kid (key never published)", await sign({}, { key: stranger })],
    ["published kid, signed by another key", await new SignJWT(base).setProtectedHeader({ alg: stranger.alg, kid: current.kid }).sign(stranger.privateKey)],
    ["embedded jwk header (attacker's key)", await new SignJWT(base).setProtectedHeader({ alg: stranger.alg, jwk: stranger.publicJwk }).sign(stranger.privateKey)],
    ["RS512 (algorithm not accepted)", await new SignJWT(base).setProtectedHeader({ alg: "RS512", kid: rsa.kid }).sign(rsa.privateKey)],
    ["tampered payload: role operator", tamper(valid, (p) => ({ ...p, role: "operator" }))],
    ["tampered payload: another tenant", tamper(valid, (p) => ({ ...p, tid: "00000000-0000-4000-8000-0000000000aa" }))],
    ["tampered payload: exp extended", tamper(valid, (p) => ({ ...p, exp: nowSeconds + 86_400 }))],
    ["signature stripped", valid.split(".").slice(0, 2).join(".") + "."],
    ["role service (never from clients)", await sign({ role: "service" })],
    ["two gateway roles in a list", await sign({ role: ["tenant-admin", "operator"] })],
    ["tenant claim not a tenant id", await sign({ tid: "' OR 1=1 --" })],
    ["no subject", await sign({ sub: undefined })],
    ["not a JWT", "not-a-token"],
    ["three empty parts", ".."],
  ];
}

/** The attacks on the embedded default's local key (ES256, fixed issuer and audience). */
export async function localKeyAttacks(
  issuerKey: { privateKey: KeyLike; publicPem: string },
  valid: string,
  claims: JWTPayload,
  nowSeconds: number,
): Promise<[string, string][]> {
  const base = { iss: DEV_ISSUER, aud: GATEWAY_AUDIENCE, iat: nowSeconds, exp: nowSeconds + 600, ...claims };
  const sign = (payload: JWTPayload) => new SignJWT(payload).setProtectedHeader({ alg: "ES256" }).sign(issuerKey.privateKey);
  const stranger = await makeIssuerKey("ES256");
  return [
    ["expired", await sign({ ...base, iat: nowSeconds - 720, exp: nowSeconds - 120 })],
    ["not yet valid", await sign({ ...base, nbf: nowSeconds + 120 })],
    ["wrong audience", await sign({ ...base, aud: "someone-else" })],
    ["wrong issuer", await sign({ ...base, iss: "urn:evil" })],
    ["no exp", await sign({ ...base, exp: undefined })],
    ["alg none", unsignedToken(base)],
    ["HS256 signed with the public key", hmacToken({ alg: "HS256", typ: "JWT" }, base, issuerKey.publicPem)],
    ["signed by another key", await new SignJWT(base).setProtectedHeader({ alg: "ES256" }).sign(stranger.privateKey)],
    ["tampered payload: role operator", tamper(valid, (p) => ({ ...p, role: "operator" }))],
    ["role service", await sign({ ...base, role: "service" })],
  ];
}
