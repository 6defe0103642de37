import { clockFromEnv, databaseConfigFromEnv, keyPathsFromEnv, loadPublicKey, runService, serviceUrlsFromEnv } from "@dgg/common";
import { createStorageRegionsService } from "./server";
import { storageLayoutFromEnv } from "./storage-layout";

/** Starts the storage-regions subgraph from environment variables (see README: Configuration). */
runService("storage-regions", async (env, log) =>
  createStorageRegionsService({
    log,
    database: databaseConfigFromEnv("STORAGE_REGIONS", "storage-regions", env),
    internalPublicKey: await loadPublicKey(keyPathsFromEnv(env).internalPublic, "internal public key"),
    clock: clockFromEnv(env),
    // Parsed before listening: a bad STORAGE_LAYOUT stops the start with a message naming it.
    layout: storageLayoutFromEnv(env),
    moveFreezeMs: env.RESIDENCY_MOVE_FREEZE_MS ? Number(env.RESIDENCY_MOVE_FREEZE_MS) : undefined,
    urls: serviceUrlsFromEnv(env),
  }),
);
