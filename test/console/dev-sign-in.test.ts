/**
 * Scenario: the console's development sign-in exists only on the embedded default and never
 * in production. Outside production it mints a token the local verifier accepts, for the
 * role, tenant and user asked; with NODE_ENV=production the same routes answer 403 with a
 * clear message and code, and /console/config.json offers no sign-in. The console's headers
 * (CSP, nosniff, no framing) are on every /console answer, errors included.
 */
import { randomUUID } from "node:crypto";
import express from "express";
import { createLogger, listen, ManualClock } from "@dgg/common";
import { generateTestKeyPair } from "@dgg/common/testkit";
import type { KeyPair } from "@dgg/common/testkit";
import { localKeyVerifier } from "../../gateway/src/auth/token-verifier";
import { consoleCsp, mountConsole } from "../../gateway/src/console";

describe("the console's development sign-in", () => {
  let keys: KeyPair;
  const clock = new ManualClock(new Date());
  const tenantId = randomUUID();
  const userId = randomUUID();
  const directory = [{ id: tenantId, name: "Contoso Europe", storageRegion: "EUROPE", users: [{ id: userId, userPrincipalName: "ada@contoso.eu" }] }];

  beforeAll(async () => {
    keys = await generateTestKeyPair();
  });

  async function serve(production: boolean, oidc?: { issuer: string; clientId: string }) {
    const app = express();
    mountConsole(app, {
      dir: "/nonexistent-console-dist",
      devSignIn: oidc ? undefined : { issuerPrivateKey: keys.privateKey, directory: async () => directory },
      oidc,
      verifier: localKeyVerifier(keys.publicKey, clock),
      clock,
      production,
      log: createLogger("gateway"),
    });
    return listen(app, 0);
  }

  test("outside production: lists the demo directory and mints a token the gateway accepts", async () => {
    const server = await serve(false);
    try {
      expect(await (await fetch(`${server.url}/console/config.json`)).json()).toEqual({ signIn: "development" });
      const listed = (await (await fetch(`${server.url}/console/dev-sign-in/directory`)).json()) as { roles: string[]; tenants: unknown[] };
      expect(listed.tenants).toEqual(directory);
      expect(listed.roles).toContain("privacy-officer");
      const minted = await fetch(`${server.url}/console/dev-sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ role: "data-subject", tenantId, userId }),
      });
      expect(minted.status).toBe(200);
      const { token } = (await minted.json()) as { token: string };
      const session = await fetch(`${server.url}/console/session`, { headers: { authorization: `Bearer ${token}` } });
      expect(await session.json()).toEqual({ role: "data-subject", tenantId, userId, subject: userId });
      // A name tells two officers apart.
      const named = (await (
        await fetch(`${server.url}/console/dev-sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "privacy-officer", tenantId, name: "grace.officer" }) })
      ).json()) as { token: string };
      const namedSession = await fetch(`${server.url}/console/session`, { headers: { authorization: `Bearer ${named.token}` } });
      expect(await namedSession.json()).toEqual({ role: "privacy-officer", tenantId, userId: null, subject: "grace.officer" });
      // The service role is never minted, tenant roles need a tenant, names are plain.
      for (const body of [{ role: "service" }, { role: "tenant-admin" }, { role: "data-subject", tenantId }, { role: "privacy-officer", tenantId, name: "<b>x</b>" }]) {
        const refused = await fetch(`${server.url}/console/dev-sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        expect(refused.status).toBe(400);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("BAD_USER_INPUT");
      }
      const anonymous = await fetch(`${server.url}/console/session`);
      expect(anonymous.status).toBe(401);
    } finally {
      await server.close();
    }
  });

  test("with NODE_ENV=production: refused with 403 FORBIDDEN and a message saying why", async () => {
    const server = await serve(true);
    try {
      expect(await (await fetch(`${server.url}/console/config.json`)).json()).toMatchObject({ signIn: "unavailable" });
      for (const [method, path] of [
        ["GET", "/console/dev-sign-in/directory"],
        ["POST", "/console/dev-sign-in"],
      ] as const) {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: { "content-type": "application/json" },
          body: method === "POST" ? JSON.stringify({ role: "operator" }) : undefined,
        });
        expect(response.status).toBe(403);
        const body = (await response.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe("FORBIDDEN");
        expect(body.error.message).toMatch(/Development sign-in is disabled when NODE_ENV=production/);
        expect(response.headers.get("content-security-policy")).toBe(consoleCsp());
      }
    } finally {
      await server.close();
    }
  });

  test("with an OIDC issuer: no development sign-in at all, the console is told to use the issuer", async () => {
    const server = await serve(false, { issuer: "https://login.example.com/tenant/v2.0", clientId: "console-client" });
    try {
      expect(await (await fetch(`${server.url}/console/config.json`)).json()).toEqual({
        signIn: "oidc",
        oidc: { issuer: "https://login.example.com/tenant/v2.0", clientId: "console-client", scope: "openid profile" },
      });
      const response = await fetch(`${server.url}/console/dev-sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string; message: string } }).error).toEqual({
        code: "NOT_FOUND",
        message: expect.stringMatching(/only on the embedded default/),
      });
      const csp = response.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("connect-src 'self' https://login.example.com");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    } finally {
      await server.close();
    }
  });
});
