import { clockFromEnv, keyPathsFromEnv, listen, loadPublicKey, platformRegionFromEnv, regionalDatabaseConfigsFromEnv, serviceUrlsFromEnv } from "@dgg/common";
import { createUsersService } from "./server";

/** Starts the users subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createUsersService({
    databases: regionalDatabaseConfigsFromEnv("USERS", "users", env),
    platformRegion: platformRegionFromEnv(env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
  });
  const { url } = await listen(service.app, Number(env.USERS_PORT ?? 4001), env.HOST ?? "127.0.0.1");
  console.log(`users subgraph ready at ${url}/graphql`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
