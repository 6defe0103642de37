import { readFileSync } from "node:fs";
import { join } from "node:path";
import { clockFromEnv, keyPathsFromEnv, loadPrivateKey, runService, SERVICES, serviceUrlsFromEnv } from "@dgg/common";
import { tokenVerifierFromEnv } from "./auth/config";
import { createGateway } from "./server";

/** Starts the gateway from environment variables (see README: Configuration). */
runService("gateway", async (env, log) => {
  env.APOLLO_TELEMETRY_DISABLED ??= "true";
  const keys = keyPathsFromEnv(env);
  const clock = clockFromEnv(env);
  const urls = serviceUrlsFromEnv(env);
  const supergraphPath = env.SUPERGRAPH_PATH ?? join(__dirname, "..", "..", "schema", "supergraph.graphql");
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
  });
});
