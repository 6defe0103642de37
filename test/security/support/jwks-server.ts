/**
 * A stand-in OpenID Connect issuer on loopback: a discovery document and a JWKS that
 * tests rotate, plus a signer for tokens of the current (or any) key. Counts JWKS
 * fetches so tests can assert "an unknown kid triggers one refresh".
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import express from "express";
import { exportJWK, importPKCS8, SignJWT } from "jose";
import type { JWK, JWTPayload, KeyLike } from "jose";
import { listen } from "@dgg/common";

export interface IssuerKey {
  kid: string;
  alg: "RS256" | "ES256";
  privateKey: KeyLike;
  publicJwk: JWK;
  /** The public key in PEM, for the HS256 confusion attack. */
  publicPem: string;
}

export interface TestIssuer {
  issuer: string;
  jwksUri: string;
  audience: string;
  jwksFetches: number;
  /** Keys published in the JWKS, newest first; the first signs by default. */
  published: IssuerKey[];
  /** Publishes a fresh key first; `keep` old keys stay published (rotation overlap). */
  rotate(alg?: "RS256" | "ES256", keep?: number): Promise<IssuerKey>;
  sign(claims: JWTPayload, options?: { key?: IssuerKey; header?: Record<string, unknown>; iat?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function makeIssuerKey(alg: "RS256" | "ES256"): Promise<IssuerKey> {
  const pair = alg === "RS256" ? generateKeyPairSync("rsa", { modulusLength: 2048 }) : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const kid = randomUUID();
  const privatePem = pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicPem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: "sig" };
  return { kid, alg, privateKey: await importPKCS8(privatePem, alg), publicJwk, publicPem };
}

export async function startTestIssuer(audience = "dgg-api"): Promise<TestIssuer> {
  const app = express();
  let base = "";
  const state: TestIssuer = {
    issuer: "",
    jwksUri: "",
    audience,
    jwksFetches: 0,
    published: [await makeIssuerKey("RS256")],
    async rotate(alg = "ES256", keep = 1) {
      const key = await makeIssuerKey(alg);
      state.published = [key, ...state.published.slice(0, keep)];
      return key;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? state.published[0]!;
      const now = options.iat ?? Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: state.issuer, aud: audience, iat: now, nbf: now, exp: now + 600, ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: "JWT", ...options.header })
        .sign(key.privateKey);
    },
    close: async () => undefined,
  };
  app.get("/.well-known/openid-configuration", (_req, res) => {
    res.json({ issuer: state.issuer, jwks_uri: state.jwksUri, id_token_signing_alg_values_supported: ["RS256", "ES256"] });
  });
  app.get("/keys", (_req, res) => {
    state.jwksFetches += 1;
    res.json({ keys: state.published.map((key) => key.publicJwk) });
  });
  const server = await listen(app, 0);
  base = server.url;
  state.issuer = `${base}/tenant-issuer`;
  state.jwksUri = `${base}/keys`;
  // Discovery lives under the issuer's path, as with Entra ID and Keycloak.
  app.get("/tenant-issuer/.well-known/openid-configuration", (_req, res) => {
    res.json({ issuer: state.issuer, jwks_uri: state.jwksUri });
  });
  state.close = server.close;
  return state;
}
