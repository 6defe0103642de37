/**
 * Scenario: production sign-in. The gateway verifies tokens from an OpenID Connect issuer
 * (a stand-in provider on loopback) and serves the console with CONSOLE_OIDC_CLIENT_ID. In
 * headless Chromium a privacy officer clicks "Sign in with your identity provider": the
 * popup runs the authorization code flow with PKCE (the provider refuses an exchange whose
 * verifier does not match), the console receives the access token, the gateway reads the
 * role and tenant from it, and the officer reads a person's data. The token is in memory
 * only, the development sign-in does not exist, and the CSP lets the page reach only the
 * gateway and the issuer. Engine-independent: SQLite only.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { listen } from "@dgg/common";
import { OidcVerifier } from "../../gateway/src/auth/oidc-verifier";
import { createGateway } from "../../gateway/src/server";
import type { Gateway } from "../../gateway/src/server";
import { launchChromium } from "../support/chromium";
import { ensureConsoleBuilt } from "../support/console-build";
import { SUBGRAPHS, startTestSystem } from "../support/system";
import type { TestSystem } from "../support/system";
import { startTestProvider } from "./oidc-provider";
import type { TestProvider } from "./oidc-provider";

declare const document: any;
declare const localStorage: any;
declare const sessionStorage: any;

const root = join(__dirname, "..", "..");

describe("the console's OIDC sign-in (authorization code with PKCE)", () => {
  let system: TestSystem;
  let provider: TestProvider;
  let gateway: Gateway;
  let listener: { url: string; close(): Promise<void> };
  let browser: Browser;
  let tenantId: string;
  let userId: string;

  beforeAll(async () => {
    await ensureConsoleBuilt();
    system = await startTestSystem("sqlite");
    provider = await startTestProvider({ clientId: "dgg-console", audience: "dgg-api" });
    const operator = await system.token({ role: "operator", subject: "oidc-operator", tenantId: null, userId: null });
    tenantId = (await system.gql(operator, `mutation { createTenant(input: { name: "OIDC Europe", storageRegion: EUROPE }) { id } }`)).body.data!.createTenant.id;
    const admin = await system.token({ role: "tenant-admin", subject: "oidc-admin", tenantId, userId: null });
    const created = await system.gql(admin, `mutation($t: ID!) { createUser(input: { tenantId: $t, userPrincipalName: "oidc@contoso.eu", displayName: "Oidc Person" }) { id } }`, { t: tenantId });
    userId = created.body.data!.createUser.id;
    // A second gateway over the same subgraphs, configured as production with an OIDC issuer.
    gateway = await createGateway({
      supergraphSdl: readFileSync(join(root, "schema", "supergraph.graphql"), "utf8"),
      subgraphUrls: Object.fromEntries(SUBGRAPHS.map((name) => [name, `${system.urls[name]}/graphql`])),
      tokenVerifier: new OidcVerifier(
        { issuer: provider.issuer, audience: provider.audience, claims: { role: "role", tenant: "tid", user: "uid", subject: "sub" }, clockSkewSeconds: 30, jwksMaxAgeMs: 600_000, jwksCooldownMs: 10_000 },
        system.clock,
      ),
      internalPrivateKey: system.internalKeys.privateKey,
      clock: system.clock,
      production: true,
      console: { dir: join(root, "console", "dist"), oidc: { issuer: provider.issuer, clientId: provider.clientId } },
    });
    listener = await listen(gateway.app, 0);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await listener?.close();
    await gateway?.stop();
    await provider?.close();
    await system?.stop();
  });

  test("a privacy officer signs in at the IdP in a popup and reads a person's data", async () => {
    const origin = listener.url;
    const page: Page = await browser.newPage();
    const problems: string[] = [];
    const elsewhere: string[] = [];
    page.on("pageerror", (error) => problems.push(String(error)));
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(`${origin}/`) && !url.startsWith(`${provider.issuer}/`)) elsewhere.push(url);
    });
    const response = await page.goto(`${origin}/console/`, { waitUntil: "load" });
    const csp = response!.headers()["content-security-policy"] ?? "";
    expect(csp).toContain(`connect-src 'self' ${new URL(provider.issuer).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");

    // No development sign-in on this gateway.
    const dev = await fetch(`${origin}/console/dev-sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ role: "operator" }) });
    expect(dev.status).toBe(403);

    provider.nextUser = { sub: "officer@contoso.example", role: "privacy-officer", tid: tenantId };
    const button = await page.waitForFunction(() => [...document.querySelectorAll("button")].find((b: any) => b.textContent === "Sign in with your identity provider") ?? null);
    await (button as any).click();
    await page.waitForSelector('nav[aria-label="Main"]', { timeout: 20_000 }).catch((error: unknown) => {
      throw new Error(`not signed in: ${String(error)}; page errors: ${JSON.stringify(problems)}`);
    });
    expect(provider.exchanges).toEqual([{ pkce: true, method: "S256" }]);
    const who = await page.$eval("[data-testid=who]", (element: any) => element.textContent);
    expect(who).toBe("Privacy officer · officer@contoso.example");

    await page.type("#person-search", "oidc@contoso.eu");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id: string) => document.querySelector("#person-title") && document.body.textContent.includes(id), { timeout: 15_000 }, userId);
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: "" });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);
});
