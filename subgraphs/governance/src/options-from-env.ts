import { clockFromEnv, databaseConfigFromEnv, dataDir, keyPathsFromEnv, loadPrivateKey, loadPublicKey, serviceUrlsFromEnv } from "@dgg/common";
import { blobRootFromEnv } from "./blob/blob-store";
import { ledgerKeyPathFromEnv, privacyConfigFromEnv } from "./privacy/engine/config";
import { loadLedgerKey } from "./privacy/engine/ledger";
import type { GovernanceServiceOptions } from "./server";

/**
 * What the governance service and `npm run erasure:replay` both read from the environment
 * (see README: Configuration): store, keys, clock, other services, archives, ledger key and
 * privacy settings. Each entry point adds what only it runs (timers, workers, faults).
 */
export async function governanceOptionsFromEnv(env: NodeJS.ProcessEnv): Promise<
  Pick<GovernanceServiceOptions, "database" | "internalPublicKey" | "internalPrivateKey" | "clock" | "urls" | "blobs" | "ledgerKey"> & {
    privacy: ReturnType<typeof privacyConfigFromEnv>;
  }
> {
  const keys = keyPathsFromEnv(env);
  return {
    database: databaseConfigFromEnv("GOVERNANCE", "governance", env),
    internalPublicKey: await loadPublicKey(keys.internalPublic, "internal public key"),
    internalPrivateKey: await loadPrivateKey(keys.internalPrivate, "internal private key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
    blobs: blobRootFromEnv(dataDir(env), env),
    ledgerKey: loadLedgerKey(ledgerKeyPathFromEnv(dataDir(env), env), env),
    privacy: privacyConfigFromEnv(env),
  };
}
