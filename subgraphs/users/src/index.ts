import { clockFromEnv, createLogger, keyPathsFromEnv, listen, loadPublicKey, platformRegionFromEnv, regionalDatabaseConfigsFromEnv, serviceUrlsFromEnv, startOrExit } from "@dgg/common";
import { createUsersService } from "./server";

const log = createLogger("users", process.env);

/** Starts the users subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createUsersService({
    log,
    databases: regionalDatabaseConfigsFromEnv("USERS", "users", env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
  });
  const { url } = await listen(service.app, Number(env.USERS_PORT ?? 4001), env.HOST ?? "127.0.0.1");
  log.info({ url: `${url}/graphql` }, "users subgraph ready");
}

startOrExit(log, main);
