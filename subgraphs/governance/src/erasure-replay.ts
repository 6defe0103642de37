/**
 * `npm run erasure:replay`: re-erases everyone in the erasure ledger who is back in a data
 * subgraph (after a restore from backup), with the same environment as the governance
 * service. Prints what it did; exits non-zero if a data subgraph could not be reached.
 */
import { clockFromEnv, databaseConfigFromEnv, dataDir, keyPathsFromEnv, loadPrivateKey, loadPublicKey, serviceUrlsFromEnv } from "@dgg/common";
import { blobRootFromEnv } from "./blob/blob-store";
import { ledgerKeyPathFromEnv, privacyConfigFromEnv } from "./privacy/config";
import { loadLedgerKey } from "./privacy/ledger";
import { createGovernanceService } from "./server";

async function main(): Promise<void> {
  const env = process.env;
  const keys = keyPathsFromEnv(env);
  const service = await createGovernanceService({
    database: databaseConfigFromEnv("GOVERNANCE", "governance", env),
    internalPublicKey: await loadPublicKey(keys.internalPublic, "internal public key"),
    internalPrivateKey: await loadPrivateKey(keys.internalPrivate, "internal private key"),
    clock: clockFromEnv(env),
    urls: serviceUrlsFromEnv(env),
    blobs: blobRootFromEnv(dataDir(env), env),
    ledgerKey: loadLedgerKey(ledgerKeyPathFromEnv(dataDir(env), env), env),
    // Only the replay runs here: no workers.
    privacy: { ...privacyConfigFromEnv(env), concurrency: 0 },
  });
  try {
    const { scanned, reErased } = await service.replayErasureLedger();
    console.log(`erasure:replay: scanned ${scanned} user ids across the data subgraphs, re-erased ${reErased}`);
  } finally {
    await service.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`erasure:replay failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
