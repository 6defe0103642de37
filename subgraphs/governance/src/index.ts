import {
  clockFromEnv,
  databaseConfigFromEnv,
  dataDir,
  keyPathsFromEnv,
  listen,
  loadPrivateKey,
  loadPublicKey,
  serviceUrlsFromEnv,
} from "@dgg/common";
import { blobRootFromEnv } from "./blob/blob-store";
import { createGovernanceService } from "./server";
import { retentionIntervalFromEnv } from "./services/retention-config";

/** Starts the governance subgraph from environment variables (see README: Configuration). */
async function main(): Promise<void> {
  const env = process.env;
  if (env.DGG_FAULT_POINT && env.NODE_ENV === "production") throw new Error("DGG_FAULT_POINT (crash injection for tests) is refused when NODE_ENV=production");
  const keys = keyPathsFromEnv(env);
  const service = await createGovernanceService({
    database: databaseConfigFromEnv("GOVERNANCE", "governance", env),
    internalPublicKey: await loadPublicKey(keys.internalPublic, "internal public key"),
    internalPrivateKey: await loadPrivateKey(keys.internalPrivate, "internal private key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
    blobs: blobRootFromEnv(dataDir(env), env),
    residencyMover: { intervalMs: Number(env.RESIDENCY_MOVER_INTERVAL_MS ?? 1000), faultPoint: env.DGG_FAULT_POINT },
    retentionIntervalMs: retentionIntervalFromEnv(env),
  });
  const { url } = await listen(service.app, Number(env.GOVERNANCE_PORT ?? 4005), env.HOST ?? "127.0.0.1");
  console.log(`governance subgraph ready at ${url}/graphql`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
