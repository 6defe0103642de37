import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { clockFromEnv, dataDir, keyPathsFromEnv, loadPrivateKey, runService, SERVICES, serviceUrlsFromEnv } from "@dgg/common";
import { oidcConfigFromEnv, tokenVerifierFromEnv } from "./auth/config";
import type { ConsoleOptions, DevDirectoryTenant } from "./console";
import { createGateway } from "./server";

/** Starts the gateway, and the console it serves at /console, from environment variables (see README: Configuration). */
runService("gateway", async (env, log) => {
  env.APOLLO_TELEMETRY_DISABLED ??= "true";
  const keys = keyPathsFromEnv(env);
  const clock = clockFromEnv(env);
  const urls = serviceUrlsFromEnv(env);
  const supergraphPath = env.SUPERGRAPH_PATH ?? join(__dirname, "..", "..", "schema", "supergraph.graphql");
  const oidc = oidcConfigFromEnv(env);
  const consoleOptions: ConsoleOptions = { dir: env.CONSOLE_DIR ?? join(__dirname, "..", "..", "console", "dist") };
  if (oidc) {
    const clientId = env.CONSOLE_OIDC_CLIENT_ID;
    if (clientId) consoleOptions.oidc = { issuer: oidc.issuer, clientId, scope: env.CONSOLE_OIDC_SCOPE || undefined };
  } else if (env.NODE_ENV !== "production" && existsSync(keys.issuerPrivate)) {
    // The embedded default: the development sign-in mints tokens with the local issuer key
    // (never in production: the key is not even read) and offers the demo data's tenants and users.
    const seedPath = join(dataDir(env), "demo-seed.json");
    consoleOptions.devSignIn = {
      issuerPrivateKey: await loadPrivateKey(keys.issuerPrivate, "token issuer private key"),
      directory: async () => (existsSync(seedPath) ? ((JSON.parse(readFileSync(seedPath, "utf8")) as { tenants: DevDirectoryTenant[] }).tenants ?? []) : []),
    };
  }
  return createGateway({
    supergraphSdl: readFileSync(supergraphPath, "utf8"),
    subgraphUrls: Object.fromEntries(SERVICES.map((service) => [service.name, `${urls[service.urlKey]}/graphql`])),
    tokenVerifier: await tokenVerifierFromEnv(env, clock, log),
    internalPrivateKey: await loadPrivateKey(keys.internalPrivate, "internal private key"),
    clock,
    production: env.NODE_ENV === "production",
    bodyLimit: env.GATEWAY_BODY_LIMIT || undefined,
    auditUrl: urls.audit,
    log,
    console: consoleOptions,
  });
});
