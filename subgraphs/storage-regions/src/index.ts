import { clockFromEnv, createLogger, databaseConfigFromEnv, keyPathsFromEnv, listen, loadPublicKey, serviceUrlsFromEnv, startOrExit } from "@dgg/common";
import { createStorageRegionsService } from "./server";
import { storageLayoutFromEnv } from "./storage-layout";

const log = createLogger("storage-regions", process.env);

/** Starts the storage-regions subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  const service = await createStorageRegionsService({
    log,
    database: databaseConfigFromEnv("STORAGE_REGIONS", "storage-regions", env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    // Parsed before listening: a bad STORAGE_LAYOUT stops the start with a message naming it.
    layout: storageLayoutFromEnv(env),
    moveFreezeMs: env.RESIDENCY_MOVE_FREEZE_MS ? Number(env.RESIDENCY_MOVE_FREEZE_MS) : undefined,
    urls: serviceUrlsFromEnv(env),
  });
  const { url } = await listen(service.app, Number(env.STORAGE_REGIONS_PORT ?? 4004), env.HOST ?? "127.0.0.1");
  log.info({ url: `${url}/graphql` }, "storage-regions subgraph ready");
}

startOrExit(log, main);
