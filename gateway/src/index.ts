import { readFileSync } from "node:fs";
import { join } from "node:path";
import { clockFromEnv, createLogger, keyPathsFromEnv, listen, loadPrivateKey, SERVICES, serviceUrlsFromEnv, startOrExit } from "@dgg/common";
import { tokenVerifierFromEnv } from "./auth/config";
import { createGateway } from "./server";

const log = createLogger("gateway", process.env);

/** Starts the gateway from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  env.APOLLO_TELEMETRY_DISABLED ??= "true";
  const keys = keyPathsFromEnv(env);
  const clock = clockFromEnv(env);
  const urls = serviceUrlsFromEnv(env);
  const supergraphPath = env.SUPERGRAPH_PATH ?? join(__dirname, "..", "..", "schema", "supergraph.graphql");
  const gateway = await createGateway({
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
  const { url } = await listen(gateway.app, Number(env.GATEWAY_PORT ?? 4000), env.HOST ?? "127.0.0.1");
  log.info({ url: `${url}/graphql` }, "gateway ready");
}

startOrExit(log, main);
