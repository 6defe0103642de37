/**
 * A stand-in OpenID Connect provider on loopback for the console's sign-in: discovery, an
 * authorization endpoint that signs in whoever the test says (no login form) and redirects
 * back with a code, a token endpoint that checks the PKCE verifier against the challenge
 * (S256) and answers an access token for the API's audience and an ID token for the client,
 * and the JWKS. CORS is open, as real IdPs open their token endpoint to public clients.
 */
import { createHash, randomBytes } from "node:crypto";
import express from "express";
import { SignJWT } from "jose";
import { listen } from "@dgg/common";
import { makeIssuerKey } from "../security/support/jwks-server";

export interface TestProvider {
  issuer: string;
  clientId: string;
  audience: string;
  /** The claims of the next person to sign in (role, tenant, subject...). */
  nextUser: Record<string, unknown>;
  /** Every code exchange: whether it came with a verifier matching its challenge. */
  exchanges: { pkce: boolean; method: string }[];
  close(): Promise<void>;
}

export async function startTestProvider(options: { clientId: string; audience: string }): Promise<TestProvider> {
  const key = await makeIssuerKey("ES256");
  const app = express();
  const codes = new Map<string, { challenge: string; method: string; redirectUri: string; nonce: string | undefined; user: Record<string, unknown> }>();
  const provider: TestProvider = { issuer: "", clientId: options.clientId, audience: options.audience, nextUser: {}, exchanges: [], close: async () => undefined };
  app.use((_req, res, next) => {
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-headers", "content-type, authorization");
    next();
  });
  app.options(/.*/, (_req, res) => {
    res.status(204).end();
  });
  app.get("/.well-known/openid-configuration", (_req, res) => {
    res.json({
      issuer: provider.issuer,
      authorization_endpoint: `${provider.issuer}/authorize`,
      token_endpoint: `${provider.issuer}/token`,
      jwks_uri: `${provider.issuer}/keys`,
      response_types_supported: ["code"],
      code_challenge_methods_supported: ["S256"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    });
  });
  app.get("/keys", (_req, res) => {
    res.json({ keys: [key.publicJwk] });
  });
  app.get("/authorize", (req, res) => {
    const query = req.query as Record<string, string | undefined>;
    if (query.client_id !== options.clientId || query.response_type !== "code" || !query.redirect_uri || !query.state) {
      res.status(400).send("bad authorization request");
      return;
    }
    const code = randomBytes(16).toString("hex");
    codes.set(code, { challenge: query.code_challenge ?? "", method: query.code_challenge_method ?? "", redirectUri: query.redirect_uri, nonce: query.nonce, user: provider.nextUser });
    const target = new URL(query.redirect_uri);
    target.searchParams.set("code", code);
    target.searchParams.set("state", query.state);
    res.redirect(302, target.toString());
  });
  app.post("/token", express.urlencoded({ extended: false }), async (req, res) => {
    const body = req.body as Record<string, string | undefined>;
    const grant = body.code ? codes.get(body.code) : undefined;
    if (body.grant_type !== "authorization_code" || !grant || body.redirect_uri !== grant.redirectUri || body.client_id !== options.clientId) {
      res.status(400).json({ error: "invalid_grant" });
      return;
    }
    codes.delete(body.code!);
    const computed = createHash("sha256").update(body.code_verifier ?? "").digest("base64url");
    const pkce = grant.method === "S256" && !!body.code_verifier && computed === grant.challenge;
    provider.exchanges.push({ pkce, method: grant.method });
    if (!pkce) {
      res.status(400).json({ error: "invalid_grant", error_description: "PKCE verification failed" });
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const sign = (claims: Record<string, unknown>, audience: string) =>
      new SignJWT({ iss: provider.issuer, aud: audience, iat: now, nbf: now, exp: now + 600, ...claims }).setProtectedHeader({ alg: "ES256", kid: key.kid, typ: "JWT" }).sign(key.privateKey);
    res.json({
      token_type: "Bearer",
      expires_in: 600,
      scope: "openid profile",
      access_token: await sign(grant.user, options.audience),
      id_token: await sign({ sub: grant.user.sub, nonce: grant.nonce }, options.clientId),
    });
  });
  const server = await listen(app, 0);
  provider.issuer = server.url;
  provider.close = server.close;
  return provider;
}
