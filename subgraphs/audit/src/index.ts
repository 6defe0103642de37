import { clockFromEnv, createLogger, keyPathsFromEnv, listen, loadPublicKey, platformRegionFromEnv, regionalDatabaseConfigsFromEnv, serviceUrlsFromEnv, startOrExit } from "@dgg/common";
import { createAuditService } from "./server";

const log = createLogger("audit", process.env);

/** Starts the audit subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createAuditService({
    log,
    databases: regionalDatabaseConfigsFromEnv("AUDIT", "audit", env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
  });
  const { url } = await listen(service.app, Number(env.AUDIT_PORT ?? 4003), env.HOST ?? "127.0.0.1");
  log.info({ url: `${url}/graphql` }, "audit subgraph ready");
}

startOrExit(log, main);
